package render

import (
	"strings"
	"testing"
	"time"

	"github.com/glimchat/glimchat/wasm/colour"
	"github.com/glimchat/glimchat/wasm/glimesh"
)

// TestOverlayHooks: the data attributes and elements the overlay options
// style (README, Style hooks) appear exactly when they should.
func TestOverlayHooks(t *testing.T) {
	emote := tok("emote", ":glimsmile:", "", "/emotes/svg/glimsmile.svg")
	hl := func(m glimesh.Message) bool { return strings.Contains(m.Text, "gg") }
	for _, tc := range []struct {
		name   string
		opt    Options
		m      glimesh.Message
		want   []string
		absent []string
	}{
		{"colour from the user id", Options{}, msg("hi"), []string{`data-color="` + string(rune('0'+colour.Index("7")%10))}, []string{"data-highlight", "data-emote-only", "<time"}},
		{"highlight", Options{Highlight: hl}, msg("gg wp"), []string{`data-highlight=""`}, nil},
		{"no highlight", Options{Highlight: hl}, msg("hello"), nil, []string{"data-highlight"}},
		{"emote only", Options{Instance: instanceURL}, msg(":glimsmile: :glimsmile:", emote, tok("text", " ", "", ""), emote), []string{`data-emote-only=""`}, nil},
		{"emote and text", Options{Instance: instanceURL}, msg("hi :glimsmile:", tok("text", "hi ", "", ""), emote), nil, []string{"data-emote-only"}},
		{"plain text is not emote only", Options{}, msg("hi"), nil, []string{"data-emote-only"}},
		{"timestamps", Options{Timestamps: true}, func() glimesh.Message { m := msg("hi"); m.InsertedAt = "2026-01-02T03:04:05"; return m }(),
			[]string{`<time class="glimchat-time" datetime="2026-01-02T03:04:05Z">` + time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Local().Format("15:04") + `</time>`}, nil},
		{"bad time left out", Options{Timestamps: true}, func() glimesh.Message { m := msg("hi"); m.InsertedAt = `"><script>`; return m }(), nil, []string{"<time", "<script"}},
	} {
		out := New(tc.opt).HTML(tc.m)
		parse(t, out)
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: no %q in %s", tc.name, w, out)
			}
		}
		for _, a := range tc.absent {
			if strings.Contains(out, a) {
				t.Errorf("%s: %q in %s", tc.name, a, out)
			}
		}
	}
}
