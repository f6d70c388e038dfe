package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// hostile is one hostile message: a text posted to the demo, which its
// tokenizer turns into text, url and emote tokens, and optionally what the
// instance then changes in it.
type hostile struct {
	text string
	edit *msgEdit
}

// Payloads that try to set window.pwned or open a dialog, across every field
// and token type.
var hostileMessages = func() []hostile {
	var out []hostile
	text := func(ss ...string) {
		for _, s := range ss {
			out = append(out, hostile{text: s})
		}
	}
	// Through the demo's tokenizer: text, and the url and emote tokens it
	// cuts out of it.
	text(
		`<script>window.pwned=1</script>`,
		`<img src=x onerror="window.pwned=1">`,
		`<svg onload="alert(1)">`,
		`<svg><script>window.pwned=1</script></svg>`,
		`<svg><animate onbegin="window.pwned=1" attributeName="x" dur="1s"/></svg>`,
		`<svg><a href="javascript:window.pwned=1"><text x="20" y="20">click</text></a></svg>`,
		`<math><mtext><table><mglyph><style><img src=x onerror="window.pwned=1">`,
		`<math href="javascript:window.pwned=1">click</math>`,
		`<iframe srcdoc="<script>parent.pwned=1</script>"></iframe>`,
		`<iframe src="javascript:parent.pwned=1"></iframe>`,
		`<object data="javascript:window.pwned=1"></object>`,
		`<embed src="data:text/html,<script>parent.pwned=1</script>">`,
		`javascript:window.pwned=1`,
		`data:text/html;base64,PHNjcmlwdD5wYXJlbnQucHduZWQ9MTwvc2NyaXB0Pg==`,
		`vbscript:msgbox(1)`,
		`<a href="javascript:window.pwned=1">click</a>`,
		`"quoted" 'single' & ampersand &amp; </li></ol><b>`,
		`</span></bdi></li><li onmouseover="window.pwned=1">x`,
		`<details open ontoggle="window.pwned=1">`,
		`<base href="https://evil.test/"><meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
		`<form action="javascript:alert(1)"><button>go</button></form>`,
		`<noscript><p title="</noscript><img src=x onerror=window.pwned=1>">`,
		`{{constructor.constructor('window.pwned=1')()}} ${window.pwned=1}`,
		`<style>*{display:none}</style><div style="position:fixed;inset:0;background:red">cover</div>`,
		`see https://x.test/"onmouseover="window.pwned=1 now`,
		`https://x.test/?q=<script>window.pwned=1</script>`,
		`http://javascript:window.pwned=1@x.test/`,
		`:glimsmile:<img src=x onerror="window.pwned=1">:glimwow:`,
		`:glimsmile:" onerror="window.pwned=1`,
		"\u05e9\u05dc\u05d5\u05dd :glimsmile: https://x.test/a \u0645\u0631\u062d\u0628\u0627",
		"\u202Eevil RTL override\u202C done",
		"a\u202Ab\u202Bc\u202Cd\u202De\u2066f\u2067g\u2068h\u2069i",
		"visit https://x.test/\u202Egnp.exe now",
		"\u2067 https://x.test/safe \u2069 isolate around a URL",
		"zero\u200bwidth\u200cnon\u200djoiner\ufeffbom\u2060joiner",
		"Z"+strings.Repeat("\u0301", 200)+" combining flood",
		strings.Repeat("W", 255),
		"https://x.test/"+strings.Repeat("a", 240),
	)
	// What the instance itself says: names, avatars, emote srcs, link
	// targets, token types.
	edited := func(label string, e msgEdit) {
		out = append(out, hostile{text: "hostile instance: " + label, edit: &e})
	}
	for i, name := range []string{
		`<img src=x onerror="window.pwned=1">`,
		`"><svg onload=alert(1)>`,
		`</bdi><style>.glimchat-msg{display:none}</style>`,
		`x" style="position:fixed;inset:0;background:red`,
		`@import url(//evil.test/x.css); * { color: red }`,
		"\u202Eevil\u202C name",
		"\u2066admin\u2069 \u2067\u05d0",
		"\u200b\u200b",
		"N" + strings.Repeat("\u0301", 120),
		strings.Repeat("N", 256),
		strings.Repeat("L", 1000),
	} {
		edited(fmt.Sprintf("display name %d", i), msgEdit{displayname: name})
	}
	edited("blank display name, hostile username", msgEdit{displayname: "   ", username: `<b onmouseover=alert(1)>"x`})
	for i, src := range []string{
		"javascript:window.pwned=1",
		`data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg" onload="window.pwned=1"/>`,
		"vbscript:msgbox(1)",
		"//evil.test/a.png",
		" javascript:window.pwned=1",
		"java\tscript:window.pwned=1",
		`/\evil.test/a.png`,
		`/uploads/emotes/glimsmile.svg" onerror="window.pwned=1`,
	} {
		edited(fmt.Sprintf("avatar %d", i), msgEdit{avatar: src})
		edited(fmt.Sprintf("emote src %d", i), msgEdit{tokens: []apiToken{
			{Type: "text", Text: "emote "}, {Type: "emote", Text: ":glimsmile:", Src: src}}})
	}
	edited("emote alt", msgEdit{tokens: []apiToken{
		{Type: "emote", Text: `:x" onerror="window.pwned=1`, Src: "/uploads/emotes/glimsmile.svg"}}})
	for i, target := range []string{
		"javascript:window.pwned=1",
		"JaVaScRiPt:window.pwned=1",
		"data:text/html,<script>parent.pwned=1</script>",
		"vbscript:msgbox(1)",
		" https://x.test/",
		"https://u:p@evil.test/",
		"/relative",
	} {
		edited(fmt.Sprintf("link target %d", i), msgEdit{tokens: []apiToken{{Type: "url", Text: "https://x.test/", URL: target}}})
	}
	edited("reversed link text", msgEdit{tokens: []apiToken{
		{Type: "text", Text: "go to "}, {Type: "url", Text: "\u202Emoc.elgoog//:sptth", URL: "https://evil.test/"}, {Type: "text", Text: " ok"}}})
	edited("unknown token types", msgEdit{tokens: []apiToken{
		{Type: "script", Text: "<b>x</b>"}, {Type: "html", Text: `<img src=x onerror="window.pwned=1">`}}})
	return out
}()

