package e2e

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/glimchat/glimchat/server/demo"
)

// The browser tests of the widget core (issue 3): history with its hooks,
// live updates, pruning, sending, the read-only state, error states and
// hostile messages, against glimchat serve with the demo instance. Each test
// has servers of its own, so they run in parallel (tabs of one chromium).

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
const shownJS = `[...document.querySelectorAll("#glimchat-log > li")].map(li => ({
	id: li.getAttribute("data-message-id"),
	userId: li.getAttribute("data-user-id"),
	username: li.getAttribute("data-username"),
	roles: li.getAttribute("data-roles"),
	badges: [...li.querySelectorAll(".glimchat-badge")].map(b => b.dataset.role).join(" "),
	name: (li.querySelector(".glimchat-name") || {}).textContent || "",
	body: (li.querySelector(".glimchat-body") || {}).textContent || "",
}))`

func shownMessages(p *Page) []shown { return Eval[[]shown](p, shownJS) }

// countJS counts the messages in the log.
const countJS = `document.querySelectorAll("#glimchat-log > li.glimchat-msg").length`

// waitCount waits until the log holds exactly n messages.
func waitCount(p *Page, n int) {
	p.t.Helper()
	WaitFor[bool](p, fmt.Sprintf("%d messages in the log", n), fmt.Sprintf(`%s === %d`, countJS, n))
}

// waitShown waits until the message with this id is in the log.
func waitShown(p *Page, id string) {
	p.t.Helper()
	WaitFor[bool](p, "message "+id+" in the log",
		fmt.Sprintf(`[...document.querySelectorAll("#glimchat-log > li")].some(li => li.getAttribute("data-message-id") === %s)`, jsString(id)))
}

// waitLive waits until the widget says its subscription is up.
func waitLive(p *Page) {
	p.t.Helper()
	WaitFor[bool](p, "data-state=live", `document.getElementById("glimchat").dataset.state === "live"`)
}

// waitStatus waits until #glimchat-status contains want and returns it.
func waitStatus(p *Page, want string) string {
	p.t.Helper()
	return WaitFor[string](p, fmt.Sprintf("#glimchat-status to mention %q", want), fmt.Sprintf(`(() => {
		const t = document.getElementById("glimchat-status").textContent;
		return t.includes(%s) ? t : "";
	})()`, jsString(want)))
}

// openPage opens a widget page of srv.
func openPage(t *testing.T, srv *Serve, name, query string) *Page {
	t.Helper()
	p := NewPage(t)
	p.Navigate(srv.Page(name, query))
	return p
}

const (
	demoChannelID  = 6
	quietChannelID = 7
	readOnly       = "client_id=" + demo.ClientID
)

// apiMessage is a message as the demo API returns it.
type apiMessage struct {
	ID      string
	Message string
	User    struct{ ID, Username, Displayname string }
	// Metadata is nil for messages from before the metadata column.
	Metadata *struct {
		Admin, Streamer, Moderator, Subscriber                 bool
		PlatformFounderSubscriber, PlatformSupporterSubscriber bool
	}
	Tokens []struct{ Type, Text, Src, URL string }
}

// roles is the data-roles value the widget must give m.
func (m apiMessage) roles() string {
	md := m.Metadata
	if md == nil {
		return ""
	}
	var r []string
	for _, f := range []struct {
		on   bool
		name string
	}{{md.Streamer, "streamer"}, {md.Moderator, "moderator"}, {md.Subscriber, "subscriber"},
		{md.PlatformFounderSubscriber, "founder"}, {md.PlatformSupporterSubscriber, "supporter"}, {md.Admin, "admin"}} {
		if f.on {
			r = append(r, f.name)
		}
	}
	return strings.Join(r, " ")
}

