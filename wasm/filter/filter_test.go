package filter

import (
	"slices"
	"testing"

	"github.com/glimchat/glimchat/wasm/glimesh"
)

func msg(id, user, text string) glimesh.Message {
	return glimesh.Message{ID: id, Text: text, User: glimesh.User{ID: id, Username: user}}
}

func TestKeep(t *testing.T) {
	hist := []glimesh.Message{
		msg("1", "Nightbot", "Follow!"), msg("2", "vic", "!uptime"), msg("3", "Spammer", "buy"),
		msg("4", "vic", "hi"), msg("5", "vic", "  !dice"), msg("6", "MyBot", "beep"),
	}
	ids := func(ms []glimesh.Message) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		o    Options
		want []string
	}{
		{"defaults hide bots", Options{Bots: []string{"nightbot"}}, []string{"2", "3", "4", "5", "6"}},
		{"bots shown", Options{ShowBots: true, Bots: []string{"nightbot"}}, []string{"1", "2", "3", "4", "5", "6"}},
		{"extra bot names", Options{Bots: []string{"nightbot", "mybot"}}, []string{"2", "3", "4", "5"}},
		{"commands", Options{HideCommands: true}, []string{"1", "3", "4", "6"}},
		{"block", Options{ShowBots: true, Block: []string{"spammer"}}, []string{"1", "2", "4", "5", "6"}},
		{"block beats bots", Options{ShowBots: true, Bots: []string{"nightbot"}, Block: []string{"NIGHTBOT"}}, []string{"2", "3", "4", "5", "6"}},
	} {
		if got := ids(New(tc.o).Apply(hist)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	all := New(Options{})
	if got := all.Apply(hist); &got[0] != &hist[0] {
		t.Error("Apply copied a list it kept whole")
	}
}

func TestHighlighted(t *testing.T) {
	f := New(Options{Highlight: []string{"GG", "hype train"}, Streamer: "Demo", Mentions: true})
	for text, want := range map[string]bool{
		"gg wp":               true,
		"that was GG!":        true,
		"eggs":                false,
		"hype train incoming": true,
		"hype trains":         false,
		"hi @demo":            true,
		"demo is live":        true,
		"demonstration":       false,
		"nothing here":        false,
		"ünïcode gg ü":        true,
		"égg":                 false,
	} {
		if got := f.Highlighted(msg("1", "v", text)); got != want {
			t.Errorf("%q: %v, want %v", text, got, want)
		}
	}
	if New(Options{Streamer: "demo"}).Highlighted(msg("1", "v", "@demo")) {
		t.Error("a mention highlights with Mentions off")
	}
}

// events= without follows hides the follow announcements; block hides a
// blocked user's follow as it hides their chat.
func TestFollowLines(t *testing.T) {
	follow := glimesh.Message{ID: "1", Kind: glimesh.Follow, Text: " just followed the stream!", User: glimesh.User{Username: "Eve"}}
	if !New(Options{}).Keep(follow) {
		t.Error("a follow was hidden by default")
	}
	if New(Options{HideFollows: true}).Keep(follow) {
		t.Error("HideFollows kept a follow")
	}
	if !New(Options{HideFollows: true}).Keep(glimesh.Message{ID: "2", Text: "hi", User: glimesh.User{Username: "Eve"}}) {
		t.Error("HideFollows hid a chat message")
	}
	if New(Options{Block: []string{"eve"}}).Keep(follow) {
		t.Error("a blocked user's follow was kept")
	}
}
