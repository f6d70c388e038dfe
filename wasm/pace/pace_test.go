package pace

import (
	"context"
	"log/slog"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/phoenix/phoenixtest"
)

type run struct {
	p      *Pacer
	clock  *phoenixtest.Clock
	shown  chan []glimesh.Message
	cancel func()
}

func start(t *testing.T, o Options) *run {
	t.Helper()
	r := &run{clock: phoenixtest.NewClock(), shown: make(chan []glimesh.Message, 100)}
	o.Clock, o.Logger = r.clock, slog.New(slog.DiscardHandler)
	r.p = New(o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		r.p.Run(ctx, func(m []glimesh.Message) { r.shown <- m })
		close(done)
	}()
	r.cancel = cancel
	t.Cleanup(func() { cancel(); <-done })
	return r
}

func msgs(from, n int) []glimesh.Message {
	out := make([]glimesh.Message, n)
	for i := range out {
		out[i] = glimesh.Message{ID: strconv.Itoa(from + i)}
	}
	return out
}

// next is the next batch shown, or a failure.
func (r *run) next(t *testing.T) []glimesh.Message {
	t.Helper()
	select {
	case m := <-r.shown:
		return m
	case <-time.After(phoenixtest.Guard):
		t.Fatal("no batch shown")
		return nil
	}
}

// none checks that nothing is shown for a while.
func (r *run) none(t *testing.T) {
	t.Helper()
	select {
	case m := <-r.shown:
		t.Fatalf("shown %d messages from %s before a frame was painted", len(m), m[0].ID)
	case <-time.After(30 * time.Millisecond):
	}
}

// stall lets the 250 ms timer of a batch waiting for its frame run out.
func (r *run) stall(t *testing.T) {
	t.Helper()
	if !r.clock.WaitFor(250 * time.Millisecond) {
		t.Fatal("no stall timer while a batch waits for its frame")
	}
	r.clock.Advance(250 * time.Millisecond)
}

func ids(m []glimesh.Message) (first, last string) { return m[0].ID, m[len(m)-1].ID }

func TestEveryMessageGetsAFrame(t *testing.T) {
	r := start(t, Options{Limit: 100}) // by default, ten screenfuls may wait
	ctx := context.Background()
	r.p.Add(ctx, msgs(0, 35)) // a frame's worth: straight through
	if b := r.next(t); len(b) != 35 {
		t.Fatalf("first batch %d messages, want 35", len(b))
	}
	r.p.Add(ctx, msgs(35, 1000)) // a burst while that batch waits for its frame
	r.none(t)
	seen := 35
	for seen < 1035 {
		r.p.Painted()
		b := r.next(t)
		if first, last := ids(b); first != strconv.Itoa(seen) || len(b) > 100 {
			t.Fatalf("batch %s…%s (%d), want it to start at %d with at most 100", first, last, len(b), seen)
		}
		seen += len(b)
		r.none(t)
	}
	r.p.Painted()
	if !r.clock.WaitUntil(func(p []time.Duration) bool { return len(p) == 0 }) {
		t.Errorf("timers %v pending with nothing to pace", r.clock.Pending())
	}
}

func TestStalePaintDoesNotCount(t *testing.T) {
	r := start(t, Options{Limit: 10})
	ctx := context.Background()
	r.p.Painted() // a frame of something else, before any message
	r.p.Add(ctx, msgs(0, 30))
	if b := r.next(t); len(b) != 10 {
		t.Fatalf("first batch %d, want 10", len(b))
	}
	r.none(t) // the earlier frame did not show this batch
}

func TestFloodKeepsTheNewest(t *testing.T) {
	r := start(t, Options{Limit: 10, Backlog: 1}) // a screenful may wait
	ctx := context.Background()
	r.p.Add(ctx, msgs(0, 10))
	r.next(t)
	r.p.Add(ctx, msgs(10, 5))  // fits
	r.p.Add(ctx, msgs(15, 20)) // a flood: the oldest of what waits goes
	r.p.Painted()
	if first, last := ids(r.next(t)); first != "25" || last != "34" {
		t.Fatalf("batch %s…%s, want the newest screenful 25…34", first, last)
	}
}