// apiHistory asks the demo instance at base for the last n messages of a
// channel, outside the browser, for what the page must show.
func apiHistory(t *testing.T, base string, channelID, n int) []apiMessage {
	t.Helper()
	query := `query($id: ID, $last: Int) { channel(id: $id) { chatMessages(last: $last) { edges { node {
		id message user { id username displayname }
		metadata { admin streamer moderator subscriber platformFounderSubscriber platformSupporterSubscriber }
		tokens { type text ... on EmoteToken { src } ... on UrlToken { url } } } } } } }`
	body, err := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"id": strconv.Itoa(channelID), "last": n}})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, base+"/api/graph", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Client-ID "+demo.ClientID)
	code, raw := getBody(t, req)
	var resp struct {
		Data struct {
			Channel struct {
				ChatMessages struct {
					Edges []struct{ Node apiMessage }
				}
			}
		}
		Errors []struct{ Message string }
	}
	if err := json.Unmarshal(raw, &resp); code != http.StatusOK || err != nil || len(resp.Errors) > 0 {
		t.Fatalf("history of channel %d = %d %s (decode: %v)", channelID, code, raw, err)
	}
	var out []apiMessage
	for _, e := range resp.Data.Channel.ChatMessages.Edges {
		out = append(out, e.Node)
	}
	return out
}

// tokenOf returns the bearer token of a demo user.
func tokenOf(t *testing.T, inst *demo.Instance, username string) string {
	t.Helper()
	for _, tok := range inst.Tokens() {
		if tok.Username == username {
			return tok.Token
		}
	}
	t.Fatalf("the demo instance has no token for %s", username)
	return ""
}

// post injects a message into the demo instance.
func post(t *testing.T, inst *demo.Instance, channel, user, text string) string {
	t.Helper()
	id, err := inst.Post(channel, user, text)
	if err != nil {
		t.Fatalf("demo.Post: %v", err)
	}
	return id
}

