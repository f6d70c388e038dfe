package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/domdebugger"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/glimchat/glimchat/server/demo"
)

// Moderation: the widget follows a standalone demo instance on another
// origin, a moderator acts through the API (or through the embed page's
// tools), and what they remove leaves the screen within mod_poll and
// never comes back, not on load, not after a reconnect, not after a hold.

// userID looks a demo user's id up through the API.
func userID(t *testing.T, d *recordedDemo, username string) string {
	t.Helper()
	var data struct{ User struct{ ID string } }
	graphQL(t, d.URL, `query($n: String) { user(username: $n) { id } }`, map[string]any{"n": username}, &data)
	if data.User.ID == "" {
		t.Fatalf("the demo instance has no user %s", username)
	}
	return data.User.ID
}

// moderate has moderator run mutation (banUser, deleteChatMessage, …) on
// target (a user id, or a message id for deleteChatMessage) in the demo
// channel, through the API, as a moderator's own client would.
func moderate(t *testing.T, d *recordedDemo, moderator, mutation, target string) {
	t.Helper()
	var ch struct{ Channel struct{ ID string } }
	graphQL(t, d.URL, `{ channel(streamerUsername: "demo") { id } }`, nil, &ch)
	arg := "userId"
	if mutation == "deleteChatMessage" {
		arg = "messageId"
	}
	q := fmt.Sprintf(`mutation($c: ID!, $t: ID!) { %s(channelId: $c, %s: $t) { id action } }`, mutation, arg)
	var data map[string]struct{ ID, Action string }
	graphQLAs(t, d.URL, "Bearer "+tokenOf(t, d.Inst, moderator), q, map[string]any{"c": ch.Channel.ID, "t": target}, &data)
	if data[mutation].ID == "" {
		t.Fatalf("%s %s: no moderation log in the answer", mutation, target)
	}
}

// recordAdded makes every later document of p keep, in
// window.__glimchatAdded, the id of every message ever added to the page,
// from before the first paint on (installed through CDP, outside the
// page's CSP).
func recordAdded(p *Page) {
	p.t.Helper()
	const src = `window.__glimchatAdded = [];
new MutationObserver(records => {
  for (const r of records) for (const n of r.addedNodes) {
    if (n.nodeType === 1 && n.matches("li.glimchat-msg")) window.__glimchatAdded.push(n.dataset.messageId);
  }
}).observe(document, {childList: true, subtree: true});`
	if _, err := chromedp.Call(p.Ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
		p.t.Fatalf("install the message recorder: %v", err)
	}
}

// timesAdded is how often message id was added to p's page so far.
func timesAdded(p *Page, id string) int {
	p.t.Helper()
	return Eval[int](p, `window.__glimchatAdded.filter(id => id === `+jsString(id)+`).length`)
}

// waitGone waits until no message with one of these ids is in the log.
func waitGone(p *Page, ids ...string) {
	p.t.Helper()
	WaitFor[bool](p, fmt.Sprintf("messages %v to leave the log", ids),
		`!`+jsArray(ids)+`.some(id => `+logIDsJS+`.includes(id))`)
}

// A ban removes every message of the banned user within mod_poll + 1 s,
// history included, and the banned user's next message is refused.
func TestModerationBan(t *testing.T) {
	const modPoll = 2 * time.Second
	srv, d := startCrossOrigin(t, demo.Options{})
	noor := userID(t, d, "Noor")
	older := post(t, d.Inst, "Noor", "from before the page opened")
	p := signedInEmbed(t, srv, d.Inst, "Noor", crossQuery(d, fmt.Sprintf("history=5&mod_poll=%d", modPoll/time.Second)))
	waitState(p, "live")
	var mine []string
	for i := range 3 {
		mine = append(mine, post(t, d.Inst, "Noor", fmt.Sprintf("message %d before the ban", i)))
	}
	other := post(t, d.Inst, "Zofia", "not banned")
	waitShown(p, append([]string{older, other}, mine...)...)

	moderate(t, d, "MartaMod", "banUser", noor)
	banned := time.Now()
	WaitFor[bool](p, "every message of Noor to leave the log", logJS+`.every(li => li.dataset.userId !== `+jsString(noor)+`)`)
	took := time.Since(banned)
	t.Logf("the ban cleared the screen in %v", took.Round(time.Millisecond))
	if took > modPoll+time.Second {
		t.Errorf("the banned user's messages left after %v, want within mod_poll + 1 s = %v", took, modPoll+time.Second)
	}
	if !slices.Contains(logIDs(p), other) {
		t.Errorf("the ban removed another user's message %s", other)
	}

	typeText(p, "am I still here?")
	pressEnter(p)
	if alert := waitAlert(p); !strings.Contains(alert, "permanently banned") {
		t.Errorf("alert = %q, want the ban explained", alert)
	}
	for _, m := range apiHistory(t, d.URL, "demo", 20) {
		if m.Message == "am I still here?" {
			t.Errorf("the instance stored the banned user's message %s", m.ID)
		}
	}
	p.AssertNoProblems()
}

