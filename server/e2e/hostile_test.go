package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Hostile messages render as inert text, from history and live, in both
// pages: the payload is in the text literally, no element it describes
// exists, and nothing it would run ran.
func TestHostileMessages(t *testing.T) {
	t.Parallel()
	payloads := []string{
		`<script>window.__pwned=1</script>`,
		`<img src=x onerror="window.__pwned=1">`,
		`javascript:window.__pwned=1`,
		`<a href="javascript:window.__pwned=1">click</a>`,
		`"quoted" 'single' & ampersand &amp; </li></ol><b>`,
		strings.Repeat("W", 255),
		"\u202Eevil RTL override\u202C done",
	}
	query := fmt.Sprintf("channel=demo&%s&history=%d", readOnly, len(payloads))
	for _, pageName := range []string{"overlay.html", "embed.html"} {
		t.Run(strings.TrimSuffix(pageName, ".html"), func(t *testing.T) {
			srv := StartServe(t, ServeOptions{})
			history := map[string]string{}
			for _, pl := range payloads {
				history[post(t, srv.Demo, "Noor", pl)] = pl
			}
			p := openPage(t, srv, pageName, query)
			waitCount(p, len(payloads))
			waitState(p, "live")
			live := map[string]string{}
			var lastID string
			for _, pl := range payloads {
				lastID = post(t, srv.Demo, "ViewerVic", pl)
				live[lastID] = pl
			}
			waitShown(p, lastID)
			byID := map[string]shown{}
			for _, m := range shownMessages(p) {
				byID[m.ID] = m
			}
			for _, set := range []map[string]string{history, live} {
				for id, pl := range set {
					m, ok := byID[id]
					switch {
					case !ok:
						t.Errorf("message %s (%q) is not shown", id, pl)
					case m.Body != pl:
						t.Errorf("message %s: body text %q, want the payload %q literally", id, m.Body, pl)
					}
				}
			}
			// Only the renderer's own elements exist in the log.
			strange := Eval[[]string](p, `[...document.querySelectorAll("#glimchat-log *")].filter(el => {
				const ok = {LI: "glimchat-msg", SPAN: "", BDI: "glimchat-name", IMG: "glimchat-emote", A: "glimchat-link"};
				if (!(el.tagName in ok)) return true;
				if (ok[el.tagName] && !el.classList.contains(ok[el.tagName])) return true;
				if ([...el.attributes].some(a => a.name.startsWith("on"))) return true;
				return el.tagName === "A" && !/^https?:/.test(el.href);
			}).map(el => el.outerHTML.slice(0, 120))`)
			if len(strange) != 0 {
				t.Errorf("unexpected elements in the log: %q", strange)
			}
			// The 255-character word wraps instead of widening the chat.
			if overflow := Eval[float64](p, `(() => {
				const log = document.getElementById("glimchat-log");
				return Math.max(...[...log.children].map(li => li.scrollWidth - li.clientWidth), log.scrollWidth - log.clientWidth);
			})()`); overflow > 1 {
				t.Errorf("a message overflows the log by %vpx", overflow)
			}
			// Give a would-be onerror a chance to fire.
			Eval[chromedp.Void](p, `new Promise(r => setTimeout(r, 200))`)
			if pwned := Eval[string](p, `typeof window.__pwned`); pwned != "undefined" {
				t.Errorf("window.__pwned is %s: a payload ran", pwned)
			}
			p.AssertNoProblems()
		})
	}
}
