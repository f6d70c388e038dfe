package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/glimchat/glimchat/server/demo"
)

// The browser tests of live chat (issue 4): the widget on glimchat serve
// follows a standalone demo instance on another origin, as it would follow
// a real instance, through the Phoenix websocket, and heals itself when the
// instance drops, stalls, refuses or crashes its socket.

// recordedDemo is a standalone demo instance that remembers every request
// it was sent, as an access log would.
type recordedDemo struct {
	*Demo
	mu   sync.Mutex
	reqs []demoRequest
}

type demoRequest struct {
	at     time.Time
	method string
	path   string
}

func startRecordedDemo(t testing.TB, opts demo.Options) *recordedDemo {
	t.Helper()
	logs := &syncBuffer{}
	logger := slogJSON(logs)
	inst := startInstance(t, opts, logger)
	d := &recordedDemo{Demo: &Demo{Inst: inst, Log: logs}}
	h := inst.Handler()
	d.URL = listen(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		d.reqs = append(d.reqs, demoRequest{time.Now(), r.Method, r.URL.Path})
		d.mu.Unlock()
		h.ServeHTTP(w, r)
	}), "demo", logs)
	return d
}

func slogJSON(w *syncBuffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// contextWithTimeout bounds one chromedp.Run on the page.
func contextWithTimeout(p *Page) (context.Context, context.CancelFunc) {
	return context.WithTimeout(p.Ctx, Timeout)
}

// requests returns the requests so far whose path is path.
func (d *recordedDemo) requests(path string) []demoRequest {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []demoRequest
	for _, r := range d.reqs {
		if r.path == path {
			out = append(out, r)
		}
	}
	return out
}

// startCrossOrigin starts glimchat serve and a standalone demo instance on
// another origin that serve's CSP allows.
func startCrossOrigin(t testing.TB, opts demo.Options) (*Serve, *recordedDemo) {
	t.Helper()
	d := startRecordedDemo(t, opts)
	srv := StartServe(t, ServeOptions{Instances: []string{d.URL}})
	if d.URL == srv.URL {
		t.Fatalf("demo and serve share the origin %s", d.URL)
	}
	return srv, d
}

// crossQuery is the page query that points the widget at d's demo channel.
func crossQuery(d *recordedDemo, extra string) string {
	q := "instance=" + url.QueryEscape(d.URL) + "&channel=demo&client_id=" + demo.ClientID
	if extra != "" {
		q += "&" + extra
	}
	return q
}

// logIDsJS lists data-message-id of the log, in document order.
const logIDsJS = `[...document.querySelectorAll("#glimchat-log > li.glimchat-msg")].map(li => li.getAttribute("data-message-id"))`

func logIDs(p *Page) []string { return Eval[[]string](p, logIDsJS) }

// waitState waits until #glimchat has data-state=want.
func waitState(p *Page, want string) {
	p.t.Helper()
	WaitFor[bool](p, "data-state="+want, `document.getElementById("glimchat").dataset.state === `+jsString(want))
}

// waitIDs waits until every id is in the log.
func waitIDs(p *Page, what string, ids ...string) {
	p.t.Helper()
	WaitFor[bool](p, what, `(() => {
		const want = `+jsArray(ids)+`;
		const have = new Set(`+logIDsJS+`);
		return want.every(id => have.has(id));
	})()`)
}

func jsArray(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = jsString(s)
	}
	return "[" + strings.Join(q, ",") + "]"
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

// post injects a message as user through the demo's createChatMessage path.
func postAs(t testing.TB, inst *demo.Instance, user, text string) string {
	t.Helper()
	id, err := inst.Post("demo", user, text)
	if err != nil {
		t.Fatalf("post %q: %v", text, err)
	}
	return id
}

// noGraphOverHTTP fails the test if the page sent anything to the
// instance's /api/graph over HTTP: cross-origin, that fails the CORS
// preflight against a real instance, so the widget must not need it.
func noGraphOverHTTP(t testing.TB, d *recordedDemo) {
	t.Helper()
	for _, r := range d.requests("/api/graph") {
		t.Errorf("the page sent %s /api/graph to the cross-origin instance; it must use the socket", r.method)
	}
	if n := len(d.requests("/api/graph/websocket")); n == 0 {
		t.Errorf("the page never opened the instance's websocket")
	}
}

// The overlay on another origin than the instance: history, then live
// messages, over the websocket alone, with transport=auto and =socket.
func TestLiveCrossOriginOverlay(t *testing.T) {
	for _, transport := range []string{"auto", "socket"} {
		t.Run(transport, func(t *testing.T) {
			srv, d := startCrossOrigin(t, demo.Options{})
			// The newest fixture messages, as the instance knows them.
			last := postAs(t, d.Inst, "Noor", "before the page opened")

			p := NewPage(t)
			p.Navigate(srv.Page("overlay.html", crossQuery(d, "history=5&transport="+transport)))
			waitIDs(p, "the history, up to the message posted before", last)
			waitState(p, "live")
			history := logIDs(p)
			if len(history) != 5 || history[4] != last {
				t.Fatalf("history = %v, want 5 messages ending with %s", history, last)
			}

			var live []string
			for i := range 3 {
				live = append(live, postAs(t, d.Inst, "ViewerVic", fmt.Sprintf("live message %d", i)))
			}
			waitIDs(p, "the live messages", live...)
			if got, want := logIDs(p), append(slices.Clone(history), live...); !slices.Equal(got, want) {
				t.Errorf("log = %v, want %v", got, want)
			}
			text := Eval[string](p, `document.getElementById("glimchat-log").textContent`)
			if !strings.Contains(text, "live message 2") {
				t.Errorf("the log does not show the text of the live messages: %q", text)
			}
			noGraphOverHTTP(t, d)
			p.AssertNoProblems()
		})
	}
}

// The embed page on another origin than the instance: a signed-in viewer
// sends through the socket tunnel, and the message shows once although
// both the mutation's reply and the subscription's push carry it.
func TestLiveCrossOriginEmbed(t *testing.T) {
	srv, d := startCrossOrigin(t, demo.Options{})
	var token string
	for _, tk := range d.Inst.Tokens() {
		if tk.Username == "SubSam" {
			token = tk.Token
		}
	}
	if token == "" {
		t.Fatal("the demo has no token for SubSam")
	}
	p := NewPage(t)
	p.Navigate(srv.Page("embed.html", crossQuery(d, "history=3")))
	Eval[chromedp.Void](p, `sessionStorage.setItem("glimchat.token", `+jsString(token)+`)`)
	p.Navigate(srv.Page("embed.html", crossQuery(d, "history=3")))
	waitState(p, "live")
	WaitFor[bool](p, "the composer to be enabled",
		`(() => { const ta = document.querySelector("#glimchat-composer textarea"); return !!ta && !ta.disabled; })()`)
	before := logIDs(p)
	if len(before) != 3 {
		t.Errorf("history shows %v, want the 3 most recent messages", before)
	}

	const text = "hello across origins"
	ctx, cancel := contextWithTimeout(p)
	defer cancel()
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#glimchat-composer textarea"), text),
		chromedp.Click(chromedp.CSS(`#glimchat-composer button[type="submit"]`)),
	); err != nil {
		t.Fatalf("type and send: %v", err)
	}
	sent := WaitFor[string](p, "the sent message in the log", `(() => {
		const li = [...document.querySelectorAll("#glimchat-log > li.glimchat-msg")].find(li => li.textContent.includes(`+jsString(text)+`));
		return li ? li.getAttribute("data-message-id") : "";
	})()`)
	// Pushes arrive in order: once a later message is shown, the push of
	// the sent one has been handled too.
	after := postAs(t, d.Inst, "Noor", "after the sent message")
	waitIDs(p, "the message posted after", after)

	got := logIDs(p)
	want := append(slices.Clone(before), sent, after)
	if !slices.Equal(got, want) {
		t.Errorf("log = %v, want %v (the sent message exactly once)", got, want)
	}
	if user := Eval[string](p, `document.querySelector('#glimchat-log > li[data-message-id=`+jsString(sent)+`]').dataset.username`); user != "SubSam" {
		t.Errorf("the sent message shows as %q, want SubSam", user)
	}
	if v := Eval[string](p, `document.querySelector("#glimchat-composer textarea").value`); v != "" {
		t.Errorf("the composer still holds %q after sending", v)
	}
	noGraphOverHTTP(t, d)
	p.AssertNoProblems()
}

