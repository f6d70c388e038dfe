package render

import (
	"strings"
	"testing"

	"github.com/glimchat/glimchat/wasm/glimesh"
)

// A follow is an event line in the widget's words: the follower's name,
// no badges, no "name: text"; it keeps its id, so moderation finds it.
func TestFollowLine(t *testing.T) {
	m := glimesh.Message{ID: "42", Kind: glimesh.Follow, Text: " just followed the stream!", Roles: glimesh.RoleSubscriber,
		User: glimesh.User{ID: "7", Username: "eve", Displayname: `<img src=x onerror=alert(1)>`}}
	out := New(Options{Tools: glimesh.Rights{UserID: "1", Delete: true}}).HTML(m)
	p := parse(t, out)
	if p.li["data-kind"] != "follow" || p.li["data-message-id"] != "42" || p.li["class"] != "glimchat-msg glimchat-event" {
		t.Errorf("li = %v", p.li)
	}
	if want := `<img src=x onerror=alert(1)> followed the channel`; p.body != want {
		t.Errorf("body %q, want %q as text", p.body, want)
	}
	if len(p.badges) != 0 || p.name != "" || strings.Contains(out, "just followed") {
		t.Errorf("a follow line rendered as chat: %s", out)
	}
	if !strings.Contains(out, `data-mod="delete_message"`) {
		t.Errorf("a moderator has no tools on a follow line: %s", out)
	}
}

// A status line holds the title as text, and no id or author.
func TestStatusLine(t *testing.T) {
	r := New(Options{})
	for _, c := range []struct {
		change     glimesh.Change
		title, say string
	}{
		{glimesh.WentLive, `"><script>alert(1)</script>`, `Live now: "><script>alert(1)</script>`},
		{glimesh.WentLive, "", "Live now"},
		{glimesh.WentOffline, "ignored", "The stream has ended"},
		{glimesh.NewTitle, "Speedrun & chill", "New title: Speedrun & chill"},
	} {
		out := r.HTML(glimesh.Message{Kind: glimesh.Status, Stream: &glimesh.StreamChange{Change: c.change, Title: c.title, Seq: 1}})
		p := parse(t, out)
		if p.li["data-kind"] != "status" || p.li["data-change"] != string(c.change) || p.li["class"] != "glimchat-msg glimchat-event" {
			t.Errorf("li = %v", p.li)
		}
		if _, has := p.li["data-message-id"]; has {
			t.Errorf("a status line has a message id: %s", out)
		}
		if p.body != c.say {
			t.Errorf("body %q, want %q", p.body, c.say)
		}
	}
}
