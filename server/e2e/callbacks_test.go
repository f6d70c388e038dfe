package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// captureCallbacks runs before the page's scripts and keeps every Go
// callback the widget hands to the page (wasm_exec's wrappers, which name
// _pendingEvent) in window.__goCallbacks, as {what, get, target}: event
// listeners (until they are removed), the animation frame, the resize observer, the handlers of
// each WebSocket, and OBS's onVisibilityChange (a fake obsstudio makes the
// widget install one). get reads the callback afresh, since a closed
// WebSocket's handlers are detached.
const captureCallbacks = `(() => {
	const isGo = f => typeof f === "function" && String(f).includes("_pendingEvent");
	const cbs = window.__goCallbacks = [];
	const keep = (what, fn, target) => { if (isGo(fn) && !cbs.some(c => c.fn === fn)) cbs.push({what, fn, get: () => fn, target}); };
	const add = EventTarget.prototype.addEventListener, remove = EventTarget.prototype.removeEventListener;
	EventTarget.prototype.addEventListener = function (type, fn, ...rest) {
		keep("listener " + type, fn, this);
		return add.call(this, type, fn, ...rest);
	};
	// A removed listener is one no event reaches any more (the widget
	// releases it next): forget it, as the browser does.
	EventTarget.prototype.removeEventListener = function (type, fn, ...rest) {
		const i = cbs.findIndex(c => c.fn === fn && c.target === this);
		if (i >= 0) cbs.splice(i, 1);
		return remove.call(this, type, fn, ...rest);
	};
	const raf = window.requestAnimationFrame;
	window.requestAnimationFrame = fn => { keep("animation frame", fn, window); return raf.call(window, fn); };
	const RO = window.ResizeObserver;
	window.ResizeObserver = class extends RO { constructor(fn) { super(fn); keep("resize observer", fn, this); } };
	const WS = window.WebSocket;
	window.WebSocket = class extends WS {
		constructor(...args) {
			super(...args);
			for (const k of ["onopen", "onmessage", "onclose", "onerror"]) cbs.push({what: "WebSocket." + k, get: () => this[k], target: this});
		}
	};
	const obs = window.obsstudio = {};
	cbs.push({what: "obsstudio.onVisibilityChange", get: () => obs.onVisibilityChange, target: obs});
})()`

// callAbnormally calls every captured callback the way no browser would:
// with values of every type (a Proxy that throws on any access among them),
// with none, with the wrong this and too many arguments, and 50 times in a
// row. It returns the callbacks it reached and what threw back into
// JavaScript.
const callAbnormally = `(async () => {
	const trap = new Proxy({}, {get() { throw new Error("trap"); }, has() { throw new Error("trap"); }});
	const odd = [undefined, null, 0, NaN, -1, 2 ** 53, "", "text", Symbol("s"), true, {}, [], () => 1, trap,
		{data: 42, code: "x", reason: {}, key: trap, shiftKey: "no", isComposing: NaN, preventDefault: 1},
		{data: "[null,null,\"phoenix\",\"phx_reply\",{}]"}, {data: "not a frame"}, {code: Infinity, reason: 1e9}];
	const reached = new Set(), threw = [];
	const call = (cb, self, args) => {
		if (!window.__goCallbacks.includes(cb)) return; // removed meanwhile
		const fn = cb.get();
		if (typeof fn !== "function") return;
		reached.add(cb.what);
		try { fn.apply(self, args); } catch (e) { threw.push(cb.what + ": " + e); }
	};
	for (const cb of [...window.__goCallbacks]) {
		for (const v of odd) call(cb, cb.target, [v]);
		call(cb, cb.target, []);
		call(cb, undefined, odd);
		for (let i = 0; i < 50; i++) call(cb, cb.target, [{}]);
		await new Promise(r => setTimeout(r, 0)); // let the widget's goroutines run
	}
	return {reached: [...reached].sort(), threw};
})()`

// Abnormal calls from the page to every callback the widget handed it leave
// the widget alive: no callback throws into JavaScript or panics, and the
// widget goes back to live and renders the next message. (No callback a
// page can reach panics; wasm/guard's browser test proves that one that
// did would be contained.)
func TestAbnormalCallbackCallsLeaveTheWidgetRunning(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		page string
		must []string // callbacks the calls have to reach
	}{
		{"overlay.html", nil},
		{"embed.html", []string{"listener submit", "listener keydown", "listener input"}},
	} {
		t.Run(strings.TrimSuffix(tc.page, ".html"), func(t *testing.T) {
			srv := StartServe(t, ServeOptions{})
			p := NewPage(t)
			if _, err := chromedp.Call(p.Ctx, page.AddScriptToEvaluateOnNewDocument,
				page.AddScriptToEvaluateOnNewDocumentParams{Source: captureCallbacks}); err != nil {
				t.Fatal(err)
			}
			p.Navigate(srv.Page(tc.page, "channel=demo&"+readOnly+"&history=5"))
			waitCount(p, 5)
			waitState(p, "live")

			got := Eval[struct{ Reached, Threw []string }](p, callAbnormally)
			// The wake-up callback listens for online, pageshow and focus
			// too; it is called once, under its first event.
			for _, want := range append([]string{"animation frame", "resize observer", "listener scroll", "listener visibilitychange",
				"WebSocket.onmessage", "WebSocket.onclose", "obsstudio.onVisibilityChange"}, tc.must...) {
				if !slices.Contains(got.Reached, want) {
					t.Errorf("the calls never reached %s; reached %q", want, got.Reached)
				}
			}
			// A getter of the page's own that throws unwinds through the
			// callback back to the page (wasm_exec's property reads have no
			// try/catch); that is the page's exception, not the widget's.
			for _, e := range got.Threw {
				if !strings.HasSuffix(e, ": Error: trap") {
					t.Errorf("a callback threw into JavaScript: %s", e)
				}
			}

			waitState(p, "live")
			id := post(t, srv.Demo, "Noor", "still rendering after abnormal calls")
			waitShown(p, id)
			for _, m := range p.Console() {
				if strings.Contains(m.Text, "glimchat: panic in") {
					t.Errorf("a callback panicked: %s", describe(m))
				}
			}
			p.AssertNoPageProblems()
		})
	}
}
