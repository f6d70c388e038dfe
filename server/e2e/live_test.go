package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/glimchat/glimchat/server/demo"
)

// Live chat: the widget on glimchat serve follows a standalone demo instance
// on another origin, as it would follow a real instance, through the Phoenix
// websocket, and heals itself when the instance drops, stalls, refuses or
// crashes its socket.

// liveOverlay starts glimchat serve and a demo instance on another origin,
// opens the overlay there with the extra query parameters, and waits until
// it is live.
func liveOverlay(t *testing.T, extra string) (*Page, *recordedDemo) {
	t.Helper()
	srv, d := startCrossOrigin(t, demo.Options{})
	p := openPage(t, srv, "overlay.html", crossQuery(d, extra))
	waitState(p, "live")
	return p, d
}

// The overlay on another origin than the instance: history, then live
// messages, over the websocket alone, with transport=auto and =socket.
func TestLiveCrossOriginOverlay(t *testing.T) {
	for _, transport := range []string{"auto", "socket"} {
		t.Run(transport, func(t *testing.T) {
			srv, d := startCrossOrigin(t, demo.Options{})
			// The newest fixture messages, as the instance knows them.
			last := post(t, d.Inst, "Noor", "before the page opened")

			p := openPage(t, srv, "overlay.html", crossQuery(d, "history=5&transport="+transport))
			waitShown(p, last)
			waitState(p, "live")
			history := logIDs(p)
			if len(history) != 5 || history[4] != last {
				t.Fatalf("history = %v, want 5 messages ending with %s", history, last)
			}

			var live []string
			for i := range 3 {
				live = append(live, post(t, d.Inst, "ViewerVic", fmt.Sprintf("live message %d", i)))
			}
			waitShown(p, live...)
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
	p := signedInEmbed(t, srv, d.Inst, "SubSam", crossQuery(d, "history=3"))
	waitState(p, "live")
	before := logIDs(p)
	if len(before) != 3 {
		t.Errorf("history shows %v, want the 3 most recent messages", before)
	}

	const text = "hello across origins"
	typeText(p, text)
	clickSend(p)
	sent := waitMessage(p, "the sent message in the log", `li => li.textContent.includes(`+jsString(text)+`)`)
	// Pushes arrive in order: once a later message is shown, the push of
	// the sent one has been handled too.
	after := post(t, d.Inst, "Noor", "after the sent message")
	waitShown(p, after)

	got := logIDs(p)
	want := append(slices.Clone(before), sent, after)
	if !slices.Equal(got, want) {
		t.Errorf("log = %v, want %v (the sent message exactly once)", got, want)
	}
	if user := Eval[string](p, logJS+`.find(li => li.dataset.messageId === `+jsString(sent)+`).dataset.username`); user != "SubSam" {
		t.Errorf("the sent message shows as %q, want SubSam", user)
	}
	if v := composer(p).Value; v != "" {
		t.Errorf("the composer still holds %q after sending", v)
	}
	noGraphOverHTTP(t, d)
	p.AssertNoProblems()
}

// 500 messages while the instance drops, stalls, refuses and crashes the
// socket: every message shows exactly once, in order, soon after the last
// recovery. heartbeat=5 makes a stall show within 10 s instead of 60.
func TestLiveResilience(t *testing.T) {
	p, d := liveOverlay(t, "history=0&limit=1000&heartbeat=5")
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
	waitState(p, "reconnecting")
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

// A refused reconnect shows as reconnecting, then live again, and never
// puts "disconnected" (or any other alarm) on the overlay.
func TestLiveConnectionState(t *testing.T) {
	p, d := liveOverlay(t, "history=2")
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
	id := post(t, d.Inst, "Zofia", "after the outage")
	waitShown(p, id)
	p.AssertNoPageProblems()
}

// A page shown again (after sleep) reconnects at once instead of waiting
// out a backoff that the failures before it have grown to seconds.
func TestLiveWake(t *testing.T) {
	p, d := liveOverlay(t, "history=2")
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
	if st := state(p); st != "reconnecting" {
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
	id := post(t, d.Inst, "Zofia", "good morning")
	waitShown(p, id)
	p.AssertNoPageProblems()
}