// withoutBidi drops what the renderer drops: bidi embeddings, overrides and
// isolates.
func withoutBidi(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' {
			return -1
		}
		return r
	}, s)
}

// clipName is a name as the widget keeps it: at most 256 bytes, whole
// characters.
func clipName(s string) string {
	for len(s) > 256 {
		_, w := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-w]
	}
	return s
}

// want is what the page must show of a payload posted by poster: the
// name, the username and the body, with each image as its alt text.
func (h hostile) want(poster string) (name, username, body string) {
	name, username, body = poster, poster, h.text
	if e := h.edit; e != nil {
		if e.username != "" {
			username = e.username
		}
		switch {
		case strings.TrimSpace(e.displayname) != "":
			name = e.displayname
		case e.displayname != "":
			name = username
		}
		if e.tokens != nil {
			body = ""
			for _, tk := range e.tokens {
				body += tk.Text
			}
		}
	}
	return withoutBidi(clipName(name)), withoutBidi(username), withoutBidi(body)
}

// hostileShown is what the page shows of one message.
type hostileShown struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Username string   `json:"username"`
	Body     string   `json:"body"`
	Width    float64  `json:"width"`
	Height   float64  `json:"height"`
	Bidi     bool     `json:"bidi"`    // a bidi control anywhere in its markup
	BadURLs  []string `json:"badUrls"` // URL tokens not isolated left to right
}

