package e2e

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/glimchat/glimchat/server/demo"
	"github.com/glimchat/glimchat/wasm/config"
)

// The embed page's sign-in (README, Chat on your own site): a popup to the
// instance's consent page, the callback page handing the code back by
// postMessage, the code exchanged for a token kept in memory.

const composerEnabled = `!document.querySelector("#glimchat-composer textarea").disabled`

// popup is the sign-in window a click on #glimchat-signin opened.
type popup struct {
	*Page
	URL *url.URL // where it was opened: the consent page
}

// openSignIn clicks Sign in on p and attaches to the popup it opens.
func openSignIn(t *testing.T, p *Page) *popup {
	t.Helper()
	WaitFor[bool](p, "the sign-in button", `!document.getElementById("glimchat-signin").hidden`)
	ch := chromedp.WaitNewTarget(p.Ctx, func(i *target.Info) bool { return strings.Contains(i.URL, "/oauth/authorize") })
	ctx, cancel := context.WithTimeout(p.Ctx, Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("glimchat-signin"))); err != nil {
		t.Fatalf("click sign in: %v", err)
	}
	var id target.ID
	select {
	case id = <-ch:
	case <-ctx.Done():
		t.Fatalf("no sign-in window opened (%s)", p.consentText())
	}
	pctx, pcancel := chromedp.NewContext(p.Ctx, chromedp.WithTargetID(id))
	t.Cleanup(pcancel)
	// Attach with the tab's own context: attaching with a deadline's would
	// detach when the deadline's context ends.
	if err := chromedp.Do(pctx); err != nil {
		t.Fatalf("attach to the sign-in window: %v", err)
	}
	pp := &Page{t: t, Ctx: pctx, seen: make(map[string]chan struct{})}
	href := WaitFor[string](pp, "the consent page", `document.querySelector("input[name=user]") ? location.href : ""`)
	u, err := url.Parse(href)
	if err != nil {
		t.Fatal(err)
	}
	return &popup{Page: pp, URL: u}
}

func (p *Page) consentText() string { return p.consoleText() }

// act runs the JavaScript statements js once in the popup; it may close
// the popup, which a plain Evaluate would report as an error.
func (pp *popup) act(what, js string) {
	pp.t.Helper()
	flag := "window[" + jsString("__glimchat acted "+what) + "]"
	WaitFor[bool](pp.Page, what, `(() => { if (!`+flag+`) { `+flag+` = true; `+js+` } return true; })()`)
}

// authorize picks user on the consent page and authorizes, as a click
// does; the popup then goes to the callback page, which closes it.
func (pp *popup) authorize(t *testing.T, user string) {
	t.Helper()
	pp.act("authorize as "+user, `document.querySelector('input[name=user][value=`+jsString(user)+`]').click();
		document.querySelector("button[value=authorize]").click();`)
}

// signInAs signs p in as user through the popup.
func signInAs(t *testing.T, p *Page, user string) {
	t.Helper()
	pp := openSignIn(t, p)
	pp.authorize(t, user)
	WaitFor[bool](p, "the composer to be enabled after signing in", composerEnabled)
}

// tokenAnywhere reports whether token shows in p's URL, DOM or storage.
func tokenAnywhere(p *Page, token string) bool {
	return Eval[bool](p, fmt.Sprintf(`(() => {
		const t = %s;
		const store = [...Array(sessionStorage.length).keys()].map(i => sessionStorage.getItem(sessionStorage.key(i))).join(" ") +
			[...Array(localStorage.length).keys()].map(i => localStorage.getItem(localStorage.key(i))).join(" ");
		return location.href.includes(t) || document.documentElement.outerHTML.includes(t) || store.includes(t);
	})()`, jsString(token)))
}