func TestBacklogCoalesces(t *testing.T) {
	r := start(t, Options{Limit: 10, Backlog: 3})
	ctx := context.Background()
	r.p.Add(ctx, msgs(0, 1))
	r.next(t)
	r.p.Add(ctx, msgs(1, 100)) // 100 waiting, room for 30: the oldest 70 go
	r.p.Painted()
	if first, _ := ids(r.next(t)); first != "71" {
		t.Fatalf("after coalescing the backlog starts at %s, want 71", first)
	}
}

func TestHiddenPageKeepsUp(t *testing.T) {
	r := start(t, Options{Limit: 10, Backlog: 3, Stall: 250 * time.Millisecond})
	ctx := context.Background()
	r.p.Add(ctx, msgs(0, 25))
	r.next(t)
	// No frames come (a hidden page): each stall releases the next batch.
	for _, want := range []string{"10", "20"} {
		r.stall(t)
		if first, _ := ids(r.next(t)); first != want {
			t.Fatalf("batch from %s, want %s", first, want)
		}
	}
}

// A page that is not hidden paints its frames, however slowly (a busy
// machine): a batch waits Patience for its frame, not Stall, and the
// batch behind it does not replace it unseen. Hidden meanwhile, the page
// stalls at the next Stall.
func TestVisiblePageWaitsForSlowFrames(t *testing.T) {
	var hidden atomic.Bool
	r := start(t, Options{Limit: 10, Stall: 250 * time.Millisecond, Patience: 2 * time.Second, Hidden: hidden.Load})
	ctx := context.Background()
	r.p.Add(ctx, msgs(0, 30))
	r.next(t)
	for range 3 { // 750 ms without a frame
		r.stall(t)
		r.none(t)
	}
	r.p.Painted()
	if first, _ := ids(r.next(t)); first != "10" {
		t.Fatalf("after a slow frame, batch from %s, want 10", first)
	}
	hidden.Store(true)
	r.stall(t)
	if first, _ := ids(r.next(t)); first != "20" {
		t.Fatalf("hidden, batch from %s, want 20", first)
	}
}

// Past Patience, a page that says it shows but paints no frame keeps up.
func TestVisiblePageWithoutFramesKeepsUp(t *testing.T) {
	r := start(t, Options{Limit: 10, Stall: 250 * time.Millisecond, Patience: time.Second, Hidden: func() bool { return false }})
	r.p.Add(context.Background(), msgs(0, 20))
	r.next(t)
	for range 3 {
		r.stall(t)
		r.none(t)
	}
	r.stall(t)
	if first, _ := ids(r.next(t)); first != "10" {
		t.Fatalf("past Patience, batch from %s, want 10", first)
	}
}

// A message that comes alone (a lively chat, not a flood) is shown at once
// and arms no timer: nothing waits behind it. Only a message queued behind
// a batch still on its way arms the stall timer, for what is left of Stall
// since that batch was shown.
func TestNoTimerWhileNothingIsQueued(t *testing.T) {
	r := start(t, Options{Limit: 10, Stall: 250 * time.Millisecond})
	ctx := context.Background()
	for i := range 3 {
		r.p.Add(ctx, msgs(i, 1))
		if first, _ := ids(r.next(t)); first != strconv.Itoa(i) {
			t.Fatalf("batch from %s, want %d", first, i)
		}
		if p := r.clock.Pending(); len(p) != 0 {
			t.Fatalf("message %d: timers %v pending with nothing queued", i, p)
		}
		r.p.Painted()
	}
	r.p.Add(ctx, msgs(3, 1))
	r.next(t)
	r.clock.Advance(100 * time.Millisecond) // no frame yet (a hidden page)
	r.p.Add(ctx, msgs(4, 1))                // queued behind it
	if !r.clock.WaitFor(150 * time.Millisecond) {
		t.Fatalf("timers %v, want the rest of the stall, 150ms", r.clock.Pending())
	}
	r.none(t)
	r.clock.Advance(150 * time.Millisecond)
	if first, _ := ids(r.next(t)); first != "4" {
		t.Fatalf("after the stall, batch from %s, want 4", first)
	}
	// Queued only after a whole Stall without a frame: released at once.
	r.clock.Advance(300 * time.Millisecond)
	r.p.Add(ctx, msgs(5, 1))
	if first, _ := ids(r.next(t)); first != "5" {
		t.Fatalf("batch from %s, want 5", first)
	}
}