const hostileShownJS = `(() => {
	const shown = el => [...el.childNodes].map(n =>
		n.nodeType === Node.TEXT_NODE ? n.data : n.nodeName === "IMG" ? n.alt : shown(n)).join("");
	return ` + logJS + `.map(li => {
		const r = li.getBoundingClientRect();
		return {
			id: li.dataset.messageId, username: li.dataset.username,
			name: shown(li.querySelector(".glimchat-name")), body: shown(li.querySelector(".glimchat-body")),
			width: r.width, height: r.height,
			bidi: /[\u202a-\u202e\u2066-\u2069]/.test(li.outerHTML),
			badUrls: [...li.querySelectorAll("a, .glimchat-url")]
				.filter(el => !(el.tagName === "A" || el.tagName === "BDI") || el.dir !== "ltr").map(el => el.outerHTML),
		};
	});
})()`

// unexpectedJS lists the elements and attributes in the log that a
// renderer of inert markup never makes, and every src or href that is not
// http(s) on an origin the test allows. Elements and attributes are an
// allow-list (wasm/render's allowed, widened to every data-* and aria-*
// attribute, which the page's own hooks add and which run nothing).
const unexpectedJS = `((origins) => {
	const tags = ["LI", "SPAN", "BDI", "IMG", "A", "BUTTON", "TIME"];
	const attrs = ["class", "title", "dir", "role", "alt", "src", "href", "rel", "target", "type", "datetime"];
	const out = [];
	for (const el of document.querySelectorAll("#glimchat-log *")) {
		if (!tags.includes(el.tagName)) { out.push("element " + el.outerHTML.slice(0, 120)); continue; }
		for (const a of el.attributes) {
			if (!attrs.includes(a.name) && !/^(data|aria)-[a-z-]+$/.test(a.name)) out.push("attribute " + a.name + " on " + el.outerHTML.slice(0, 120));
		}
		if (el.tagName === "A" && !/^https?:$/.test(new URL(el.href).protocol)) out.push("link " + el.href);
		if (el.tagName === "IMG" && !origins.includes(new URL(el.src).origin)) out.push("image " + el.src);
	}
	return out;
})`

