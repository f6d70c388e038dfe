package render

import (
	"strings"
	"testing"

	"github.com/glimchat/glimchat/wasm/glimesh"
)

// Every line says where it was read; with several channels, a tag names
// the channel; a relative emote resolves against the message's own
// instance; tools only act in the page's first channel.
func TestSourceOfALine(t *testing.T) {
	r := New(Options{Instance: instanceURL, SourceTags: true, ToolsChannel: "alice", Tools: glimesh.Rights{UserID: "1", Ban: true}})
	m := msg("hi :e:", tok("emote", ":e:", "", "/emotes/e.svg"))
	m.Channel, m.Instance = `bob"><x`, "https://other.example"
	out := r.HTML(m)
	p := parse(t, out)
	if p.li["data-channel"] != `bob"><x` || p.li["data-instance"] != "https://other.example" {
		t.Errorf("li = %v", p.li)
	}
	if !strings.Contains(out, `<span class="glimchat-source">bob&#34;&gt;&lt;x</span>`) {
		t.Errorf("no escaped source tag: %s", out)
	}
	if len(p.imgs) != 1 || p.imgs[0]["src"] != "https://other.example/emotes/e.svg" {
		t.Errorf("emote = %v, want it on the other instance", p.imgs)
	}
	if strings.Contains(out, "glimchat-tools") {
		t.Error("tools on another instance's message")
	}
	m.Channel, m.Instance = "alice", ""
	if out := r.HTML(m); !strings.Contains(out, "glimchat-tools") || !strings.Contains(out, "https://glimesh.example/emotes/e.svg") {
		t.Errorf("the first channel's line: %s", out)
	}
	m.Channel = "carol"
	if strings.Contains(r.HTML(m), "glimchat-tools") {
		t.Error("tools on another channel's message")
	}
	if strings.Contains(New(Options{}).HTML(m), "glimchat-source") {
		t.Error("a source tag without SourceTags")
	}
}