// The overlay shows the channel's history, in id order, with every hook
// custom CSS and tests rely on, and roles exactly as the API's metadata
// says (metadata null: no roles). Emotes are images from the instance that
// load; URLs are text in the overlay and safe links in the embed page.
func TestHistoryHooks(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{})
	// All 150 seeded messages: the oldest 40 have metadata null.
	const n = 150
	want := apiHistory(t, srv.URL, demoChannelID, n)
	if len(want) != n {
		t.Fatalf("demo API returned %d messages, want %d", len(want), n)
	}
	query := fmt.Sprintf("channel=demo&%s&history=%d&limit=%d", readOnly, n, n+10)

	t.Run("overlay", func(t *testing.T) {
		p := openPage(t, srv, "overlay.html", query)
		waitCount(p, n)
		if role := Eval[string](p, `document.getElementById("glimchat-log").getAttribute("role")`); role != "log" {
			t.Errorf("#glimchat-log role = %q, want log", role)
		}
		// OBS composites the page on the scene: nothing may paint a background.
		if bgs := Eval[[]string](p, `[document.documentElement, document.body, document.getElementById("glimchat"),
			document.getElementById("glimchat-log"), document.querySelector(".glimchat-msg")].map(e => getComputedStyle(e).backgroundColor)`); slices.ContainsFunc(bgs, func(bg string) bool { return bg != "rgba(0, 0, 0, 0)" }) {
			t.Errorf("overlay backgrounds (html, body, root, log, message) = %q, want all transparent", bgs)
		}
		got := shownMessages(p)
		var nullMeta, moderator, streamer int
		prev := int64(-1)
		for i, m := range got {
			id, err := strconv.ParseInt(m.ID, 10, 64)
			if err != nil || strconv.FormatInt(id, 10) != m.ID {
				t.Errorf("message %d: data-message-id %q is not a decimal id", i, m.ID)
			}
			if id <= prev {
				t.Errorf("message %d: id %d after %d, want increasing ids", i, id, prev)
			}
			prev = id
			w := want[i]
			if m.ID != w.ID || m.UserID != w.User.ID || m.Username != w.User.Username {
				t.Errorf("message %d: id/user-id/username = %s/%s/%s, want %s/%s/%s",
					i, m.ID, m.UserID, m.Username, w.ID, w.User.ID, w.User.Username)
			}
			if wantName := cmp.Or(w.User.Displayname, w.User.Username); m.Name != wantName {
				t.Errorf("message %s: name %q, want %q", m.ID, m.Name, wantName)
			}
			if m.Roles != w.roles() || m.Badges != w.roles() {
				t.Errorf("message %s by %s: data-roles %q, badges %q; want %q (metadata %+v)",
					m.ID, m.Username, m.Roles, m.Badges, w.roles(), w.Metadata)
			}
			switch {
			case w.Metadata == nil:
				nullMeta++
			case strings.Contains(m.Roles, "moderator"):
				moderator++
			case strings.Contains(m.Roles, "streamer"):
				streamer++
			}
		}
		if nullMeta == 0 || moderator == 0 || streamer == 0 {
			t.Errorf("history shows %d metadata-null, %d moderator and %d streamer messages; the check needs each",
				nullMeta, moderator, streamer)
		}

		// Every badge is a visible label (the element itself is empty: the
		// stylesheet draws it), on a background of its role's colour.
		type badge struct {
			Role, Label, Background string
			Width, Height           float64
		}
		badges := Eval[[]badge](p, `[...document.querySelectorAll("#glimchat-log .glimchat-badge")].map(b => {
			const r = b.getBoundingClientRect(), cs = getComputedStyle(b);
			return {Role: b.dataset.role, Label: getComputedStyle(b, "::before").content,
				Background: cs.backgroundColor, Width: r.width, Height: r.height};
		})`)
		colours := map[string]string{}
		for _, b := range badges {
			if b.Width < 8 || b.Height < 8 || len(b.Label) < 3 || b.Label == "none" {
				t.Errorf("badge %+v is not a visible label", b)
			}
			if c, ok := colours[b.Role]; ok && c != b.Background {
				t.Errorf("%s badges have backgrounds %s and %s", b.Role, c, b.Background)
			}
			colours[b.Role] = b.Background
		}
		if len(colours) < 4 {
			t.Errorf("badges of %d roles (%v), want the demo's roles to show", len(colours), colours)
		}
		for r1, c1 := range colours {
			for r2, c2 := range colours {
				if r1 < r2 && c1 == c2 {
					t.Errorf("%s and %s badges share the colour %s", r1, r2, c1)
				}
			}
		}

		// Emotes: <img> from the instance's /uploads/emotes/, loaded.
		type emote struct {
			Src, Alt string
			Width    float64
		}
		emotes := WaitFor[[]emote](p, "every emote image to load", `(() => {
			const imgs = [...document.querySelectorAll("#glimchat-log img.glimchat-emote")];
			if (imgs.length === 0 || imgs.some(i => !i.complete)) return null;
			return imgs.map(i => ({Src: i.src, Alt: i.alt, Width: i.naturalWidth}));
		})()`)
		wantEmotes := 0
		for _, w := range want {
			for _, tok := range w.Tokens {
				if tok.Type == "emote" {
					wantEmotes++
				}
			}
		}
		if len(emotes) != wantEmotes {
			t.Errorf("%d emote images, want %d (the API's emote tokens)", len(emotes), wantEmotes)
		}
		for _, e := range emotes {
			if !strings.HasPrefix(e.Src, srv.URL+"/uploads/emotes/") || e.Width <= 0 ||
				!strings.HasPrefix(e.Alt, ":") || !strings.HasSuffix(e.Alt, ":") {
				t.Errorf("emote %+v: want an absolute %s/uploads/emotes/ image that loads, alt its :code:", e, srv.URL)
			}
		}

		// URL tokens stay text: nobody clicks on a stream.
		if links := Eval[int](p, `document.querySelectorAll("#glimchat-log a").length`); links != 0 {
			t.Errorf("overlay log has %d links, want none", links)
		}
		urls := 0
		for i, w := range want {
			for _, tok := range w.Tokens {
				if tok.Type == "url" {
					urls++
					if !strings.Contains(got[i].Body, tok.Text) {
						t.Errorf("message %s: body %q lacks the URL text %q", w.ID, got[i].Body, tok.Text)
					}
				}
			}
		}
		if urls == 0 {
			t.Error("the history has no URL token to check")
		}
		p.AssertNoProblems()
	})

	t.Run("embed links", func(t *testing.T) {
		p := openPage(t, srv, "embed.html", query)
		waitCount(p, n)
		type link struct{ Href, Rel, Target, Text string }
		links := Eval[[]link](p, `[...document.querySelectorAll("#glimchat-log a")].map(a =>
			({Href: a.href, Rel: a.getAttribute("rel"), Target: a.getAttribute("target"), Text: a.textContent}))`)
		var wantURLs []string
		for _, w := range want {
			for _, tok := range w.Tokens {
				if tok.Type == "url" {
					wantURLs = append(wantURLs, tok.URL)
				}
			}
		}
		if len(links) != len(wantURLs) || len(links) == 0 {
			t.Fatalf("embed log has %d links, want %d (the API's URL tokens)", len(links), len(wantURLs))
		}
		for i, l := range links {
			if l.Rel != "ugc noopener noreferrer nofollow" || l.Target != "_blank" ||
				!strings.HasPrefix(l.Href, "https://") || l.Href != wantURLs[i] && strings.TrimSuffix(l.Href, "/") != wantURLs[i] {
				t.Errorf("link %+v: want href %s, rel \"ugc noopener noreferrer nofollow\", target _blank", l, wantURLs[i])
			}
		}
		p.AssertNoProblems()
	})
}

