package e2e

// The loader (web/embed.js) on somebody else's site: a host page on another
// loopback origin, under a strict CSP of its own that allows only the
// widget's origin, gets a frame of embed.html with the options of its
// element, and the chat in the frame goes live.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/glimchat/glimchat/server/demo"
)

// hostPage is a personal site with two chats: one of a fixed height, and
// one that fills its element. The tokens must never reach a URL.
const hostPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>My site</title></head>
<body>
<h1>My stream</h1>
<div id="fixed" data-glimchat data-channel="demo" data-client-id="%[2]s" data-instance="%[1]s"
     data-theme="dark" data-bot-names="a,b" data-height="420" data-title="Demo chat"
     data-token="secret-one" data-access-token="secret-two"></div>
<div id="fill" data-glimchat data-channel="demo" data-client-id="%[2]s"></div>
<script src="%[1]s/embed.js" async></script>
</body></html>
`

func TestEmbedJS(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{Demo: demo.Options{ChatRate: 0}})
	host := listen(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// What the README tells a site to allow: the script and the frame
		// from the widget's origin, nothing inline.
		w.Header().Set("Content-Security-Policy",
			"default-src 'none'; script-src "+srv.URL+"; frame-src "+srv.URL+"; base-uri 'none'")
		fmt.Fprintf(w, hostPage, srv.URL, demo.ClientID)
	}), "host", &syncBuffer{})
	if host == srv.URL {
		t.Fatal("the host page shares the widget's origin")
	}

	p := NewPage(t)
	p.Navigate(host + "/")
	const fixed = `document.querySelector("#fixed > iframe")`
	src := WaitFor[string](p, "the loader's frame", fixed+`?.src`)
	u, err := url.Parse(src)
	if err != nil {
		t.Fatalf("frame src %q: %v", src, err)
	}
	if got := u.Scheme + "://" + u.Host + u.Path; got != srv.URL+"/embed.html" {
		t.Errorf("frame src %q, want the embed page %s/embed.html", src, srv.URL)
	}
	want := url.Values{
		"channel": {"demo"}, "client_id": {demo.ClientID}, "instance": {srv.URL},
		"theme": {"dark"}, "bot_names": {"a,b"},
	}
	if got := u.Query(); got.Encode() != want.Encode() {
		t.Errorf("frame query %q, want %q (tokens, height and title left out)", got.Encode(), want.Encode())
	}
	if strings.Contains(src, "secret") {
		t.Errorf("frame src %q carries a token", src)
	}
	type frameAttrs struct {
		Title, Loading, Referrer, Height string
		Width, ParentWidth               float64
	}
	a := Eval[frameAttrs](p, `(() => { const f = `+fixed+`; return {Title: f.title, Loading: f.getAttribute("loading"),
		Referrer: f.getAttribute("referrerpolicy"), Height: f.style.height,
		Width: f.getBoundingClientRect().width, ParentWidth: f.parentElement.clientWidth}; })()`)
	if a.Title != "Demo chat" || a.Loading != "lazy" || a.Referrer != "no-referrer" || a.Height != "420px" {
		t.Errorf("frame attributes %+v, want title Demo chat, lazy, no-referrer, 420px", a)
	}
	if a.Width != a.ParentWidth || a.Width == 0 {
		t.Errorf("frame width %v, want its element's %v", a.Width, a.ParentWidth)
	}
	if sandbox := Eval[bool](p, fixed+`.hasAttribute("sandbox")`); sandbox {
		t.Error("the frame is sandboxed: sign-in needs popups and the widget's own origin")
	}

	// The chat inside goes live and shows the demo channel's history.
	waitFrame(p, srv.URL+"/embed.html", "the embedded chat live",
		`document.getElementById("glimchat")?.dataset.state === "live" && document.getElementById("glimchat").dataset.mode === "embed"`)
	waitFrame(p, srv.URL+"/embed.html", "messages in the embedded chat",
		`document.querySelectorAll("#glimchat-log > li").length > 0`)

	// Without data-height the frame fills its element and follows it.
	const fill = `document.querySelector("#fill > iframe")`
	WaitFor[bool](p, "the second frame at 600px", fill+`?.style.height === "600px"`)
	Eval[any](p, `document.getElementById("fill").style.height = "321px"`)
	WaitFor[bool](p, "the frame sized to its element", fill+`.style.height === "321px" && `+fill+`.getBoundingClientRect().height === 321`)
	Eval[any](p, `document.getElementById("fill").style.height = "250px"`)
	WaitFor[bool](p, "the frame following its element", fill+`.style.height === "250px"`)
	if n := Eval[int](p, `document.querySelectorAll("#fill > iframe").length`); n != 1 {
		t.Errorf("%d frames in the second element", n)
	}

	// Scanning again adds no frame.
	Eval[any](p, `window.glimchatEmbed()`)
	if n := Eval[int](p, `document.querySelectorAll("[data-glimchat] > iframe").length`); n != 2 {
		t.Errorf("%d frames after a second scan, want 2", n)
	}
	p.AssertNoProblems()
}

// waitFrame polls expr in the child frame whose URL starts with prefix until
// it is true. The frame is cross-origin to the page, so expr runs through
// CDP in an isolated world of that frame (same DOM, none of its scripts).
func waitFrame(p *Page, prefix, what, expr string) {
	p.t.Helper()
	deadline := time.Now().Add(Timeout)
	var last string
	for time.Now().Before(deadline) {
		ok, err := evalInFrame(p, prefix, expr)
		if err == nil && ok {
			return
		}
		if err != nil {
			last = err.Error()
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.t.Fatalf("wait for %s: timed out (%s)\nconsole:\n%s", what, last, p.consoleText())
}

func evalInFrame(p *Page, prefix, expr string) (bool, error) {
	tree, err := chromedp.Call(p.Ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		return false, err
	}
	var id cdp.FrameID
	var walk func(ft *page.FrameTree)
	walk = func(ft *page.FrameTree) {
		if ft == nil || id != "" {
			return
		}
		if ft.Frame != nil && ft.Frame.ParentID != "" && strings.HasPrefix(ft.Frame.URL, prefix) {
			id = ft.Frame.ID
		}
		for _, c := range ft.ChildFrames {
			walk(c)
		}
	}
	walk(tree.FrameTree)
	if id == "" {
		return false, fmt.Errorf("no frame at %s yet", prefix)
	}
	world, err := chromedp.Call(p.Ctx, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: id, WorldName: "e2e"})
	if err != nil {
		return false, err
	}
	byValue := true
	res, err := chromedp.Call(p.Ctx, runtime.Evaluate, runtime.EvaluateParams{
		Expression: "!!(" + expr + ")", ContextID: world.ExecutionContextID, ReturnByValue: &byValue})
	if err != nil {
		return false, err
	}
	if res.ExceptionDetails != nil {
		return false, fmt.Errorf("%s", res.ExceptionDetails.Text)
	}
	var ok bool
	if res.Result == nil || json.Unmarshal(res.Result.Value, &ok) != nil {
		return false, fmt.Errorf("no boolean from %s", expr)
	}
	return ok, nil
}