// Sign in through the popup as a demo user, cross-origin, then send a
// message: it appears in a second page showing the overlay. The token is
// nowhere in the page, its URL or its storage (no remember=).
func TestSignInPostsAndOverlayShows(t *testing.T) {
	t.Parallel()
	srv, d := startCrossOrigin(t, demo.Options{})
	overlay := openPage(t, srv, "overlay.html", crossQuery(d, "history=0"))
	waitState(overlay, "live")

	p := openPage(t, srv, "embed.html", crossQuery(d, "history=2"))
	waitState(p, "live")
	if c := composer(p); !c.Disabled {
		t.Fatalf("composer enabled before signing in: %+v", c)
	}
	signInAs(t, p, "Noor")
	if active := Eval[string](p, `document.activeElement.id`); active != "glimchat-message" {
		t.Errorf("focus after signing in is on #%s, want the message box", active)
	}
	if Eval[bool](p, `!document.getElementById("glimchat-signout").hidden && document.getElementById("glimchat-signin").hidden`) != true {
		t.Error("signed in, but the buttons do not offer sign out only")
	}
	reqs := d.requests("/api/oauth/token")
	if len(reqs) != 1 {
		t.Fatalf("%d token requests, want 1", len(reqs))
	}

	text := "hello from a popup sign-in " + fmt.Sprint(time.Now().UnixNano())
	typeText(p, text)
	pressEnter(p)
	waitMessage(p, "the sent message in the embed", `li => `+bodyJS+` === `+jsString(text))
	waitMessage(overlay, "the sent message in the overlay", `li => `+bodyJS+` === `+jsString(text)+
		` && li.getAttribute("data-username") === "Noor"`)

	// The token the demo issued is the newest of Noor's.
	for _, tok := range d.Inst.Tokens() {
		if tokenAnywhere(p, tok.Token) {
			t.Errorf("a token of %s shows in the page, its URL or storage", tok.Username)
		}
	}
	if n := Eval[int](p, `sessionStorage.length`); n != 0 {
		t.Errorf("sessionStorage holds %d items without remember=", n)
	}
	p.AssertNoProblems()
	overlay.AssertNoProblems()
}

// A message from another origin that carries the right state, and one from
// the page's own origin with a wrong state, are ignored and logged; the
// real callback still signs in.
func TestSignInIgnoresForgedMessages(t *testing.T) {
	t.Parallel()
	srv, d := startCrossOrigin(t, demo.Options{})
	p := openPage(t, srv, "embed.html", crossQuery(d, "history=1"))
	waitState(p, "live")
	pp := openSignIn(t, p)
	state := pp.URL.Query().Get("state")
	if len(state) < 20 || pp.URL.Query().Get("code_challenge_method") != "S256" || pp.URL.Query().Get("scope") != "public chat" {
		t.Fatalf("authorize URL %s", pp.URL)
	}

	// The popup is on the instance's origin: a hostile instance page.
	pp.act("post a forged message", fmt.Sprintf(`window.opener.postMessage({type: "glimchat-oauth", state: %s, code: "forged"}, "*");`, jsString(state)))
	// The page's own origin, but not the sign-in under way.
	Eval[chromedp.Void](p, `window.postMessage({type: "glimchat-oauth", state: "not-the-state", code: "forged"}, location.origin)`)
	waitConsole(t, p, "rejected a sign-in message", 2)
	if c := composer(p); !c.Disabled {
		t.Errorf("a forged message signed the page in: %+v", c)
	}
	if n := len(d.requests("/api/oauth/token")); n != 0 {
		t.Errorf("a forged code was exchanged (%d token requests)", n)
	}

	pp.authorize(t, "Noor")
	WaitFor[bool](p, "the composer to be enabled after the real callback", composerEnabled)
}

// waitConsole waits until p logged text at least n times.
func waitConsole(t *testing.T, p *Page, text string, n int) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for {
		got := 0
		for _, m := range p.Console() {
			if strings.Contains(m.Text, text) {
				got++
			}
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%q logged %d times, want %d; console:\n%s", text, got, n, p.consoleText())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// After sign out the composer is disabled, the stored sign-in is gone, and
// the focus is on Sign in; the chat stays live.
func TestSignOutDisablesComposer(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{})
	p := signedInEmbed(t, srv, srv.Demo, "Noor", "channel=demo&"+readOnly+"&history=2")
	ctx, cancel := context.WithTimeout(p.Ctx, Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("glimchat-signout"))); err != nil {
		t.Fatalf("click sign out: %v", err)
	}
	WaitFor[bool](p, "the composer to be disabled after signing out", `document.querySelector("#glimchat-composer textarea").disabled`)
	if c := composer(p); !c.ButtonOff {
		t.Errorf("composer after sign out: %+v", c)
	}
	u, _ := url.Parse(srv.URL)
	if v := Eval[any](p, `sessionStorage.getItem(`+jsString(config.TokenKey(u))+`)`); v != nil {
		t.Errorf("the stored sign-in is still there after signing out")
	}
	if active := Eval[string](p, `document.activeElement.id`); active != "glimchat-signin" {
		t.Errorf("focus after signing out is on #%s, want Sign in", active)
	}
	id := post(t, srv.Demo, "Noor", "still live after sign out")
	waitShown(p, id)
}