// A message posted after the page loaded arrives over the subscription (the
// widget subscribes even when the instance is its own origin), well before
// the history refresh interval would bring it.
func TestOverlayLive(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{})
	p := NewPage(t)
	// Every websocket frame the page receives, recorded from the start.
	var (
		mu     sync.Mutex
		frames []string
	)
	received := chromedp.Events(p.Ctx, network.WebSocketFrameReceived)
	go func() {
		for ev, err := range received {
			if err != nil {
				return
			}
			mu.Lock()
			frames = append(frames, string(ev.Response.PayloadData))
			mu.Unlock()
		}
	}()
	p.Navigate(srv.Page("overlay.html", "channel=demo&"+readOnly+"&history=5"))
	waitCount(p, 5)
	waitLive(p)
	start := time.Now()
	id := post(t, srv.Demo, "demo", "Noor", "live from the test :glimwow:")
	waitShown(p, id)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the posted message took %v to show; the subscription should bring it at once", d)
	}
	mu.Lock()
	pushed := slices.ContainsFunc(frames, func(f string) bool {
		return strings.Contains(f, `"id":"`+id+`"`) && strings.Contains(f, "live from the test")
	})
	nframes := len(frames)
	mu.Unlock()
	if !pushed {
		t.Errorf("message %s did not come over the websocket (%d frames received)", id, nframes)
	}
	last := shownMessages(p)
	if m := last[len(last)-1]; m.ID != id || m.Username != "Noor" || !strings.Contains(m.Body, "live from the test") {
		t.Errorf("last message = %+v, want %s by Noor at the end", m, id)
	}
	if n := Eval[int](p, `document.querySelectorAll("#glimchat-log img.glimchat-emote[alt=':glimwow:']").length`); n == 0 {
		t.Error("the live message's emote is not an image")
	}
	p.AssertNoProblems()
}

// limit bounds the log: every insert prunes the oldest.
func TestOverlayLimit(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{})
	p := openPage(t, srv, "overlay.html", "channel=demo&"+readOnly+"&history=20&limit=5")
	waitCount(p, 5)
	history := apiHistory(t, srv.URL, demoChannelID, 20)
	var wantIDs []string
	for _, m := range history[15:] {
		wantIDs = append(wantIDs, m.ID)
	}
	waitLive(p)
	// Record the largest log the page ever has from now on.
	Eval[chromedp.Void](p, `(() => {
		const log = document.getElementById("glimchat-log");
		window.__maxShown = log.children.length;
		new MutationObserver(() => { window.__maxShown = Math.max(window.__maxShown, log.children.length); })
			.observe(log, {childList: true});
	})()`)
	for i := range 4 {
		id := post(t, srv.Demo, "demo", "Zofia", fmt.Sprintf("limit test %d", i))
		wantIDs = append(wantIDs[1:], id)
		waitShown(p, id)
	}
	var gotIDs []string
	for _, m := range shownMessages(p) {
		gotIDs = append(gotIDs, m.ID)
	}
	if !slices.Equal(gotIDs, wantIDs) {
		t.Errorf("log ids = %v, want the newest five %v", gotIDs, wantIDs)
	}
	if most := Eval[int](p, `window.__maxShown`); most > 5 {
		t.Errorf("the log held %d messages at some point, want at most 5", most)
	}
	p.AssertNoProblems()
}

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

