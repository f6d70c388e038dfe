package e2e

import (
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/glimchat/glimchat/server/demo"
	"github.com/glimchat/glimchat/wasm/colour"
)

// The overlay's options (README, URL parameters) against a demo instance on
// another origin: each one visibly changes the DOM or the computed style as
// documented, the filters act on history and on live messages, fade leaves
// on time (also after the page was hidden), and names stay readable.

// rootJS and firstJS are the root and the first message of the log.
const (
	rootJS  = `document.getElementById("glimchat")`
	firstJS = `document.querySelector("#glimchat-log > li")`
)

func computed(el, prop string) string {
	return fmt.Sprintf(`getComputedStyle(%s).getPropertyValue(%q).trim()`, el, prop)
}

func TestOverlayOptions(t *testing.T) {
	srv, d := startCrossOrigin(t, demo.Options{ChatRate: 0})
	post(t, d.Inst, "Noor", "an emote only message follows")
	post(t, d.Inst, "Zofia", ":glimsmile: :glimwow:")
	for _, tc := range []struct {
		query string
		check string // true when the option acts
	}{
		{"theme=dark", rootJS + `.dataset.theme === "dark" && ` + computed(firstJS, "background-color") + ` !== "rgba(0, 0, 0, 0)"`},
		{"theme=light", computed(firstJS+`.querySelector(".glimchat-body")`, "color") + ` === "rgb(21, 23, 28)"`},
		{"theme=bubbles", computed(firstJS, "align-self") + ` === "flex-start"`},
		{"size=3", computed(rootJS, "font-size") + ` === "24px"`},
		{"font_size=30", computed(rootJS, "font-size") + ` === "30px"`},
		{"fontSize=31", computed(rootJS, "font-size") + ` === "31px"`},
		{"font=6", `/^"?Impact"?,/.test(` + computed(rootJS, "font-family") + `)`},
		{"fontCustom=Comic%20Sans%20MS", computed(rootJS, "font-family") + `.startsWith('"Comic Sans MS"')`},
		{"stroke=2", computed(firstJS, "-webkit-text-stroke-width") + ` === "3px"`},
		{"shadow=3", computed(firstJS, "text-shadow") + `.split("px").length > 8`},
		{"small_caps", computed(firstJS, "font-variant-caps") + ` === "small-caps"`},
		{"animate", computed(firstJS, "animation-name") + ` === "glimchat-enter"`},
		{"hide_badges", `[...document.querySelectorAll(".glimchat-badge")].every(b => getComputedStyle(b).display === "none") && document.querySelector(".glimchat-badge") !== null`},
		{"emote_scale=2", `(() => { const i = document.querySelector("img.glimchat-emote"); return i && i.getBoundingClientRect().height > 45; })()`},
		{"big_emotes", `(() => { const i = document.querySelector("li[data-emote-only] img.glimchat-emote"); return i && i.getBoundingClientRect().height > 45; })()`},
		{"timestamps", `document.querySelectorAll("#glimchat-log time.glimchat-time").length > 0`},
		{"avatars", `document.querySelectorAll("#glimchat-log img.glimchat-avatar").length > 0`},
		{"direction=top", `(() => { const l = document.querySelectorAll("#glimchat-log > li"); return l[l.length-1].getBoundingClientRect().top < l[0].getBoundingClientRect().top; })()`},
		{"align=right", computed("document.getElementById('glimchat-log')", "text-align") + ` === "right"`},
		{"background=%2300000080", computed(firstJS, "background-color") + ` === "rgba(0, 0, 0, 0.5)"`},
		{"history=3", `document.querySelectorAll("#glimchat-log > li").length === 3`},
		{"max=2", `document.querySelectorAll("#glimchat-log > li").length === 2`},
		{"highlight=emote", `document.querySelectorAll("#glimchat-log > li[data-highlight]").length >= 1`},
		{"nonsense=1&history=abc", `document.getElementById("glimchat-status").textContent === "" && document.querySelectorAll("#glimchat-log > li").length > 0`},
	} {
		t.Run(tc.query, func(t *testing.T) {
			p := openPage(t, srv, "overlay.html", crossQuery(d, tc.query))
			waitState(p, "live")
			WaitFor[bool](p, tc.query+" acts", tc.check)
		})
	}
}

