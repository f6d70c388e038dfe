package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/glimchat/glimchat/server/demo"
)

// The embed page against glimchat serve with the demo instance: sending as
// a signed-in viewer, refusals, the read-only page, scrolling and contrast.
// Each test has servers of its own, so they run in parallel.

// A signed-in viewer types a message and presses Enter: it is sent once,
// shows once although it also comes back over the subscription, and the
// form resets.
func TestEmbedSends(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{})
	p := signedInEmbed(t, srv, srv.Demo, "Noor", "channel=demo&history=5")
	waitCount(p, 5)
	waitState(p, "live")
	if c := composer(p); c.Counter != "0/255" || c.ButtonOff {
		t.Errorf("signed-in composer = %+v, want counter 0/255 and the button enabled", c)
	}
	typeText(p, "hello")
	if c := composer(p); c.Value != "hello" || c.Counter != "5/255" {
		t.Errorf("after typing: composer = %+v, want value hello and counter 5/255", c)
	}
	// The counter measures as maxlength does (UTF-16 units): an emoji is 2.
	typeText(p, " 🎉")
	if c := composer(p); c.Value != "hello 🎉" || c.Counter != "8/255" {
		t.Errorf("after typing an emoji: composer = %+v, want counter 8/255", c)
	}
	typeText(p, kb.Backspace+kb.Backspace) // the emoji, then the space
	if c := composer(p); c.Value != "hello" || c.Counter != "5/255" {
		t.Errorf("after deleting it: composer = %+v, want value hello and counter 5/255", c)
	}
	pressEnter(p)
	WaitFor[bool](p, "the textarea to clear", `document.querySelector("#glimchat-composer textarea").value === ""`)
	sent := waitMessage(p, "the sent message in the log", `li => li.dataset.username === "Noor" && `+bodyJS+` === "hello"`)
	// The subscription delivers in order: once a later message shows, the
	// echo of ours has been handled too.
	later := post(t, srv.Demo, "Zofia", "after the echo")
	waitShown(p, later)
	copies := countMessages(p, `li => li.dataset.messageId === `+jsString(sent)+
		` || (li.dataset.username === "Noor" && li.textContent.endsWith(": hello"))`)
	if copies != 1 {
		t.Errorf("the sent message shows %d times, want once", copies)
	}
	if n := countStored(t, srv, "demo", "Noor", "hello"); n != 1 {
		t.Errorf("the demo instance stored %d copies of the message, want 1", n)
	}
	if c := composer(p); c.Value != "" || c.Counter != "0/255" || c.Alert != "" || c.Disabled {
		t.Errorf("after sending: composer = %+v, want empty, 0/255, no alert, enabled", c)
	}
	p.AssertNoProblems()
}

// Refusals from the server show in #glimchat-alert in plain words, and
// nothing appears in the log.
func TestEmbedServerErrors(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{})
	tests := []struct {
		name, user, channel string
		text                string
		click               bool // submit with the button instead of Enter
		want                string
	}{
		{"banned", "banned_bob", "demo", "let me back in", false, "permanently banned"},
		{"no chat scope", "lurker", "demo", "can I talk", true, "not allowed to chat"},
		{"links disabled", "Noor", "quiet", "read https://example.com/book", false, "does not allow links"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Enough history to scroll, so that the newest line must stay
			// in view when the alert takes room.
			shown := len(apiHistory(t, srv.URL, tt.channel, 30))
			p := signedInEmbed(t, srv, srv.Demo, tt.user, "channel="+tt.channel+"&history=30")
			waitCount(p, shown)
			typeText(p, tt.text)
			if tt.click {
				clickSend(p)
			} else {
				pressEnter(p)
			}
			alert := waitAlert(p)
			if !strings.Contains(alert, tt.want) {
				t.Errorf("alert = %q, want it to say %q", alert, tt.want)
			}
			if role := Eval[string](p, `document.getElementById("glimchat-alert").getAttribute("role")`); role != "alert" {
				t.Errorf("#glimchat-alert role = %q, want alert", role)
			}
			// The text stays, to be fixed and sent again; nothing was stored or shown.
			if c := composer(p); c.Value != tt.text || c.Disabled || c.ButtonOff {
				t.Errorf("after the refusal: composer = %+v, want the text kept and the form usable", c)
			}
			if n := len(logIDs(p)); n != shown {
				t.Errorf("log holds %d messages after a refused send, want the %d of history", n, shown)
			}
			if tt.channel == "demo" && !Eval[bool](p, overflows) {
				t.Error("the log does not scroll: the check below needs it to")
			}
			WaitFor[bool](p, "the newest line in view with the alert shown", newestInView)
			if n := countStored(t, srv, tt.channel, tt.user, tt.text); n != 0 {
				t.Errorf("the demo instance stored the refused message %d times", n)
			}
			p.AssertNoProblems()
		})
	}
}