// signedInEmbed opens the embed page with user's token in sessionStorage.
func signedInEmbed(t *testing.T, srv *Serve, user, query string) *Page {
	t.Helper()
	p := NewPage(t)
	p.SetSession(srv.URL, "glimchat.token", tokenOf(t, srv.Demo, user))
	p.Navigate(srv.Page("embed.html", query))
	WaitFor[bool](p, "the composer to be enabled", `!document.querySelector("#glimchat-composer textarea").disabled`)
	return p
}

// typeText focuses the textarea and types text key by key.
func typeText(p *Page, text string) {
	p.t.Helper()
	if err := chromedp.Do(p.Ctx, chromedp.SendKeys(chromedp.ID("glimchat-message"), text)); err != nil {
		p.t.Fatalf("type %q: %v", text, err)
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

// countIn counts the stored messages of a channel with this text by user.
func countIn(t *testing.T, srv *Serve, channelID int, user, text string) int {
	t.Helper()
	n := 0
	for _, m := range apiHistory(t, srv.URL, channelID, 1000) {
		if m.User.Username == user && m.Message == text {
			n++
		}
	}
	return n
}

// A signed-in viewer types a message and presses Enter: it is sent once,
// shows once although it also comes back over the subscription, and the
// form resets.
func TestEmbedSends(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{})
	p := signedInEmbed(t, srv, "Noor", "channel=demo&history=5")
	waitCount(p, 5)
	waitLive(p)
	if c := Eval[composerState](p, composerJS); c.Counter != "0/255" || c.ButtonOff {
		t.Errorf("signed-in composer = %+v, want counter 0/255 and the button enabled", c)
	}
	typeText(p, "hello")
	if c := Eval[composerState](p, composerJS); c.Value != "hello" || c.Counter != "5/255" {
		t.Errorf("after typing: composer = %+v, want value hello and counter 5/255", c)
	}
	// The counter measures as maxlength does (UTF-16 units): an emoji is 2.
	typeText(p, " 🎉")
	if c := Eval[composerState](p, composerJS); c.Value != "hello 🎉" || c.Counter != "8/255" {
		t.Errorf("after typing an emoji: composer = %+v, want counter 8/255", c)
	}
	typeText(p, kb.Backspace+kb.Backspace) // the emoji, then the space
	if c := Eval[composerState](p, composerJS); c.Value != "hello" || c.Counter != "5/255" {
		t.Errorf("after deleting it: composer = %+v, want value hello and counter 5/255", c)
	}
	pressEnter(p)
	WaitFor[bool](p, "the textarea to clear", `document.querySelector("#glimchat-composer textarea").value === ""`)
	sent := WaitFor[string](p, "the sent message in the log", `(() => {
		const li = [...document.querySelectorAll("#glimchat-log > li")].find(li =>
			li.dataset.username === "Noor" && li.querySelector(".glimchat-body").textContent === "hello");
		return li ? li.dataset.messageId : "";
	})()`)
	// The subscription delivers in order: once a later message shows, the
	// echo of ours has been handled too.
	later := post(t, srv.Demo, "demo", "Zofia", "after the echo")
	waitShown(p, later)
	copies := Eval[int](p, fmt.Sprintf(`[...document.querySelectorAll("#glimchat-log > li")].filter(li =>
		li.dataset.messageId === %s || (li.dataset.username === "Noor" && li.textContent.endsWith(": hello"))).length`, jsString(sent)))
	if copies != 1 {
		t.Errorf("the sent message shows %d times, want once", copies)
	}
	if n := countIn(t, srv, demoChannelID, "Noor", "hello"); n != 1 {
		t.Errorf("the demo instance stored %d copies of the message, want 1", n)
	}
	if c := Eval[composerState](p, composerJS); c.Value != "" || c.Counter != "0/255" || c.Alert != "" || c.Disabled {
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
		channelID           int
		text                string
		click               bool // submit with the button instead of Enter
		want                string
	}{
		{"banned", "banned_bob", "demo", demoChannelID, "let me back in", false, "permanently banned"},
		{"no chat scope", "lurker", "demo", demoChannelID, "can I talk", true, "not allowed to chat"},
		{"links disabled", "Noor", "quiet", quietChannelID, "read https://example.com/book", false, "does not allow links"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Enough history to scroll, so that the newest line must stay
			// in view when the alert takes room.
			shown := len(apiHistory(t, srv.URL, tt.channelID, 30))
			p := signedInEmbed(t, srv, tt.user, "channel="+tt.channel+"&history=30")
			waitCount(p, shown)
			typeText(p, tt.text)
			if tt.click {
				if err := chromedp.Do(p.Ctx, chromedp.Click(chromedp.CSS("#glimchat-composer button[type=submit]"))); err != nil {
					t.Fatalf("click send: %v", err)
				}
			} else {
				pressEnter(p)
			}
			alert := WaitFor[string](p, "#glimchat-alert", `document.getElementById("glimchat-alert").textContent`)
			if !strings.Contains(alert, tt.want) {
				t.Errorf("alert = %q, want it to say %q", alert, tt.want)
			}
			if role := Eval[string](p, `document.getElementById("glimchat-alert").getAttribute("role")`); role != "alert" {
				t.Errorf("#glimchat-alert role = %q, want alert", role)
			}
			// The text stays, to be fixed and sent again; nothing was stored or shown.
			if c := Eval[composerState](p, composerJS); c.Value != tt.text || c.Disabled || c.ButtonOff {
				t.Errorf("after the refusal: composer = %+v, want the text kept and the form usable", c)
			}
			if n := Eval[int](p, countJS); n != shown {
				t.Errorf("log holds %d messages after a refused send, want the %d of history", n, shown)
			}
			if tt.channelID == demoChannelID && !Eval[bool](p, overflows) {
				t.Error("the log does not scroll: the check below needs it to")
			}
			WaitFor[bool](p, "the newest line in view with the alert shown", newestInView)
			if n := countIn(t, srv, tt.channelID, tt.user, tt.text); n != 0 {
				t.Errorf("the demo instance stored the refused message %d times", n)
			}
			p.AssertNoProblems()
		})
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

// The embed log follows new lines while the reader is at the bottom, and
// leaves a reader who scrolled up to older lines where they are.
func TestEmbedScroll(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{})
	p := openPage(t, srv, "embed.html", "channel=demo&"+readOnly+"&history=60")
	waitCount(p, 60)
	waitLive(p)
	if !Eval[bool](p, overflows) {
		t.Fatal("60 lines fit in the log: the test needs it to scroll")
	}
	WaitFor[bool](p, "the newest line in view after load", newestInView)

	Eval[chromedp.Void](p, `document.getElementById("glimchat-log").scrollTop = 0`)
	id := post(t, srv.Demo, "demo", "Zofia", "while reading old lines")
	waitShown(p, id)
	Eval[chromedp.Void](p, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))`)
	if top := Eval[float64](p, `document.getElementById("glimchat-log").scrollTop`); top != 0 {
		t.Errorf("a new line scrolled the reader from the top to %v", top)
	}

	Eval[chromedp.Void](p, `(() => { const l = document.getElementById("glimchat-log"); l.scrollTop = l.scrollHeight; })()`)
	Eval[chromedp.Void](p, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))`)
	id = post(t, srv.Demo, "demo", "Zofia", "back at the bottom")
	waitShown(p, id)
	WaitFor[bool](p, "the new line in view", newestInView)
	p.AssertNoProblems()
}