// TestOverlayFilters: hide_commands, bots, block and highlight act on the
// history and on live messages alike.
func TestOverlayFilters(t *testing.T) {
	srv, d := startCrossOrigin(t, demo.Options{ChatRate: 0})
	inst := d.Inst
	old := map[string]string{
		"cmd": post(t, inst, "Noor", "!uptime old"), "bot": post(t, inst, "ViewerVic", "old bot line"),
		"blocked": post(t, inst, "kenji_k", "old blocked line"), "hl": post(t, inst, "Zofia", "old gg line"),
		"plain": post(t, inst, "Noor", "old plain line"),
	}
	p := openPage(t, srv, "overlay.html", crossQuery(d, "history=20&hide_commands&bot_names=ViewerVic&block=KENJI_K&highlight=gg"))
	waitState(p, "live")
	waitShown(p, old["plain"], old["hl"])
	live := map[string]string{
		"cmd": post(t, inst, "Noor", "!dice live"), "bot": post(t, inst, "ViewerVic", "live bot line"),
		"blocked": post(t, inst, "kenji_k", "live blocked line"), "hl": post(t, inst, "Zofia", "live GG line"),
		"mention": post(t, inst, "Noor", "hi @demo"), "plain": post(t, inst, "Noor", "live plain line"),
	}
	waitShown(p, live["plain"], live["hl"], live["mention"])
	ids := logIDs(p)
	for _, set := range []map[string]string{old, live} {
		for kind, id := range set {
			shown := strings.Contains(","+strings.Join(ids, ",")+",", ","+id+",")
			if want := kind == "plain" || kind == "hl" || kind == "mention"; shown != want {
				t.Errorf("%s message %s shown=%v, want %v", kind, id, shown, want)
			}
		}
	}
	for _, id := range []string{old["hl"], live["hl"], live["mention"]} {
		if !Eval[bool](p, fmt.Sprintf(`document.querySelector('li[data-message-id="%s"]').hasAttribute("data-highlight")`, id)) {
			t.Errorf("message %s is not highlighted", id)
		}
	}
	if Eval[bool](p, fmt.Sprintf(`document.querySelector('li[data-message-id="%s"]').hasAttribute("data-highlight")`, live["plain"])) {
		t.Error("a plain message is highlighted")
	}

	// bots=1 (and KapChat's bot_activity) shows the bot again.
	for _, q := range []string{"bots=1", "bot_activity=true"} {
		p := openPage(t, srv, "overlay.html", crossQuery(d, "history=30&bot_names=ViewerVic&"+q))
		waitShown(p, old["bot"], live["bot"])
	}
}

