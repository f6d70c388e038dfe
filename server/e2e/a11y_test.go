package e2e

import (
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/glimchat/glimchat/server/demo"
)

// watchLiveRegion records, before the page's scripts run, the log's
// aria-live and aria-busy each time messages are added to it.
const watchLiveRegion = `document.addEventListener("DOMContentLoaded", () => {
	const log = document.getElementById("glimchat-log");
	window.__glimchatLive = [];
	new MutationObserver(ms => {
		if (ms.some(m => m.addedNodes.length)) {
			window.__glimchatLive.push({live: log.getAttribute("aria-live"), busy: log.hasAttribute("aria-busy"), n: log.children.length});
		}
	}).observe(log, {childList: true});
});`

type liveMark struct {
	Live string `json:"live"`
	Busy bool   `json:"busy"`
	N    int    `json:"n"`
}

// The log is a polite live region (role="log"), but the history shown at
// start is added while it is off and busy, so only new messages are
// announced. Badges have text names.
func TestLogLiveRegionAnnouncesOnlyNew(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{Demo: demo.Options{}})
	for _, name := range []string{"embed.html", "overlay.html"} {
		p := NewPage(t)
		if _, err := chromedp.Call(p.Ctx, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: watchLiveRegion}); err != nil {
			t.Fatal(err)
		}
		p.Navigate(srv.Page(name, "channel=demo&"+readOnly+"&history=20"))
		waitCount(p, 20)
		waitState(p, "live")
		WaitFor[bool](p, "the live region to be on", `document.getElementById("glimchat-log").getAttribute("aria-live") === "polite"`)
		if Eval[bool](p, `document.getElementById("glimchat-log").hasAttribute("aria-busy")`) {
			t.Errorf("%s: the log stays aria-busy", name)
		}
		if role := Eval[string](p, `document.getElementById("glimchat-log").getAttribute("role")`); role != "log" {
			t.Errorf("%s: the log's role is %q", name, role)
		}
		id := post(t, srv.Demo, "MartaMod", "a new message to announce")
		waitShown(p, id)
		marks := Eval[[]liveMark](p, `window.__glimchatLive`)
		if len(marks) < 2 {
			t.Fatalf("%s: additions %+v", name, marks)
		}
		if first := marks[0]; first.Live != "off" || !first.Busy || first.N != 20 {
			t.Errorf("%s: the history was added with aria-live=%q busy=%v (%d items): it would be announced", name, first.Live, first.Busy, first.N)
		}
		if last := marks[len(marks)-1]; last.Live != "polite" || last.Busy {
			t.Errorf("%s: a new message was added with aria-live=%q busy=%v: it would not be announced", name, last.Live, last.Busy)
		}
		// Badges read as their role; a message reads as "name: text".
		if n := Eval[int](p, `[...document.querySelectorAll(".glimchat-badge")].filter(b => !b.getAttribute("aria-label")).length`); n != 0 {
			t.Errorf("%s: %d badges without a text label", name, n)
		}
		text := Eval[string](p, `(() => { const li = document.querySelector('[data-message-id="`+id+`"]');
			return li.querySelector(".glimchat-name").textContent + li.querySelector(".glimchat-sep").textContent + li.querySelector(".glimchat-body").textContent; })()`)
		if text != "MartaMod: a new message to announce" {
			t.Errorf("%s: the message reads %q", name, text)
		}
	}
}