// Without a token the embed page is read-only: the form is disabled and
// says so, and no way of submitting sends anything.
func TestEmbedReadOnly(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{})
	before := len(apiHistory(t, srv.URL, demoChannelID, 1000))
	p := openPage(t, srv, "embed.html", "channel=demo&"+readOnly+"&history=3")
	waitCount(p, 3)
	waitLive(p)
	c := Eval[composerState](p, composerJS)
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
	alert := WaitFor[string](p, "#glimchat-alert", `document.getElementById("glimchat-alert").textContent`)
	if !strings.Contains(alert, "read-only") {
		t.Errorf("alert after Enter = %q, want it to say the chat is read-only", alert)
	}
	Eval[chromedp.Void](p, `(() => {
		document.getElementById("glimchat-alert").textContent = "";
		document.getElementById("glimchat-composer").requestSubmit();
	})()`)
	alert = WaitFor[string](p, "#glimchat-alert", `document.getElementById("glimchat-alert").textContent`)
	if !strings.Contains(alert, "read-only") {
		t.Errorf("alert after submit = %q, want it to say the chat is read-only", alert)
	}
	// A message sent by someone else still arrives, and nothing of ours.
	later := post(t, srv.Demo, "demo", "Zofia", "still reading")
	waitShown(p, later)
	if after := len(apiHistory(t, srv.URL, demoChannelID, 1000)); after != before+1 {
		t.Errorf("demo channel went from %d to %d messages, want only the one posted by the test", before, after)
	}
	if n := Eval[int](p, `[...document.querySelectorAll("#glimchat-log > li")].filter(li => li.textContent.includes("sneaky")).length`); n != 0 {
		t.Errorf("the refused message shows %d times", n)
	}
	p.AssertNoProblems()
}