// A deleted message does not come back with the backfill after a
// reconnect, and a message deleted while the page was away leaves the
// screen when it is back.
func TestModerationDeleteSurvivesReconnect(t *testing.T) {
	srv, d := startCrossOrigin(t, demo.Options{})
	p := NewPage(t)
	recordAdded(p)
	p.Navigate(srv.Page("overlay.html", crossQuery(d, "history=3&mod_poll=1")))
	waitState(p, "live")
	before := post(t, d.Inst, "Zofia", "stays")
	target := post(t, d.Inst, "kenji_k", "to be deleted")
	away := post(t, d.Inst, "ViewerVic", "deleted while the page is away")
	waitShown(p, before, target, away)

	moderate(t, d, "MartaMod", "deleteChatMessage", target)
	waitGone(p, target)

	d.Inst.Refuse(3 * time.Second)
	d.Inst.DropSockets()
	waitState(p, "reconnecting")
	moderate(t, d, "MartaMod", "deleteChatMessage", away)
	gap := post(t, d.Inst, "Zofia", "sent during the gap")
	waitState(p, "live")
	// Only the backfill brings the gap's message, and the moderation read
	// with it is applied first: once it shows, the backfill is in.
	waitShown(p, gap)
	ids := logIDs(p)
	for _, id := range []string{target, away} {
		if slices.Contains(ids, id) {
			t.Errorf("deleted message %s is in the log after the reconnect: %v", id, ids)
		}
	}
	if n := timesAdded(p, target); n != 1 {
		t.Errorf("the deleted message was added to the page %d times, want once (before it was deleted)", n)
	}
	if !slices.Contains(ids, before) {
		t.Errorf("message %s, never deleted, is gone: %v", before, ids)
	}
	p.AssertNoPageProblems()
}

// With hold=3, a message whose author is banned within the 3 seconds
// never shows; an ordinary one shows once the hold is over.
func TestModerationHold(t *testing.T) {
	const hold = 3 * time.Second
	srv, d := startCrossOrigin(t, demo.Options{})
	vic := userID(t, d, "ViewerVic")
	p := NewPage(t)
	recordAdded(p)
	p.Navigate(srv.Page("overlay.html", crossQuery(d, fmt.Sprintf("history=3&hold=%d", hold/time.Second))))
	waitCount(p, 3) // history is moderated already: it is not held
	waitState(p, "live")

	start := time.Now()
	spam := post(t, d.Inst, "ViewerVic", "buy followers at spam.example")
	ok := post(t, d.Inst, "Zofia", "an ordinary message")
	moderate(t, d, "MartaMod", "banUser", vic)
	if since := time.Since(start); since >= hold {
		t.Fatalf("the ban took %v, longer than the hold: the test proves nothing", since)
	}
	waitShown(p, ok)
	took := time.Since(start)
	t.Logf("the ordinary message showed after %v", took.Round(time.Millisecond))
	if took < hold {
		t.Errorf("the ordinary message showed after %v, before the hold of %v", took, hold)
	}
	if took > 2*hold {
		t.Errorf("the ordinary message showed after %v, long after the hold of %v", took, hold)
	}
	if n := timesAdded(p, spam); n != 0 {
		t.Errorf("the banned user's message was shown (%d times)", n)
	}
	p.AssertNoProblems()
}

// toolsOf lists data-mod of the moderator buttons of message id.
func toolsOf(p *Page, id string) []string {
	return Eval[[]string](p, `[...document.querySelectorAll('#glimchat-log li[data-message-id=`+jsString(id)+`] button[data-mod]')].map(b => b.dataset.mod)`)
}