// The embed log follows new lines while the reader is at the bottom, and
// leaves a reader who scrolled up to older lines where they are.
func TestEmbedScroll(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{})
	p := openPage(t, srv, "embed.html", "channel=demo&"+readOnly+"&history=60")
	waitCount(p, 60)
	waitState(p, "live")
	if !Eval[bool](p, overflows) {
		t.Fatal("60 lines fit in the log: the test needs it to scroll")
	}
	WaitFor[bool](p, "the newest line in view after load", newestInView)

	Eval[chromedp.Void](p, `document.getElementById("glimchat-log").scrollTop = 0`)
	id := post(t, srv.Demo, "Zofia", "while reading old lines")
	waitShown(p, id)
	Eval[chromedp.Void](p, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))`)
	if top := Eval[float64](p, `document.getElementById("glimchat-log").scrollTop`); top != 0 {
		t.Errorf("a new line scrolled the reader from the top to %v", top)
	}

	Eval[chromedp.Void](p, `(() => { const l = document.getElementById("glimchat-log"); l.scrollTop = l.scrollHeight; })()`)
	Eval[chromedp.Void](p, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))`)
	id = post(t, srv.Demo, "Zofia", "back at the bottom")
	waitShown(p, id)
	WaitFor[bool](p, "the new line in view", newestInView)
	p.AssertNoProblems()
}

// Without a token the embed page is read-only: the form is disabled and
// says so, and no way of submitting sends anything.
func TestEmbedReadOnly(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{})
	before := len(apiHistory(t, srv.URL, "demo", 1000))
	p := openPage(t, srv, "embed.html", "channel=demo&"+readOnly+"&history=3")
	waitCount(p, 3)
	waitState(p, "live")
	c := composer(p)
	if !c.Disabled || !c.ButtonOff || !strings.Contains(strings.ToLower(c.Placeholder), "read-only") {
		t.Errorf("read-only composer = %+v, want textarea and button disabled and a read-only placeholder", c)
	}
	if !Eval[bool](p, `document.getElementById("glimchat-composer").hasAttribute("data-readonly")`) {
		t.Error("read-only form lacks data-readonly")
	}
	// Even a form someone re-enabled (devtools, a stale script) refuses:
	// Enter in the textarea, and a programmatic submit.
	Eval[chromedp.Void](p, `(() => {
		const ta = document.querySelector("#glimchat-composer textarea");
		ta.disabled = false;
		ta.value = "sneaky";
	})()`)
	if err := chromedp.Do(p.Ctx, chromedp.Focus(chromedp.ID("glimchat-message"))); err != nil {
		t.Fatalf("focus: %v", err)
	}
	pressEnter(p)
	alert := waitAlert(p)
	if !strings.Contains(alert, "read-only") {
		t.Errorf("alert after Enter = %q, want it to say the chat is read-only", alert)
	}
	Eval[chromedp.Void](p, `(() => {
		document.getElementById("glimchat-alert").textContent = "";
		document.getElementById("glimchat-composer").requestSubmit();
	})()`)
	alert = waitAlert(p)
	if !strings.Contains(alert, "read-only") {
		t.Errorf("alert after submit = %q, want it to say the chat is read-only", alert)
	}
	// A message sent by someone else still arrives, and nothing of ours.
	later := post(t, srv.Demo, "Zofia", "still reading")
	waitShown(p, later)
	if after := len(apiHistory(t, srv.URL, "demo", 1000)); after != before+1 {
		t.Errorf("demo channel went from %d to %d messages, want only the one posted by the test", before, after)
	}
	if n := countMessages(p, `li => li.textContent.includes("sneaky")`); n != 0 {
		t.Errorf("the refused message shows %d times", n)
	}
	p.AssertNoProblems()
}