// Hostile messages, from history and live, cross-origin against a hostile
// instance, in both pages: nothing runs (no dialog, no window.pwned, no CSP
// violation), every message shows its text as written, minus the bidi
// controls the renderer drops, in a box of its own, only the renderer's
// elements exist, images stay on the instance, URL tokens are isolated
// left to right, and nothing overflows the log.
func TestHostileMessagesRenderInert(t *testing.T) {
	t.Parallel()
	if n := len(hostileMessages); n < 50 {
		t.Fatalf("%d payloads, want at least 50", n)
	}
	texts := map[string]bool{}
	for _, h := range hostileMessages {
		if texts[h.text] {
			t.Fatalf("payload text %q is not unique: edits are matched by text", h.text)
		}
		texts[h.text] = true
	}
	for _, pageName := range []string{"overlay.html", "embed.html"} {
		t.Run(strings.TrimSuffix(pageName, ".html"), func(t *testing.T) {
			srv, inst := startHostile(t)
			posted := map[string]hostile{} // by id
			poster := map[string]string{}
			postAll := func(user string) (last string) {
				for _, h := range hostileMessages {
					if h.edit != nil {
						inst.edit(h.text, *h.edit)
					}
					last = post(t, inst.Demo.Inst, user, h.text)
					posted[last], poster[last] = h, user
				}
				return last
			}
			postAll("Noor")
			n := len(hostileMessages)
			p := NewPage(t)
			ran := watchExecution(p)
			p.Navigate(srv.Page(pageName, fmt.Sprintf("instance=%s&channel=demo&%s&avatars=1&history=%d&limit=%d",
				url.QueryEscape(inst.URL), readOnly, n, 2*n)))
			waitCount(p, n)
			waitState(p, "live")
			waitShown(p, postAll("ViewerVic"))

			byID := map[string]hostileShown{}
			for _, m := range Eval[[]hostileShown](p, hostileShownJS) {
				byID[m.ID] = m
			}
			for id, h := range posted {
				m, ok := byID[id]
				name, username, body := h.want(poster[id])
				switch {
				case !ok:
					t.Errorf("message %s (%.60q) is not shown", id, h.text)
					continue
				case m.Body != body:
					t.Errorf("message %s: body %q, want %q", id, m.Body, body)
				case m.Name != name || m.Username != username:
					t.Errorf("message %s (%.60q): name %q, username %q; want %q, %q", id, h.text, m.Name, m.Username, name, username)
				case m.Width <= 0 || m.Height <= 0:
					t.Errorf("message %s (%.60q) has an empty box %vx%v", id, h.text, m.Width, m.Height)
				case m.Bidi:
					t.Errorf("message %s (%.60q) keeps a bidi control in its markup", id, h.text)
				case len(m.BadURLs) > 0:
					t.Errorf("message %s: URL tokens not isolated left to right: %q", id, m.BadURLs)
				}
			}
			if bad := Eval[[]string](p, unexpectedJS+"("+jsArray([]string{inst.URL, inst.Demo.URL})+")"); len(bad) > 0 {
				t.Errorf("in the log: %q", bad)
			}
			if overflow := Eval[float64](p, `(() => {
				const log = document.getElementById("glimchat-log");
				return Math.max(...[...log.children].map(li => li.scrollWidth - li.clientWidth), log.scrollWidth - log.clientWidth);
			})()`); overflow > 1 {
				t.Errorf("a message overflows the log by %vpx", overflow)
			}
			ran.assertNothing(t)
			// Hostile image URLs that stay on the instance may 404.
			p.AssertNoPageProblems()
		})
	}
}

// execWatch records what would show that a payload ran: JavaScript
// dialogs, window.pwned, and CSP violations (which an init script, outside
// the page's CSP, keeps in window.__violations).
type execWatch struct {
	p       *Page
	dialogs chan string
}

// watchExecution starts recording; call it before the page navigates.
func watchExecution(p *Page) *execWatch {
	p.t.Helper()
	w := &execWatch{p: p, dialogs: make(chan string, 16)}
	dialogs := chromedp.Events(p.Ctx, page.JavascriptDialogOpening) // subscribes now
	go func() {
		for d, err := range dialogs {
			if err != nil {
				return // the tab closed
			}
			select {
			case w.dialogs <- string(d.Type) + ": " + d.Message:
			default:
			}
			// Dismiss it, or the page stays blocked.
			_, _ = chromedp.Call(p.Ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{})
		}
	}()
	if _, err := chromedp.Call(p.Ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__violations = [];
document.addEventListener("securitypolicyviolation", e => window.__violations.push(e.effectiveDirective + " " + (e.blockedURI || "inline")));`,
	}); err != nil {
		p.t.Fatalf("install the violation recorder: %v", err)
	}
	return w
}

// violations returns the CSP violations so far.
func (w *execWatch) violations() []string {
	return Eval[[]string](w.p, `window.__violations`)
}

// assertNothing fails the test if a payload ran or the CSP had to stop
// one, after giving a late onerror or ontoggle time to fire.
func (w *execWatch) assertNothing(t *testing.T) {
	t.Helper()
	Eval[chromedp.Void](w.p, `new Promise(r => setTimeout(r, 300))`)
	if pwned := Eval[string](w.p, `typeof window.pwned`); pwned != "undefined" {
		t.Errorf("window.pwned is %s: a payload ran", pwned)
	}
	if v := w.violations(); len(v) > 0 {
		t.Errorf("CSP violations: %q", v)
	}
	for {
		select {
		case d := <-w.dialogs:
			t.Errorf("a dialog opened: %s", d)
		default:
			return
		}
	}
}