// A token the instance refuses (revoked, expired) drops the page back to
// read-only with the client_id: the chat goes on, sign in is offered
// again, and the draft is kept.
func TestRefusedTokenKeepsDraft(t *testing.T) {
	t.Parallel()
	for _, cross := range []bool{false, true} {
		t.Run(fmt.Sprint("cross-origin=", cross), func(t *testing.T) {
			t.Parallel()
			var srv *Serve
			var query string
			var instance string
			var inst *demo.Instance
			if cross {
				var d *recordedDemo
				srv, d = startCrossOrigin(t, demo.Options{})
				query, instance, inst = crossQuery(d, "history=1&"+remember), d.URL, d.Inst
			} else {
				srv = StartServe(t, ServeOptions{})
				query, instance, inst = "channel=demo&"+readOnly+"&history=1&"+remember, srv.URL, srv.Demo
			}
			p := NewPage(t)
			storeToken(p, srv.URL, instance, "revoked-token-0000")
			p.Navigate(srv.Page("embed.html", query))
			waitState(p, "live")
			expired := `(() => {
				const a = document.getElementById("glimchat-alert").textContent;
				return /sign in again/i.test(a) ? a : "";
			})()`
			if cross {
				// The token's own socket is turned away at once: the page
				// goes read-only without waiting for a post.
				WaitFor[string](p, "the sign-in expired alert", expired)
			} else {
				WaitFor[bool](p, "the composer to be enabled with the stored token", composerEnabled)
				typeText(p, "my draft")
				pressEnter(p)
				alert := WaitFor[string](p, "the sign-in expired alert", expired)
				if c := composer(p); !c.Disabled || c.Value != "my draft" {
					t.Errorf("after the refusal (%q) composer = %+v, want disabled with the draft kept", alert, c)
				}
			}
			WaitFor[bool](p, "sign in offered again", `!document.getElementById("glimchat-signin").hidden`)
			waitShown(p, post(t, inst, "Noor", "the chat goes on"))
		})
	}
}

// Keyboard only: Tab reaches the message box, typing and Enter send, and
// the focused control shows a focus ring.
func TestKeyboardOnlySending(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{})
	p := signedInEmbed(t, srv, srv.Demo, "Noor", "channel=demo&"+readOnly+"&history=2")
	for i := 0; i < 15 && Eval[string](p, `document.activeElement.id`) != "glimchat-message"; i++ {
		pressKey(p, "Tab", 9)
	}
	if id := Eval[string](p, `document.activeElement.id`); id != "glimchat-message" {
		t.Fatalf("Tab never reached the message box (at #%s)", id)
	}
	if o := Eval[string](p, `getComputedStyle(document.activeElement).outlineStyle`); o == "none" {
		t.Error("the focused message box shows no focus ring")
	}
	text := "typed without a mouse"
	if _, err := chromedp.Call(p.Ctx, input.InsertText, input.InsertTextParams{Text: text}); err != nil {
		t.Fatal(err)
	}
	pressEnter(p)
	waitMessage(p, "the message sent by keyboard", `li => `+bodyJS+` === `+jsString(text))
	if n := countStored(t, srv, "demo", "Noor", text); n != 1 {
		t.Errorf("stored %d times", n)
	}
}

// pressKey presses and releases one key in the focused element.
func pressKey(p *Page, key string, code int64) {
	p.t.Helper()
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
		ev := input.DispatchKeyEventParams{Type: typ, Key: key, Code: key, WindowsVirtualKeyCode: code, NativeVirtualKeyCode: code}
		if _, err := chromedp.Call(p.Ctx, input.DispatchKeyEvent, ev); err != nil {
			p.t.Fatalf("press %s: %v", key, err)
		}
	}
}

// Right-to-left text renders right to left, inside its own isolate: the
// "!" that ends an Arabic message is drawn at its left end, as in an
// Arabic paragraph, not after it as a left-to-right line would put it.
func TestRTLMessage(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{Demo: demo.Options{ChatRate: 0}})
	p := openPage(t, srv, "embed.html", "channel=demo&"+readOnly+"&history=0")
	waitState(p, "live")
	id := post(t, srv.Demo, "Noor", "مرحبا بالجميع!")
	waitShown(p, id)
	li := `document.querySelector('[data-message-id="` + id + `"]')`
	// The left edges of the body's first letter and of its "!".
	x := Eval[[]float64](p, `(() => {
		const t = `+li+`.querySelector(".glimchat-body").firstChild, r = document.createRange();
		const left = i => { r.setStart(t, i); r.setEnd(t, i + 1); return r.getBoundingClientRect().left; };
		return [left(0), left(t.length - 1)];
	})()`)
	if len(x) != 2 {
		t.Fatalf("measured %v", x)
	}
	if x[1] >= x[0] {
		t.Errorf("an Arabic message reads left to right: first letter at x=%v, its final \"!\" at x=%v", x[0], x[1])
	}
	if got := Eval[string](p, `getComputedStyle(`+li+`.querySelector(".glimchat-name")).unicodeBidi`); got != "isolate" {
		t.Errorf("the name has unicode-bidi %q, want isolate", got)
	}
}