// A page that paints lone batches at once: an arrival after the last batch
// was rendered goes straight through, one before waits for the frame the
// Pacer asks for.
func TestRenderedReleasesWithoutAFrameCallback(t *testing.T) {
	var frame atomic.Int64
	asked := make(chan struct{}, 10)
	r := start(t, Options{Limit: 10, Frame: func() float64 { return float64(frame.Load()) },
		NextFrame: func() { asked <- struct{}{} }})
	ctx := context.Background()
	r.p.Add(ctx, msgs(0, 1))
	r.next(t)
	frame.Add(16) // the page's next frame came
	r.p.Add(ctx, msgs(1, 1))
	if first, _ := ids(r.next(t)); first != "1" {
		t.Fatalf("after a rendered batch, shown %s, want 1", first)
	}
	select {
	case <-asked:
		t.Fatal("asked for a frame callback while the page kept up on its own")
	default:
	}
	// No frame since: the next waits.
	r.p.Add(ctx, msgs(2, 1))
	r.none(t)
	select {
	case <-asked:
	case <-time.After(phoenixtest.Guard):
		t.Fatal("a batch waits and no frame callback was asked for")
	}
	r.p.Painted()
	if first, _ := ids(r.next(t)); first != "2" {
		t.Fatalf("after the frame, shown %s, want 2", first)
	}
}

// Within Gap of the last batch, less than a screenful waits out the Gap,
// so a lively chat's lines share frames; a screenful goes at its frame, and
// a message after a quiet Gap goes at once.
func TestGapBetweenSmallBatches(t *testing.T) {
	var frame atomic.Int64
	rendered := func() float64 { return float64(frame.Add(16)) } // every look finds a new frame
	r := start(t, Options{Limit: 10, Stall: 250 * time.Millisecond, Gap: 100 * time.Millisecond, Frame: rendered})
	ctx := context.Background()
	r.p.Add(ctx, msgs(0, 1))
	if first, _ := ids(r.next(t)); first != "0" {
		t.Fatalf("first batch from %s, want 0", first)
	}
	r.clock.Advance(40 * time.Millisecond)
	r.p.Add(ctx, msgs(1, 1))
	r.p.Add(ctx, msgs(2, 1))
	r.none(t)
	if !r.clock.WaitFor(60 * time.Millisecond) {
		t.Fatalf("timers %v, want the rest of the gap, 60ms", r.clock.Pending())
	}
	r.clock.Advance(60 * time.Millisecond)
	if b := r.next(t); len(b) != 2 || b[0].ID != "1" {
		t.Fatalf("after the gap, batch %v, want 1 and 2 together", b)
	}
	// A screenful does not wait for the gap.
	r.p.Add(ctx, msgs(3, 10))
	if b := r.next(t); len(b) != 10 {
		t.Fatalf("a screenful within the gap: batch of %d, want 10 at once", len(b))
	}
	// Behind it, a batch waiting for its frame armed the stall timer
	// (250 ms); once the frame came, the gap's shorter timer replaces it.
	r.p.Add(ctx, msgs(13, 12))
	if b := r.next(t); len(b) != 10 {
		t.Fatalf("batch of %d, want 10", len(b))
	}
	r.none(t)
	r.clock.Advance(10 * time.Millisecond)
	r.p.Painted()
	if !r.clock.WaitFor(90 * time.Millisecond) {
		t.Fatalf("timers %v, want the gap's 90ms, not the stall's", r.clock.Pending())
	}
	r.clock.Advance(90 * time.Millisecond)
	if b := r.next(t); len(b) != 2 || b[0].ID != "23" {
		t.Fatalf("after the gap, batch %v, want 23 and 24", b)
	}
	// Quiet for a gap: a lone message goes at once, with no timer.
	r.clock.Advance(100 * time.Millisecond)
	r.p.Add(ctx, msgs(25, 1))
	if first, _ := ids(r.next(t)); first != "25" {
		t.Fatalf("after a quiet gap, batch from %s, want 25", first)
	}
	if p := r.clock.Pending(); len(p) != 0 {
		t.Fatalf("timers %v pending with nothing queued", p)
	}
}