// clickTool clicks a moderator button of message id.
func clickTool(p *Page, id, mod string) {
	p.t.Helper()
	sel := `#glimchat-log li[data-message-id="` + id + `"] button[data-mod="` + mod + `"]`
	WaitFor[bool](p, "the "+mod+" button of message "+id, `!!document.querySelector(`+jsString(sel)+`)`)
	Eval[chromedp.Void](p, `document.querySelector(`+jsString(sel)+`).click()`)
}

// clickListeners counts the click listeners on the log and everything in it.
func clickListeners(t *testing.T, p *Page) int {
	t.Helper()
	log, err := chromedp.Run(p.Ctx, chromedp.Evaluate[*runtime.RemoteObject](`document.getElementById("glimchat-log")`))
	if err != nil {
		t.Fatalf("find the log: %v", err)
	}
	depth := int64(-1)
	res, err := chromedp.Call(p.Ctx, domdebugger.GetEventListeners, domdebugger.GetEventListenersParams{ObjectID: log.ObjectID, Depth: &depth})
	if err != nil {
		t.Fatalf("list the log's listeners: %v", err)
	}
	n := 0
	for _, l := range res.Listeners {
		if l.Type == "click" {
			n++
		}
	}
	return n
}

// The embed page's tools, for a moderator: every other message gets the
// delete, 5-minute, 15-minute and ban buttons, which ask first, work by
// keyboard and report in plain words; a delete removes exactly the message
// it was pressed on. A viewer gets no tools, and a moderator with fewer
// rights fewer buttons. A page opened afterwards does not show what was
// removed, not even before its first paint.
func TestModerationTools(t *testing.T) {
	srv, d := startCrossOrigin(t, demo.Options{})
	older := post(t, d.Inst, "Noor", "older, to be deleted")
	newer := post(t, d.Inst, "Noor", "newer, stays")
	vic := post(t, d.Inst, "ViewerVic", "5 minutes for me")
	kenji := post(t, d.Inst, "kenji_k", "15 minutes for me")
	zofia := post(t, d.Inst, "Zofia", "a ban for me")
	own := post(t, d.Inst, "MartaMod", "the moderator's own line")
	all := []string{older, newer, vic, kenji, zofia, own}
	query := crossQuery(d, "history=6")

	p := signedInEmbed(t, srv, d.Inst, "MartaMod", query)
	waitShown(p, all...)
	everything := []string{"delete_message", "short_timeout", "long_timeout", "ban"}
	for _, id := range all[:5] {
		if got := toolsOf(p, id); !slices.Equal(got, everything) {
			t.Errorf("message %s has tools %v, want %v", id, got, everything)
		}
	}
	if got := toolsOf(p, own); len(got) != 0 {
		t.Errorf("the moderator's own message has tools %v", got)
	}
	if n := Eval[int](p, `document.querySelectorAll('#glimchat-log button:not([type="button"])').length`); n != 0 {
		t.Errorf("%d tool buttons are not type=button", n)
	}
	if n := clickListeners(t, p); n != 1 {
		t.Errorf("the log and its messages have %d click listeners, want the log's one", n)
	}

	// Delete, by keyboard: Enter asks, with the focus on Cancel; Enter
	// there cancels and gives the focus back; then confirm.
	sel := func(id, mod string) string {
		return `#glimchat-log li[data-message-id="` + id + `"] button[data-mod="` + mod + `"]`
	}
	focus := func(id, mod string) {
		t.Helper()
		WaitFor[bool](p, "the "+mod+" button of "+id, `!!document.querySelector(`+jsString(sel(id, mod))+`)`)
		if err := chromedp.Do(p.Ctx, chromedp.Focus(chromedp.CSS(sel(id, mod)))); err != nil {
			t.Fatalf("focus %s of %s: %v", mod, id, err)
		}
	}
	focus(older, "delete_message")
	pressEnter(p)
	WaitFor[bool](p, "the question, with the focus on Cancel", jsString(older+" cancel")+` === `+focusedJS)
	if q := Eval[string](p, `document.querySelector('li[data-message-id="`+older+`"] .glimchat-question').textContent`); q != "Delete this message from Noor?" {
		t.Errorf("question = %q", q)
	}
	pressEnter(p)
	WaitFor[bool](p, "the tools back, with the focus on Delete", jsString(older+" delete_message")+` === `+focusedJS)
	focus(older, "delete_message")
	pressEnter(p)
	focus(older, "confirm")
	pressEnter(p)
	waitGone(p, older)
	if status := WaitFor[string](p, "the result", `document.getElementById("glimchat-modstatus").textContent`); status != "Deleted the message from Noor." {
		t.Errorf("result = %q", status)
	}
	if !slices.Contains(logIDs(p), newer) {
		t.Errorf("deleting %s removed the newer message %s of the same user too", older, newer)
	}

	// The other actions, by mouse; a cancel first changes nothing.
	clickTool(p, vic, "ban")
	clickTool(p, vic, "cancel")
	WaitFor[bool](p, "the tools back after cancel", `!!document.querySelector(`+jsString(sel(vic, "short_timeout"))+`)`)
	for _, a := range []struct{ id, mod, result string }{
		{vic, "short_timeout", "ViewerVic is timed out for 5 minutes."},
		{kenji, "long_timeout", "kenji_k is timed out for 15 minutes."},
		{zofia, "ban", "Zofia is banned from this chat."},
	} {
		clickTool(p, a.id, a.mod)
		clickTool(p, a.id, "confirm")
		waitGone(p, a.id)
		WaitFor[bool](p, "the result "+a.result, `document.getElementById("glimchat-modstatus").textContent === `+jsString(a.result))
	}
	if got := logIDs(p); !slices.Equal(got[len(got)-2:], []string{newer, own}) {
		t.Errorf("log ends with %v, want %s and %s", got, newer, own)
	}
	var bans struct {
		Channel struct {
			Bans struct {
				Edges []struct {
					Node struct {
						User      struct{ Username string }
						ExpiresAt *string
					}
				}
			}
		}
	}
	graphQL(t, d.URL, `{ channel(streamerUsername: "demo") { bans(last: 10) { edges { node { user { username } expiresAt } } } } }`, nil, &bans)
	got := map[string]bool{}
	for _, e := range bans.Channel.Bans.Edges {
		got[e.Node.User.Username+map[bool]string{true: " timeout", false: " ban"}[e.Node.ExpiresAt != nil]] = true
	}
	for _, want := range []string{"ViewerVic timeout", "kenji_k timeout", "Zofia ban"} {
		if !got[want] {
			t.Errorf("the instance has no %s (bans: %v)", want, got)
		}
	}
	p.AssertNoProblems()

	// A page opened now applies the logs before its first paint. It knows
	// the delete only from its log, which names the author, not the
	// message: one of Noor's two goes, the newest at the time of the log.
	sam := NewPage(t)
	recordAdded(sam)
	storeToken(sam, srv.URL, d.URL, tokenOf(t, d.Inst, "SubSam"))
	sam.Navigate(srv.Page("embed.html", query+"&"+remember))
	waitShown(sam, own)
	waitState(sam, "live")
	for _, id := range []string{vic, kenji, zofia} {
		if n := timesAdded(sam, id); n != 0 {
			t.Errorf("removed message %s was shown on load (%d times)", id, n)
		}
	}
	if n := timesAdded(sam, older) + timesAdded(sam, newer); n != 1 {
		t.Errorf("%d of Noor's two messages were shown on load, want one: the other was deleted", n)
	}
	WaitFor[bool](sam, "the composer to be enabled", `!document.querySelector("#glimchat-composer textarea").disabled`)
	if n := Eval[int](sam, `document.querySelectorAll("#glimchat-log button").length`); n != 0 {
		t.Errorf("a viewer's page has %d moderator buttons", n)
	}
	sam.AssertNoProblems()

	// HelperHana may delete and time out for 5 minutes, nothing more.
	hana := signedInEmbed(t, srv, d.Inst, "HelperHana", query)
	waitShown(hana, own)
	if got, want := toolsOf(hana, own), []string{"delete_message", "short_timeout"}; !slices.Equal(got, want) {
		t.Errorf("HelperHana's tools = %v, want %v", got, want)
	}
	hana.AssertNoProblems()
}

// focusedJS is "<message id> <data-mod>" of the focused element.
const focusedJS = `(() => {
	const e = document.activeElement, li = e && e.closest("li");
	return li ? li.dataset.messageId + " " + (e.dataset.mod || e.tagName) : "";
})()`