// TestOverlayFade: fade takes each message off on time, and a page that was
// hidden (no frames, throttled timers) catches up when shown.
func TestOverlayFade(t *testing.T) {
	srv, d := startCrossOrigin(t, demo.Options{ChatRate: 0})
	p := NewPage(t)
	// Lets the test hide and show the page as OBS or a background tab does.
	if _, err := chromedp.Call(p.Ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
window.__hidden = false;
Object.defineProperty(document, "visibilityState", {get: () => window.__hidden ? "hidden" : "visible"});
Object.defineProperty(document, "hidden", {get: () => window.__hidden});
window.__setHidden = h => { window.__hidden = h; document.dispatchEvent(new Event("visibilitychange")); };`}); err != nil {
		t.Fatal(err)
	}
	p.Navigate(srv.Page("overlay.html", crossQuery(d, "history=0&fade=2")))
	waitState(p, "live")
	start := time.Now()
	id := post(t, d.Inst, "Noor", "fading away")
	waitShown(p, id)
	WaitFor[bool](p, "the message faded", logJS+`.length === 0`)
	if el := time.Since(start); el < 1500*time.Millisecond || el > 4*time.Second {
		t.Errorf("the message left after %v, want about 2 s", el)
	}

	// Hidden: a message arrives, its time runs out; shown again, it is gone
	// at once rather than after a throttled timer.
	Eval[any](p, `window.__setHidden(true)`)
	id = post(t, d.Inst, "Noor", "while hidden")
	time.Sleep(2500 * time.Millisecond)
	Eval[any](p, `window.__setHidden(false)`)
	WaitFor[bool](p, "no faded message after showing", fmt.Sprintf(`!%s.some(li => li.dataset.messageId === %q)`, logJS, id))
}

// TestOverlayLimitBurst: limit holds while 1,000 messages arrive at once.
func TestOverlayLimitBurst(t *testing.T) {
	srv, d := startCrossOrigin(t, demo.Options{ChatRate: 0})
	p := openPage(t, srv, "overlay.html", crossQuery(d, "history=0&limit=20"))
	waitState(p, "live")
	Eval[any](p, `window.__most = 0; new MutationObserver(() => {
		window.__most = Math.max(window.__most, document.querySelectorAll("#glimchat-log > li").length);
	}).observe(document.getElementById("glimchat-log"), {childList: true});`)
	var last string
	for i := range 1000 {
		last = post(t, d.Inst, "Noor", fmt.Sprintf("burst %d", i))
	}
	waitShown(p, last)
	waitCount(p, 20)
	if most := Eval[int](p, `window.__most`); most > 20 {
		t.Errorf("the log held %d messages, limit is 20", most)
	}
}

// TestNameContrast: in every theme each name colour meets WCAG AA against
// the theme's backdrop, and the screenshots over a dark and a bright
// background are saved in server/e2e/artifacts.
func TestNameContrast(t *testing.T) {
	srv, d := startCrossOrigin(t, demo.Options{ChatRate: 0})
	dir := filepath.Join("artifacts", "themes")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, theme := range []string{"clear", "dark", "light", "bubbles"} {
		p := openPage(t, srv, "overlay.html", crossQuery(d, "history=30&theme="+theme))
		waitState(p, "live")
		waitCount(p, 30)
		type pair struct{ Name, Bg string }
		got := Eval[[]pair](p, `[...document.querySelectorAll(".glimchat-name")].map(n => ({
			Name: getComputedStyle(n).color,
			Bg: getComputedStyle(document.getElementById("glimchat")).getPropertyValue("--glimchat-backdrop").trim()}))`)
		if len(got) == 0 {
			t.Fatalf("%s: no names", theme)
		}
		for _, g := range got {
			if c := contrast(t, g.Name, g.Bg); c < colour.AA {
				t.Errorf("theme %s: name colour %s on %s has contrast %.2f", theme, g.Name, g.Bg, c)
			}
		}
		for _, bg := range []string{"#101014", "#f4f4f0"} {
			Eval[any](p, fmt.Sprintf(`document.body.style.setProperty("background", %q)`, bg))
			shot, err := chromedp.Call(p.Ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng})
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			name := filepath.Join(dir, fmt.Sprintf("%s-on-%s.png", theme, strings.TrimPrefix(bg, "#")))
			if err := os.WriteFile(name, shot.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// contrast parses "rgb(r, g, b)" and "#rrggbb" and returns their contrast.
func contrast(t *testing.T, a, b string) float64 {
	parse := func(s string) colour.RGB {
		var r, g, bl int
		if _, err := fmt.Sscanf(s, "rgb(%d, %d, %d)", &r, &g, &bl); err != nil {
			if _, err := fmt.Sscanf(s, "#%02x%02x%02x", &r, &g, &bl); err != nil {
				t.Fatalf("colour %q: %v", s, err)
			}
		}
		return colour.RGB{R: uint8(r), G: uint8(g), B: uint8(bl)}
	}
	c := colour.Contrast(parse(a), parse(b))
	return math.Round(c*100) / 100
}

// TestGenerator: the form and the URL box stay in step, a pasted KapChat
// URL converts, and the preview runs the real overlay on live demo chat
// that reacts to a changed option and to the test message button.
func TestGenerator(t *testing.T) {
	srv := StartServe(t, ServeOptions{Demo: demo.Options{ChatRate: 0}})
	p := openPage(t, srv, "index.html", "")
	WaitFor[bool](p, "the demo note", `!document.getElementById("glimchat-demo-note").hidden`)
	const frameDoc = `document.getElementById("glimchat-preview").contentDocument`
	WaitFor[bool](p, "the preview live", frameDoc+`?.getElementById("glimchat")?.dataset.state === "live"`)
	if u := Eval[string](p, `document.getElementById("glimchat-url").value`); !strings.Contains(u, "channel=demo") || !strings.Contains(u, "client_id=glimchat-demo") {
		t.Errorf("URL box %q", u)
	}
	// The preview of the demo shows every stream event: a title change
	// shows there as a status line.
	if u := Eval[string](p, `document.getElementById("glimchat-url").value`); !strings.Contains(u, "events=follows%2Clive%2Ctitle") {
		t.Errorf("URL box %q: the demo's preview does not ask for every stream event", u)
	}
	if err := srv.Demo.SetTitle("demo", "a title for the preview"); err != nil {
		t.Fatal(err)
	}
	WaitFor[bool](p, "the preview's status line", `[...(`+frameDoc+`?.querySelectorAll("#glimchat-log > li[data-kind=status]") || [])].some(li => li.textContent.includes("a title for the preview"))`)

	// Form → URL and preview.
	Eval[any](p, `(() => { const f = document.getElementById("f-theme"); f.value = "light";
		f.dispatchEvent(new Event("input", {bubbles: true})); })()`)
	WaitFor[bool](p, "theme=light in the URL", `document.getElementById("glimchat-url").value.includes("theme=light")`)
	WaitFor[bool](p, "the preview in the light theme", frameDoc+`?.getElementById("glimchat")?.dataset.theme === "light"`)

	// The embed snippets follow the options.
	const iframeBox, loaderBox = `document.getElementById("glimchat-embed-iframe").value`, `document.getElementById("glimchat-embed-loader").value`
	WaitFor[bool](p, "theme=light in the iframe snippet", iframeBox+`.includes("theme=light")`)
	iframe, loader := Eval[string](p, iframeBox), Eval[string](p, loaderBox)
	for _, want := range []string{`<iframe src="` + srv.URL + `/embed.html?`, "channel=demo", "client_id=glimchat-demo", `title="Live chat"`} {
		if !strings.Contains(iframe, want) {
			t.Errorf("iframe snippet %q lacks %q", iframe, want)
		}
	}
	for _, want := range []string{`<div data-glimchat data-channel="demo"`, `data-client-id="glimchat-demo"`, `data-theme="light"`,
		`<script src="` + srv.URL + `/embed.js" async></script>`} {
		if !strings.Contains(loader, want) {
			t.Errorf("loader snippet %q lacks %q", loader, want)
		}
	}

	// The test message shows in the preview.
	Eval[any](p, `document.getElementById("glimchat-say-text").value = "from the generator button"; document.getElementById("glimchat-say").click()`)
	WaitFor[bool](p, "the test message in the preview", frameDoc+`?.getElementById("glimchat-log")?.textContent.includes("from the generator button")`)

	// URL → form, with a KapChat URL converted.
	Eval[any](p, `(() => { const u = document.getElementById("glimchat-url");
		u.value = "https://nightdev.com/hosted/obschat/?theme=bttv_dark&channel=demo&fade=false&bot_activity=true";
		u.dispatchEvent(new Event("change")); })()`)
	WaitFor[bool](p, "the form from the URL", `document.getElementById("f-theme").value === "dark" && document.getElementById("f-bots").checked`)
	if notes := Eval[string](p, `document.getElementById("glimchat-notes").textContent`); !strings.Contains(notes, "KapChat") || !strings.Contains(notes, "Twitch name") {
		t.Errorf("notes %q, want the conversion explained", notes)
	}
	// An unknown parameter is named in the generator.
	Eval[any](p, `(() => { const u = document.getElementById("glimchat-url");
		u.value = "channel=demo&colour=red"; u.dispatchEvent(new Event("change")); })()`)
	WaitFor[bool](p, "the unknown parameter named", `document.getElementById("glimchat-notes").textContent.includes("colour")`)
}

