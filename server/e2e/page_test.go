package e2e

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/glimchat/glimchat/server/demo"
	"github.com/glimchat/glimchat/wasm/config"
)

// What the tests read and do in a widget page, through the hooks the README
// documents (Pages, Style hooks): the log, data-state, the status line and
// the embed page's composer.

// readOnly is the query parameter that opens a page without a token.
const readOnly = "client_id=" + demo.ClientID

// openPage opens a widget page of srv.
func openPage(t *testing.T, srv *Serve, name, query string) *Page {
	t.Helper()
	p := NewPage(t)
	p.Navigate(srv.Page(name, query))
	return p
}

// logJS is the items of the log in document order, as a JavaScript array.
// Every item is to be a message (li.glimchat-msg); taking every li makes
// anything else in the log fail the checks that read it.
const logJS = `[...document.querySelectorAll("#glimchat-log > li")]`

// bodyJS is the text of the body of the log item li.
const bodyJS = `li.querySelector(".glimchat-body").textContent`

// logIDsJS lists data-message-id of the log, in document order.
const logIDsJS = logJS + `.map(li => li.getAttribute("data-message-id"))`

func logIDs(p *Page) []string { return Eval[[]string](p, logIDsJS) }

// countMessages counts the messages of the log for which the JavaScript
// predicate pred (li => boolean) holds.
func countMessages(p *Page, pred string) int {
	p.t.Helper()
	return Eval[int](p, logJS+`.filter(`+pred+`).length`)
}

// waitCount waits until the log holds exactly n messages.
func waitCount(p *Page, n int) {
	p.t.Helper()
	WaitFor[bool](p, fmt.Sprintf("%d messages in the log", n), fmt.Sprintf(`%s.length === %d`, logJS, n))
}

// waitShown waits until every message with one of these ids is in the log.
func waitShown(p *Page, ids ...string) {
	p.t.Helper()
	WaitFor[bool](p, fmt.Sprintf("messages %v in the log", ids), `(() => {
		const have = new Set(`+logIDsJS+`);
		return `+jsArray(ids)+`.every(id => have.has(id));
	})()`)
}

// waitMessage waits until a message of the log satisfies the JavaScript
// predicate pred (li => boolean) and returns its id.
func waitMessage(p *Page, what, pred string) string {
	p.t.Helper()
	return WaitFor[string](p, what, `(() => {
		const li = `+logJS+`.find(`+pred+`);
		return li ? li.getAttribute("data-message-id") : "";
	})()`)
}

// shown is what the page shows of one message.
type shown struct {
	ID       string `json:"id"`
	UserID   string `json:"userId"`
	Username string `json:"username"`
	Roles    string `json:"roles"`
	Badges   string `json:"badges"` // data-role of the badges, space-separated
	Name     string `json:"name"`   // the display name shown
	Body     string `json:"body"`   // textContent of .glimchat-body
}

// shownJS lists the messages of the log in document order.
const shownJS = logJS + `.map(li => ({
	id: li.getAttribute("data-message-id"),
	userId: li.getAttribute("data-user-id"),
	username: li.getAttribute("data-username"),
	roles: li.getAttribute("data-roles"),
	badges: [...li.querySelectorAll(".glimchat-badge")].map(b => b.dataset.role).join(" "),
	name: (li.querySelector(".glimchat-name") || {}).textContent || "",
	body: (li.querySelector(".glimchat-body") || {}).textContent || "",
}))`

func shownMessages(p *Page) []shown { return Eval[[]shown](p, shownJS) }

// diffIDs describes how got differs from want.
func diffIDs(got, want []string) string {
	in := func(ss []string) map[string]int {
		m := map[string]int{}
		for _, s := range ss {
			m[s]++
		}
		return m
	}
	g, w := in(got), in(want)
	var missing, extra, dup []string
	for _, id := range want {
		if g[id] == 0 {
			missing = append(missing, id)
		}
	}
	for id, n := range g {
		switch {
		case w[id] == 0:
			extra = append(extra, id)
		case n > 1:
			dup = append(dup, id)
		}
	}
	sorted := slices.IsSortedFunc(got, func(a, b string) int {
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		return strings.Compare(a, b)
	})
	return fmt.Sprintf("missing %d %v, unexpected %v, repeated %v, in id order: %v", len(missing), clipIDs(missing), extra, dup, sorted)
}

func clipIDs(ids []string) []string {
	if len(ids) > 20 {
		return append(ids[:20:20], "…")
	}
	return ids
}

// stateJS is the data-state of the widget's root.
const stateJS = `document.getElementById("glimchat").dataset.state`

func state(p *Page) string { return Eval[string](p, stateJS) }

// waitState waits until the widget's root has data-state=want.
func waitState(p *Page, want string) {
	p.t.Helper()
	WaitFor[bool](p, "data-state="+want, stateJS+` === `+jsString(want))
}

// recordStates installs (through CDP, outside the page's CSP) an observer
// that keeps every data-state of #glimchat and every text of
// #glimchat-status in window.__glimchatStates and __glimchatStatuses.
func recordStates(p *Page) {
	p.t.Helper()
	Eval[chromedp.Void](p, `(() => {
		const root = document.getElementById("glimchat");
		const status = document.getElementById("glimchat-status");
		window.__glimchatStates = [root.dataset.state];
		window.__glimchatStatuses = [status.textContent];
		new MutationObserver(() => {
			const s = root.dataset.state;
			if (window.__glimchatStates[window.__glimchatStates.length - 1] !== s) window.__glimchatStates.push(s);
			const t = status.textContent;
			if (window.__glimchatStatuses[window.__glimchatStatuses.length - 1] !== t) window.__glimchatStatuses.push(t);
		}).observe(root, {attributes: true, attributeFilter: ["data-state"], subtree: true, childList: true, characterData: true});
	})()`)
}