// 500 messages while the instance drops, stalls, refuses and crashes the
// socket: every message shows exactly once, in order, soon after the last
// recovery. heartbeat=5 makes a stall show within 10 s instead of 60.
func TestLiveResilience(t *testing.T) {
	srv, d := startCrossOrigin(t, demo.Options{})
	p := NewPage(t)
	p.Navigate(srv.Page("overlay.html", crossQuery(d, "history=0&limit=1000&heartbeat=5")))
	waitState(p, "live")
	recordStates(p)
	start := time.Now()

	const total = 500
	const pace = 36 * time.Millisecond // 18 s of steady chat
	ids := make([]string, 0, total)
	posted := make(chan struct{})
	go func() {
		defer close(posted)
		next := time.Now()
		for i := range total {
			id, err := d.Inst.Post("demo", "ViewerVic", fmt.Sprintf("steady %d", i))
			if err != nil {
				t.Errorf("post %d: %v", i, err)
				return
			}
			ids = append(ids, id)
			next = next.Add(pace)
			time.Sleep(time.Until(next))
		}
	}()

	// Each fault waits for the widget to be live again, so each one hits a
	// working subscription.
	fault := func(name string, inject func()) {
		t.Helper()
		waitState(p, "live")
		t.Logf("%5.1fs %s", time.Since(start).Seconds(), name)
		inject()
	}
	time.Sleep(time.Second)
	fault("drop", d.Inst.DropSockets)
	time.Sleep(time.Second)
	fault("stall 7s", func() { d.Inst.Stall(7 * time.Second) })
	// Only a missed heartbeat reply reveals a stall.
	WaitFor[bool](p, "the stall to be noticed", `document.getElementById("glimchat").dataset.state === "reconnecting"`)
	t.Logf("%5.1fs stall noticed", time.Since(start).Seconds())
	fault("refuse 2s + drop", func() { d.Inst.Refuse(2 * time.Second); d.Inst.DropSockets() })
	time.Sleep(500 * time.Millisecond)
	fault("phx_error", d.Inst.PhxError)
	<-posted
	if t.Failed() {
		return
	}
	waitState(p, "live")
	recovered := time.Now()
	t.Logf("%5.1fs all posted, live", time.Since(start).Seconds())

	// Within a few seconds of recovery, the log is exactly the 500, in id
	// order (they were posted one after another, so ids increase).
	deadline := time.Now().Add(5 * time.Second)
	var got []string
	for {
		got = logIDs(p)
		if slices.Equal(got, ids) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("%5.1fs log settled %v after recovery", time.Since(start).Seconds(), time.Since(recovered).Round(time.Millisecond))
	if !slices.Equal(got, ids) {
		t.Errorf("log holds %d messages, want the %d posted, each once in order; %s", len(got), len(ids), diffIDs(got, ids))
	}
	states := recordedStates(p)
	if n := strings.Count(strings.Join(states, " "), "reconnecting"); n < 4 {
		t.Errorf("data-state went %v: want a reconnect for each of the 4 faults", states)
	}
	p.AssertNoPageProblems()
}

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

// A refused reconnect shows as reconnecting, then live again, and never
// puts "disconnected" (or any other alarm) on the overlay.
func TestLiveConnectionState(t *testing.T) {
	srv, d := startCrossOrigin(t, demo.Options{})
	p := NewPage(t)
	p.Navigate(srv.Page("overlay.html", crossQuery(d, "history=2")))
	waitState(p, "live")
	recordStates(p)

	d.Inst.Refuse(3 * time.Second)
	d.Inst.DropSockets()
	waitState(p, "reconnecting")
	waitState(p, "live")
	states := recordedStates(p)
	if i := slices.Index(states, "reconnecting"); i < 0 || states[len(states)-1] != "live" {
		t.Errorf("data-state went %v, want through reconnecting back to live", states)
	}
	if slices.Contains(states, "offline") {
		t.Errorf("data-state went %v: a refusal for a while is not offline", states)
	}
	for _, s := range recordedStatuses(p) {
		if strings.Contains(strings.ToLower(s), "disconnect") || strings.Contains(strings.ToLower(s), "refused") {
			t.Errorf("the overlay showed %q during a short outage", s)
		}
	}
	visible := Eval[string](p, `(() => {
		const s = document.getElementById("glimchat-status");
		const cs = getComputedStyle(s);
		return s.textContent.trim() !== "" && cs.display !== "none" && cs.visibility !== "hidden" ? s.textContent : "";
	})()`)
	if visible != "" {
		t.Errorf("the overlay status line shows %q once live again, want it empty or hidden", visible)
	}
	// Live again means subscribed again.
	id := postAs(t, d.Inst, "Zofia", "after the outage")
	waitIDs(p, "a message after the outage", id)
	p.AssertNoPageProblems()
}

// A page shown again (after sleep) reconnects at once instead of waiting
// out a backoff that the failures before it have grown to seconds.
func TestLiveWake(t *testing.T) {
	srv, d := startCrossOrigin(t, demo.Options{})
	p := NewPage(t)
	p.Navigate(srv.Page("overlay.html", crossQuery(d, "history=2")))
	waitState(p, "live")
	// The page's visibility is under the test's control from here.
	Eval[chromedp.Void](p, `(() => {
		window.__hidden = false;
		Object.defineProperty(document, "hidden", {configurable: true, get: () => window.__hidden});
		Object.defineProperty(document, "visibilityState", {configurable: true, get: () => window.__hidden ? "hidden" : "visible"});
	})()`)
	setHidden := func(hidden bool) {
		Eval[chromedp.Void](p, fmt.Sprintf(`window.__hidden = %v; document.dispatchEvent(new Event("visibilitychange"))`, hidden))
	}

	setHidden(true) // the laptop lid closes
	dials := len(d.requests("/api/graph/websocket"))
	d.Inst.Refuse(time.Minute)
	d.Inst.DropSockets()
	// Let the refused retries grow the backoff: after the drop and 4
	// refused dials the next wait is drawn from [0, 8 s].
	deadline := time.Now().Add(Timeout)
	for len(d.requests("/api/graph/websocket")) < dials+4 {
		if time.Now().After(deadline) {
			t.Fatalf("the widget retried %d times in %v, want 4", len(d.requests("/api/graph/websocket"))-dials, Timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st := Eval[string](p, `document.getElementById("glimchat").dataset.state`); st != "reconnecting" {
		t.Fatalf("data-state = %q during the refusal, want reconnecting", st)
	}
	d.Inst.Refuse(0) // the network is back
	woke := time.Now()
	setHidden(false) // the lid opens
	waitState(p, "live")
	took := time.Since(woke)
	i := slices.IndexFunc(d.requests("/api/graph/websocket"), func(r demoRequest) bool { return !r.at.Before(woke) })
	if i < 0 {
		t.Fatalf("live again without a new websocket after the wake")
	}
	first := d.requests("/api/graph/websocket")[i].at.Sub(woke)
	t.Logf("after the wake: first dial %v, live %v", first.Round(time.Millisecond), took.Round(time.Millisecond))
	if first > 500*time.Millisecond {
		t.Errorf("the first dial came %v after the wake, want at once", first)
	}
	id := postAs(t, d.Inst, "Zofia", "good morning")
	waitIDs(p, "a message after the wake", id)
	p.AssertNoPageProblems()
}