// On a static host (make dist, no demo instance behind it) the generator
// says plainly that it needs an instance, and does not pretend a demo
// answers.
func TestGeneratorOnStaticHost(t *testing.T) {
	t.Parallel()
	dist := filepath.Join(moduleRoot(t), "web", "dist")
	host := listen(t, http.FileServer(http.Dir(dist)), "static host", &syncBuffer{})
	p := NewPage(t)
	p.Navigate(host + "/index.html")
	WaitFor[bool](p, "the static-host note", `!document.getElementById("glimchat-static-note").hidden`)
	if shown := Eval[bool](p, `!document.getElementById("glimchat-demo-note").hidden`); shown {
		t.Error("the demo note shows on a static host")
	}
	if u := Eval[string](p, `document.getElementById("glimchat-url").value`); strings.Contains(u, "client_id=glimchat-demo") {
		t.Errorf("URL box %q offers the demo's client id on a static host", u)
	}
}

// recordPainted notes, before the page's scripts run, every message id in
// the log at the end of each animation frame callback: what that frame
// shows (requestAnimationFrame is wrapped, as bench/probe.js does it).
const recordPainted = `(() => {
  window.__painted = new Set();
  const raf = window.requestAnimationFrame.bind(window);
  const note = () => {
    for (const li of document.querySelectorAll("#glimchat-log > li")) window.__painted.add(li.dataset.messageId);
  };
  window.requestAnimationFrame = (cb) => raf((t) => { try { return cb(t); } finally { note(); } });
})();`

// TestBurstEveryMessagePainted: 400 messages arriving at once into
// limit=50 are each painted in some frame; none is pruned unseen.
func TestBurstEveryMessagePainted(t *testing.T) {
	srv, d := startCrossOrigin(t, demo.Options{ChatRate: 0})
	p := NewPage(t)
	if _, err := chromedp.Call(p.Ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: recordPainted}); err != nil {
		t.Fatal(err)
	}
	p.Navigate(srv.Page("overlay.html", crossQuery(d, "history=0&limit=50")))
	waitState(p, "live")
	ids := make([]string, 400)
	for i := range ids {
		ids[i] = post(t, d.Inst, "Noor", fmt.Sprintf("burst %d", i))
	}
	waitShown(p, ids[len(ids)-1])
	WaitFor[bool](p, "the last message painted", fmt.Sprintf(`window.__painted.has(%q)`, ids[len(ids)-1]))
	painted := Eval[[]string](p, `[...window.__painted]`)
	seen := make(map[string]bool, len(painted))
	for _, id := range painted {
		seen[id] = true
	}
	var missed []string
	for _, id := range ids {
		if !seen[id] {
			missed = append(missed, id)
		}
	}
	if len(missed) > 0 {
		t.Errorf("%d of %d messages were never painted (first %s)", len(missed), len(ids), missed[0])
	}
}