// Every failure is a visible line of plain words, never a blank page.
func TestErrorStates(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{Instances: []string{"http://127.0.0.1:1"}})

	// visibleStatus checks that the status line is on screen.
	visibleStatus := func(t *testing.T, p *Page) {
		t.Helper()
		if h := Eval[float64](p, `document.getElementById("glimchat-status").getBoundingClientRect().height`); h <= 0 {
			t.Error("#glimchat-status is not visible")
		}
	}

	t.Run("unknown channel", func(t *testing.T) {
		p := openPage(t, srv, "overlay.html", "channel=nobody_here&"+readOnly)
		status := waitStatus(p, "no channel")
		if !strings.Contains(status, `"nobody_here"`) {
			t.Errorf("status = %q, want it to name the channel", status)
		}
		WaitFor[bool](p, "data-state=offline", `document.getElementById("glimchat").dataset.state === "offline"`)
		visibleStatus(t, p)
		p.AssertNoProblems()
	})

	t.Run("bad parameter", func(t *testing.T) {
		p := openPage(t, srv, "overlay.html", "channel=demo&"+readOnly+"&history=abc")
		waitCount(p, 50) // the default history
		waitLive(p)
		status := waitStatus(p, "history")
		if !strings.Contains(status, "abc") {
			t.Errorf("status = %q, want it to name history and the bad value", status)
		}
		visibleStatus(t, p)
		p.AssertNoProblems()
	})

	t.Run("missing channel", func(t *testing.T) {
		p := openPage(t, srv, "embed.html", readOnly)
		waitStatus(p, "channel=")
		visibleStatus(t, p)
		p.AssertNoProblems()
	})

	t.Run("unreachable instance", func(t *testing.T) {
		p := openPage(t, srv, "overlay.html", "channel=demo&"+readOnly+"&instance=http://127.0.0.1:1&transport=fetch")
		waitStatus(p, "Cannot reach")
		visibleStatus(t, p)
		p.AssertNoPageProblems()
	})

	t.Run("refused client id", func(t *testing.T) {
		p := openPage(t, srv, "overlay.html", "channel=demo&client_id=nope")
		waitStatus(p, "client_id")
		visibleStatus(t, p)
		if n := Eval[int](p, countJS); n != 0 {
			t.Errorf("log shows %d messages with a refused client id", n)
		}
		p.AssertNoPageProblems()
	})

	t.Run("cross-origin fetch", func(t *testing.T) {
		d := StartDemo(t, demo.Options{})
		cross := StartServe(t, ServeOptions{Instances: []string{d.URL}})
		p := openPage(t, cross, "overlay.html", "channel=demo&"+readOnly+"&transport=fetch&instance="+d.URL)
		status := waitStatus(p, "transport=socket")
		if !strings.Contains(status, "glimchat serve -upstream") {
			t.Errorf("status = %q, want it to suggest glimchat serve -upstream too", status)
		}
		visibleStatus(t, p)
		p.AssertNoPageProblems()
	})
}

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
				history[post(t, srv.Demo, "demo", "Noor", pl)] = pl
			}
			p := openPage(t, srv, pageName, query)
			waitCount(p, len(payloads))
			waitLive(p)
			live := map[string]string{}
			var lastID string
			for _, pl := range payloads {
				lastID = post(t, srv.Demo, "demo", "ViewerVic", pl)
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

// gate holds the GraphQL requests whose body contains match until Open,
// so a test can look at the page while one is on its way.
type gate struct {
	match string
	open  chan struct{}
	held  chan struct{} // one value per request held
}

func newGate(match string) *gate {
	return &gate{match: match, open: make(chan struct{}), held: make(chan struct{}, 16)}
}

func (g *gate) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/api/graph" {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			if bytes.Contains(body, []byte(g.match)) {
				g.held <- struct{}{}
				select {
				case <-g.open:
				case <-r.Context().Done():
					return
				}
			}
		}
		h.ServeHTTP(w, r)
	})
}