// Enter pressed again while a message is on its way does not send it
// twice, and text typed meanwhile survives the send.
func TestEmbedSendsOnce(t *testing.T) {
	t.Parallel()
	g := newGate("createChatMessage")
	srv := startGated(t, g)
	p := signedInEmbed(t, srv, srv.Demo, "Noor", "channel=demo&history=2")
	waitCount(p, 2)
	waitState(p, "live")
	typeText(p, "first")
	pressEnter(p)
	g.wait(t)
	pressEnter(p)
	typeText(p, " and more")
	// A second send, if any, would be held too.
	select {
	case <-g.held:
		t.Error("a second Enter sent the message again")
	case <-time.After(300 * time.Millisecond):
	}
	close(g.open)
	id := waitMessage(p, "the sent message in the log", `li => `+bodyJS+` === "first"`)
	later := post(t, srv.Demo, "Zofia", "after the echo")
	waitShown(p, later)
	if n := countStored(t, srv, "demo", "Noor", "first"); n != 1 {
		t.Errorf("the demo instance stored %d copies, want 1", n)
	}
	if n := countMessages(p, `li => `+bodyJS+` === "first"`); n != 1 {
		t.Errorf("message %s shows %d times, want once", id, n)
	}
	if c := composer(p); c.Value != "first and more" || c.Counter != "14/255" {
		t.Errorf("composer = %+v, want the text typed during the send kept", c)
	}
	p.AssertNoProblems()
}

// contrastJS returns the WCAG contrast ratio of an element's text colour on
// its background colour (both opaque rgb()).
const contrastJS = `((el, bgEl) => {
	const lum = c => {
		const [r, g, b] = c.match(/[\d.]+/g).slice(0, 3).map(Number).map(v => {
			v /= 255;
			return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
		});
		return 0.2126 * r + 0.7152 * g + 0.0722 * b;
	};
	const a = lum(getComputedStyle(el).color), b = lum(getComputedStyle(bgEl || el).backgroundColor);
	return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
})`

// The embed page's text, names, badges and send button are readable in
// the light and the dark colour scheme (WCAG AA for the button and names).
func TestEmbedContrast(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{})
	for _, scheme := range []string{"light", "dark"} {
		t.Run(scheme, func(t *testing.T) {
			p := NewPage(t)
			if _, err := chromedp.Call(p.Ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
				t.Fatalf("emulate %s: %v", scheme, err)
			}
			storeToken(p, srv.URL, srv.URL, tokenOf(t, srv.Demo, "Noor"))
			p.Navigate(srv.Page("embed.html", "channel=demo&history=40&"+remember))
			waitCount(p, 40)
			WaitFor[bool](p, "the composer to be enabled", `!document.querySelector("#glimchat-composer button").disabled`)
			type ratio struct {
				What  string
				Ratio float64
				Min   float64
			}
			ratios := Eval[[]ratio](p, `(() => {
				const c = `+contrastJS+`, root = document.getElementById("glimchat");
				const out = [
					{What: "send button", Ratio: c(document.querySelector("#glimchat-composer button")), Min: 4.5},
					{What: "name", Ratio: c(document.querySelector(".glimchat-name"), root), Min: 4.5},
					{What: "message", Ratio: c(document.querySelector(".glimchat-body"), root), Min: 4.5},
				];
				for (const b of document.querySelectorAll(".glimchat-badge")) {
					out.push({What: b.dataset.role + " badge", Ratio: c(b), Min: 3});
				}
				return out;
			})()`)
			if len(ratios) < 5 {
				t.Fatalf("measured %d elements, want the button, a name, a message and badges", len(ratios))
			}
			for _, r := range ratios {
				if r.Ratio < r.Min {
					t.Errorf("%s: contrast %.2f, want at least %.1f", r.What, r.Ratio, r.Min)
				}
			}
			p.AssertNoProblems()
		})
	}
}

// A token belongs to the instance that issued it. Stored for the page's own
// instance, it signs the viewer in there, and is never sent to another
// instance that instance= names: that page is read-only.
func TestTokenStaysWithItsInstance(t *testing.T) {
	t.Parallel()
	srv, foreign := startCrossOrigin(t, demo.Options{})
	token := tokenOf(t, srv.Demo, "Noor")

	home := NewPage(t)
	storeToken(home, srv.URL, srv.URL, token)
	home.Navigate(srv.Page("embed.html", "channel=demo&history=1&"+remember))
	WaitFor[bool](home, "the composer to be enabled for the token's own instance",
		`!document.querySelector("#glimchat-composer textarea").disabled`)

	away := NewPage(t)
	storeToken(away, srv.URL, srv.URL, token)
	away.Navigate(srv.Page("embed.html", crossQuery(foreign, "history=1&"+remember)))
	waitState(away, "live")
	if c := composer(away); !c.Disabled || !c.ButtonOff {
		t.Errorf("embed for another instance: composer %+v, want it read-only", c)
	}
	for _, r := range foreign.requests("/api/graph/websocket") {
		if r.token {
			t.Errorf("the token went to the other instance (%s %s)", r.method, r.path)
		}
	}
	if len(foreign.requests("/api/graph/websocket")) == 0 {
		t.Error("the page never connected to the other instance")
	}
	away.AssertNoProblems()
}