func recordedStates(p *Page) []string { return Eval[[]string](p, `window.__glimchatStates`) }

func recordedStatuses(p *Page) []string { return Eval[[]string](p, `window.__glimchatStatuses`) }

// waitStatus waits until #glimchat-status contains want and returns it.
func waitStatus(p *Page, want string) string {
	p.t.Helper()
	return WaitFor[string](p, fmt.Sprintf("#glimchat-status to mention %q", want), fmt.Sprintf(`(() => {
		const t = document.getElementById("glimchat-status").textContent;
		return t.includes(%s) ? t : "";
	})()`, jsString(want)))
}

// assertStatusVisible fails the test unless the status line takes room on
// the screen.
func assertStatusVisible(t *testing.T, p *Page) {
	t.Helper()
	if h := Eval[float64](p, `document.getElementById("glimchat-status").getBoundingClientRect().height`); h <= 0 {
		t.Error("#glimchat-status is not visible")
	}
}

// newestInView is true when the log's last line is fully visible.
const newestInView = `(() => {
	const log = document.getElementById("glimchat-log");
	const last = log.lastElementChild;
	return !!last && last.getBoundingClientRect().bottom <= log.getBoundingClientRect().bottom + 1;
})()`

// overflows reports whether the log has more lines than fit.
const overflows = `(() => { const l = document.getElementById("glimchat-log"); return l.scrollHeight > l.clientHeight; })()`

// composerState is what the embed page's form shows.
type composerState struct {
	Value       string `json:"value"`
	Counter     string `json:"counter"`
	Alert       string `json:"alert"`
	Disabled    bool   `json:"disabled"`
	ButtonOff   bool   `json:"buttonOff"`
	Placeholder string `json:"placeholder"`
}

const composerJS = `(() => {
	const f = document.getElementById("glimchat-composer");
	const ta = f.querySelector("textarea");
	return {value: ta.value, counter: document.getElementById("glimchat-counter").textContent,
		alert: document.getElementById("glimchat-alert").textContent, disabled: ta.disabled,
		buttonOff: f.querySelector("button[type=submit]").disabled, placeholder: ta.placeholder};
})()`

func composer(p *Page) composerState { return Eval[composerState](p, composerJS) }

// waitAlert waits until #glimchat-alert says something and returns it.
func waitAlert(p *Page) string {
	p.t.Helper()
	return WaitFor[string](p, "#glimchat-alert", `document.getElementById("glimchat-alert").textContent`)
}

// remember is the embed parameter that keeps the sign-in in
// sessionStorage: with it, a token stored there before the page's scripts
// run signs the page in, as after a reload.
const remember = "remember=1"

// signedInEmbed opens srv's embed page as user of inst: the user's token is
// in sessionStorage, under the key of the instance the query names (or the
// page's own origin), as a signed-in page with remember=1 has it, before
// the page's scripts run. It returns once the composer is enabled.
func signedInEmbed(t *testing.T, srv *Serve, inst *demo.Instance, user, query string) *Page {
	t.Helper()
	origin := srv.URL
	if q, err := url.ParseQuery(query); err == nil && q.Has("instance") {
		origin = q.Get("instance")
	}
	p := NewPage(t)
	storeToken(p, srv.URL, origin, tokenOf(t, inst, user))
	p.Navigate(srv.Page("embed.html", query+"&"+remember))
	WaitFor[bool](p, "the composer to be enabled", `!document.querySelector("#glimchat-composer textarea").disabled`)
	return p
}

// storeToken puts token in the sessionStorage of pages at origin, for the
// instance at instance, as a signed-in page keeps it.
func storeToken(p *Page, origin, instance, token string) {
	p.t.Helper()
	u, err := url.Parse(instance)
	if err != nil {
		p.t.Fatal(err)
	}
	p.SetSession(origin, config.TokenKey(u), token)
}

// typeText types text key by key into the composer's textarea.
func typeText(p *Page, text string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("glimchat-message"), text)); err != nil {
		p.t.Fatalf("type %q: %v", text, err)
	}
}

// clickSend clicks the composer's send button.
func clickSend(p *Page) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#glimchat-composer button[type=submit]"))); err != nil {
		p.t.Fatalf("click send: %v", err)
	}
}

// pressEnter presses Enter in the focused element as a keyboard does: one
// keydown that carries the text "\r", so the browser inserts a line break
// unless the page cancels the keydown. (kb.Enter sends a separate char event,
// which inserts the break even when the keydown was cancelled.)
func pressEnter(p *Page) {
	p.t.Helper()
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
		ev := input.DispatchKeyEventParams{Type: typ, Key: "Enter", Code: "Enter",
			WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
		if typ == input.DispatchKeyEventTypeKeyDown {
			ev.Text, ev.UnmodifiedText = "\r", "\r"
		}
		if _, err := chromedp.Call(p.Ctx, input.DispatchKeyEvent, ev); err != nil {
			p.t.Fatalf("press Enter: %v", err)
		}
	}
}