// wait returns once a request is held.
func (g *gate) wait(t *testing.T) {
	t.Helper()
	select {
	case <-g.held:
	case <-time.After(Timeout):
		t.Fatalf("no request matching %q arrived", g.match)
	}
}

// startGated serves the widget with a demo instance behind g.
func startGated(t *testing.T, g *gate) *Serve {
	t.Helper()
	inst := startInstance(t, demo.Options{Seed: 1}, slog.New(slog.DiscardHandler))
	srv := StartServe(t, ServeOptions{API: g.wrap(inst.Handler())})
	srv.Demo = inst
	return srv
}

// While the instance has not answered yet, the page says it is connecting
// (never blank); once live, the line goes away.
func TestConnectingStatus(t *testing.T) {
	t.Parallel()
	g := newGate("streamerUsername")
	srv := startGated(t, g)
	p := openPage(t, srv, "overlay.html", "channel=demo&"+readOnly+"&history=3")
	g.wait(t)
	status := waitStatus(p, "Connecting")
	if !strings.Contains(status, "demo") {
		t.Errorf("status = %q, want it to name the channel", status)
	}
	if h := Eval[float64](p, `document.getElementById("glimchat-status").getBoundingClientRect().height`); h <= 0 {
		t.Error("the connecting line is not visible")
	}
	if st := Eval[string](p, `document.getElementById("glimchat").dataset.state`); st != "connecting" {
		t.Errorf("data-state = %q while the lookup is held, want connecting", st)
	}
	close(g.open)
	waitCount(p, 3)
	waitLive(p)
	if s := Eval[string](p, `(() => {
		const s = document.getElementById("glimchat-status");
		return s.hidden || getComputedStyle(s).display === "none" ? "" : s.textContent;
	})()`); s != "" {
		t.Errorf("status shows %q once live, want it hidden", s)
	}
	p.AssertNoProblems()
}

// Enter pressed again while a message is on its way does not send it
// twice, and text typed meanwhile survives the send.
func TestEmbedSendsOnce(t *testing.T) {
	t.Parallel()
	g := newGate("createChatMessage")
	srv := startGated(t, g)
	p := signedInEmbed(t, srv, "Noor", "channel=demo&history=2")
	waitCount(p, 2)
	waitLive(p)
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
	id := WaitFor[string](p, "the sent message in the log", `(() => {
		const li = [...document.querySelectorAll("#glimchat-log > li")].find(li =>
			li.querySelector(".glimchat-body").textContent === "first");
		return li ? li.dataset.messageId : "";
	})()`)
	later := post(t, srv.Demo, "demo", "Zofia", "after the echo")
	waitShown(p, later)
	if n := countIn(t, srv, demoChannelID, "Noor", "first"); n != 1 {
		t.Errorf("the demo instance stored %d copies, want 1", n)
	}
	if n := Eval[int](p, `[...document.querySelectorAll("#glimchat-log > li")].filter(li =>
		li.querySelector(".glimchat-body").textContent === "first").length`); n != 1 {
		t.Errorf("message %s shows %d times, want once", id, n)
	}
	if c := Eval[composerState](p, composerJS); c.Value != "first and more" || c.Counter != "14/255" {
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
			p.SetSession(srv.URL, "glimchat.token", tokenOf(t, srv.Demo, "Noor"))
			p.Navigate(srv.Page("embed.html", "channel=demo&history=40"))
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
