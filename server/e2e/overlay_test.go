package e2e

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/glimchat/glimchat/server/demo"
)

// The overlay against glimchat serve with the demo instance: the history
// with every style hook, live messages, and the limit on the log. Each test
// has servers of its own, so they run in parallel (tabs of one chromium).

// The overlay shows the channel's history, in id order, with every hook
// custom CSS and tests rely on, and roles exactly as the API's metadata
// says (metadata null: no roles). Emotes are images from the instance that
// load; URLs are text in the overlay and safe links in the embed page.
func TestHistoryHooks(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{})
	// All 150 seeded messages: the oldest 40 have metadata null.
	const n = 150
	want := apiHistory(t, srv.URL, "demo", n)
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
	waitState(p, "live")
	start := time.Now()
	id := post(t, srv.Demo, "Noor", "live from the test :glimwow:")
	waitShown(p, id)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the posted message took %v to show; the subscription should bring it at once", d)
	}
	// DevTools reports the frame on its own connection, which may trail
	// the page's paint on a busy machine.
	var (
		pushed  bool
		nframes int
	)
	for deadline := time.Now().Add(Timeout); !pushed && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		pushed = slices.ContainsFunc(frames, func(f string) bool {
			return strings.Contains(f, `"id":"`+id+`"`) && strings.Contains(f, "live from the test")
		})
		nframes = len(frames)
		mu.Unlock()
	}
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
	// The start-up's steps are on the page's timeline, once each, in order.
	marks := Eval[[]string](p, `performance.getEntriesByType("mark").map(m => m.name).filter(n => n.startsWith("glimchat:"))`)
	if want := []string{"glimchat:main", "glimchat:start query", "glimchat:start answered", "glimchat:first message painted"}; !slices.Equal(marks, want) {
		t.Errorf("performance marks %q, want %q", marks, want)
	}
	p.AssertNoProblems()
}

// A lone message in a quiet chat is painted in the task that brought it,
// not in a later frame callback: that saves a wake of Go a message, and
// its emotes load before the frame that lays the line out (dom.View.Show).
func TestLoneMessagePaintedAtOnce(t *testing.T) {
	t.Parallel()
	srv, p := openCountingInserts(t)
	const n = 6
	for i := range n {
		waitShown(p, post(t, srv.Demo, "Noor", fmt.Sprintf("quiet chat, message %d :glimwow:", i)))
		time.Sleep(300 * time.Millisecond) // the frame after it has come and gone
	}
	got := Eval[struct{ InFrame, Direct int }](p, `window.glimchatInserts`)
	if got.InFrame+got.Direct != n {
		t.Fatalf("the log took %d insertions for %d messages (%d in frame callbacks)", got.InFrame+got.Direct, n, got.InFrame)
	}
	// A frame may be late on a busy machine, and a message that comes
	// before it waits for it; most never do.
	if got.Direct < n/2 {
		t.Errorf("%d of %d lone messages were painted at once, %d waited for a frame callback", got.Direct, n, got.InFrame)
	}
	p.AssertNoPageProblems()
}

// In a lively chat, lines that come within pace.DefaultGap (100 ms) of
// the last paint share the next one: twenty messages 30 ms apart take
// about seven insertions, not twenty, so the overlay lays out and paints
// fewer frames a message (the lively-chat row of make bench).
func TestLivelyChatSharesPaints(t *testing.T) {
	t.Parallel()
	srv, p := openCountingInserts(t)
	const n = 20
	var ids []string
	for i := range n {
		ids = append(ids, post(t, srv.Demo, "Noor", fmt.Sprintf("lively chat, message %d", i)))
		time.Sleep(30 * time.Millisecond)
	}
	waitShown(p, ids...)
	if got := logIDs(p); !slices.Equal(got, ids) {
		t.Fatalf("log ids = %v, want %v in order", got, ids)
	}
	got := Eval[struct{ InFrame, Direct int }](p, `window.glimchatInserts`)
	if all := got.InFrame + got.Direct; all > n/2 {
		t.Errorf("the log took %d insertions for %d messages 30 ms apart, want at most %d: lines within the gap no longer share a paint", all, n, n/2)
	}
	p.AssertNoPageProblems()
}

// openCountingInserts opens a live overlay of a quiet chat, with no
// history, that counts its log's insertions (insertHook).
func openCountingInserts(t *testing.T) (*Serve, *Page) {
	t.Helper()
	srv := StartServe(t, ServeOptions{Demo: demo.Options{ChatRate: 0}})
	p := NewPage(t)
	if _, err := chromedp.Call(p.Ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: insertHook}); err != nil {
		t.Fatal(err)
	}
	p.Navigate(srv.Page("overlay.html", "channel=demo&"+readOnly+"&history=0"))
	waitState(p, "live")
	return srv, p
}

// insertHook counts the HTML insertions into the log, telling those made
// inside an animation frame callback from the others.
const insertHook = `(() => {
  let depth = 0;
  const raf = window.requestAnimationFrame;
  window.requestAnimationFrame = function (cb) {
    return raf.call(window, function (t) { depth++; try { return cb(t); } finally { depth--; } });
  };
  const counts = window.glimchatInserts = {InFrame: 0, Direct: 0};
  const insert = Element.prototype.insertAdjacentHTML;
  Element.prototype.insertAdjacentHTML = function (where, html) {
    const log = this.id === "glimchat-log" ? this : this.parentElement;
    if (log && log.id === "glimchat-log") depth > 0 ? counts.InFrame++ : counts.Direct++;
    return insert.call(this, where, html);
  };
})();`

// limit bounds the log: every insert prunes the oldest.
func TestOverlayLimit(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{})
	p := openPage(t, srv, "overlay.html", "channel=demo&"+readOnly+"&history=20&limit=5")
	waitCount(p, 5)
	history := apiHistory(t, srv.URL, "demo", 20)
	var wantIDs []string
	for _, m := range history[15:] {
		wantIDs = append(wantIDs, m.ID)
	}
	waitState(p, "live")
	// Record the largest log the page ever has from now on.
	Eval[chromedp.Void](p, `(() => {
		const log = document.getElementById("glimchat-log");
		window.__maxShown = log.children.length;
		new MutationObserver(() => { window.__maxShown = Math.max(window.__maxShown, log.children.length); })
			.observe(log, {childList: true});
	})()`)
	for i := range 4 {
		id := post(t, srv.Demo, "Zofia", fmt.Sprintf("limit test %d", i))
		wantIDs = append(wantIDs[1:], id)
		waitShown(p, id)
	}
	if gotIDs := logIDs(p); !slices.Equal(gotIDs, wantIDs) {
		t.Errorf("log ids = %v, want the newest five %v", gotIDs, wantIDs)
	}
	if most := Eval[int](p, `window.__maxShown`); most > 5 {
		t.Errorf("the log held %d messages at some point, want at most 5", most)
	}
	p.AssertNoProblems()
}
