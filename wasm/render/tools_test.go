package render

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/moderation"
)

var moderator = glimesh.Rights{UserID: "3", Delete: true, ShortTimeout: true, Ban: true}

// buttons returns the data-mod and data-action of every button in frag,
// after checking frag against the allowed elements and attributes.
func buttons(t *testing.T, frag string) [][2]string {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(frag), &html.Node{Type: html.ElementNode, Data: "span", DataAtom: atom.Span})
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			ok, known := allowed[n.Data]
			a := attrs(n)
			for k := range a {
				if !known || !ok[k] {
					t.Errorf("attribute %s on <%s> in %s", k, n.Data, frag)
				}
			}
			if n.Data == "button" {
				if a["type"] != "button" {
					t.Errorf("button without type=button (it would submit a form): %s", frag)
				}
				out = append(out, [2]string{a["data-mod"], a["data-action"]})
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return out
}

// A moderator gets one button per action allowed on other people's
// messages, none on their own, and the page reads each one back as the
// action it shows.
func TestToolsFollowRights(t *testing.T) {
	r := New(Options{Tools: moderator})
	m := msg("hello")
	out := r.HTML(m)
	p := parse(t, out)
	if p.body != "hello" {
		t.Errorf("body = %q", p.body)
	}
	got := buttons(t, out)
	want := []glimesh.Action{glimesh.DeleteMessage, glimesh.ShortTimeout, glimesh.Ban}
	if len(got) != len(want) {
		t.Fatalf("buttons %v, want %v", got, want)
	}
	for i, b := range got {
		if kind, a := moderation.ParseClick(b[0], b[1]); kind != moderation.Ask || a != want[i] {
			t.Errorf("button %d reads as %s %s, want ask %s", i, kind, a, want[i])
		}
	}
	if !strings.Contains(out, `aria-label="Ban bob from this chat"`) {
		t.Errorf("the ban button does not name its target: %s", out)
	}
	if r.Tools("", "", "bob") == "" || !strings.Contains(out, r.Tools("", "", "bob")) {
		t.Errorf("Tools(bob) is not what the message carries")
	}

	own := msg("mine")
	own.User.ID = moderator.UserID
	noID := msg("no id")
	noID.User.ID = ""
	for _, m := range []glimesh.Message{own, noID} {
		if b := buttons(t, r.HTML(m)); len(b) != 0 {
			t.Errorf("message of user %q has tools %v", m.User.ID, b)
		}
	}
	if b := buttons(t, New(Options{}).HTML(m)); len(b) != 0 {
		t.Errorf("a viewer without rights gets tools %v", b)
	}
}

// The confirmation offers exactly confirm and cancel of the action asked.
func TestConfirmAndBusy(t *testing.T) {
	r := New(Options{Tools: moderator})
	for _, a := range []glimesh.Action{glimesh.DeleteMessage, glimesh.ShortTimeout, glimesh.LongTimeout, glimesh.Ban} {
		got := buttons(t, r.Confirm(a, "bob"))
		if len(got) != 2 {
			t.Fatalf("%s: buttons %v", a, got)
		}
		for i, kind := range []string{moderation.Confirm, moderation.Cancel} {
			if k, act := moderation.ParseClick(got[i][0], got[i][1]); k != kind || act != a {
				t.Errorf("%s: button %d reads as %s %s, want %s %s", a, i, k, act, kind, a)
			}
		}
		if b := buttons(t, r.Busy(a)); len(b) != 0 || !strings.Contains(r.Busy(a), "…") {
			t.Errorf("busy %s = %s", a, r.Busy(a))
		}
	}
}

// A hostile name stays text inside the tools' attributes and question.
func TestToolsEscapeNames(t *testing.T) {
	r := New(Options{Tools: moderator})
	const evil = `"><img src=x onerror=alert(1)>` + "\u202e"
	m := msg("hi")
	m.User.Username = evil
	buttons(t, r.HTML(m)) // fails on any attribute or element out of place
	parse(t, r.HTML(m))
	c := r.Confirm(glimesh.Ban, evil)
	buttons(t, c)
	if strings.Contains(c, "<img") || strings.Contains(c, "\u202e") {
		t.Errorf("the question carries markup or a bidi override: %s", c)
	}
}

// With several channels, a moderator gets tools on the lines of the
// channels they moderate only, each with that channel's rights; the same
// channel name on another instance is another channel.
func TestToolsPerChannel(t *testing.T) {
	r := New(Options{SourceTags: true})
	r.Grant("demo", "", moderator)
	helper := glimesh.Rights{UserID: "3", Delete: true}
	r.Grant("cohost", "https://other.example", helper)
	at := func(channel, instance string) []glimesh.Action {
		m := msg("hi")
		m.Channel, m.Instance = channel, instance
		var out []glimesh.Action
		for _, b := range buttons(t, r.HTML(m)) {
			_, a := moderation.ParseClick(b[0], b[1])
			out = append(out, a)
		}
		return out
	}
	for _, c := range []struct {
		channel, instance string
		want              []glimesh.Action
	}{
		{"demo", "", []glimesh.Action{glimesh.DeleteMessage, glimesh.ShortTimeout, glimesh.Ban}},
		{"cohost", "https://other.example", []glimesh.Action{glimesh.DeleteMessage}},
		{"cohost", "", nil},
		{"demo", "https://other.example", nil},
		{"quiet", "", nil},
	} {
		if got := at(c.channel, c.instance); !slices.Equal(got, c.want) {
			t.Errorf("a line of %s@%q has tools %v, want %v", c.channel, c.instance, got, c.want)
		}
	}
	if got := r.Tools("cohost", "https://other.example", "bob"); buttons(t, got)[0][0] != string(glimesh.DeleteMessage) || len(buttons(t, got)) != 1 {
		t.Errorf("Tools in cohost = %s, want the delete button alone", got)
	}
	if r.Tools("quiet", "", "bob") != "" {
		t.Error("tools in a channel without rights")
	}
}
