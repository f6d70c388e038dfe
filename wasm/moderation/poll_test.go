package moderation

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/phoenix/phoenixtest"
)

// fakeInstance answers Fetch with a scripted error, and counts reads.
type fakeInstance struct {
	mu    sync.Mutex
	err   error
	reads chan time.Duration // the clock's offset from t0 at each read
	clock *phoenixtest.Clock
}

func (f *fakeInstance) fetch(context.Context, int) (glimesh.Moderation, error) {
	f.mu.Lock()
	err := f.err
	f.mu.Unlock()
	f.reads <- f.clock.Now().Sub(t0)
	return read(logOf(1, glimesh.Ban, "7", 0)), err
}

func (f *fakeInstance) next(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-f.reads:
		return d
	case <-time.After(phoenixtest.Guard):
		t.Fatal("no read")
		return 0
	}
}

// readAfter waits for the poller to arm a timer of d, lets d pass, and
// returns the time of the read that follows.
func (f *fakeInstance) readAfter(t *testing.T, d time.Duration, what string) time.Duration {
	t.Helper()
	if !f.clock.WaitFor(d) {
		t.Fatalf("no timer of %v for %s: pending %v", d, what, f.clock.Pending())
	}
	f.clock.Advance(d)
	return f.next(t)
}

func newPoller(t *testing.T, f *fakeInstance, deliver func(Step), logs *bytes.Buffer) *Poller {
	t.Helper()
	p, err := NewPoller(PollOptions{Fetch: f.fetch, Deliver: deliver, Interval: 5 * time.Second, Clock: f.clock,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Reads come every Interval; a Kick brings the next one forward, but no
// closer than MinGap to the last.
func TestPollerInterval(t *testing.T) {
	f := &fakeInstance{reads: make(chan time.Duration, 10), clock: phoenixtest.NewClock()}
	steps := make(chan Step, 10)
	p := newPoller(t, f, func(s Step) { steps <- s }, &bytes.Buffer{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.Run(ctx)

	if d := f.readAfter(t, 5*time.Second, "the first read"); d != 5*time.Second {
		t.Errorf("first read at %v, want 5s", d)
	}
	<-steps
	if !f.clock.WaitFor(5 * time.Second) {
		t.Fatal("no timer for the second read")
	}
	f.clock.Advance(200 * time.Millisecond)
	p.Kick()
	p.Kick() // both are answered by one read
	if d := f.readAfter(t, 800*time.Millisecond, "the rest of the gap after a kick"); d != 6*time.Second {
		t.Errorf("kicked read at %v, want 6s", d)
	}
	<-steps
	if !f.clock.WaitFor(5 * time.Second) {
		t.Fatalf("the interval does not start again after a kicked read: pending %v", f.clock.Pending())
	}
	select {
	case d := <-f.reads:
		t.Errorf("an extra read at %v", d)
	default:
	}
}

// A failed read still clears the held messages (the chat goes on), and is
// logged once however long the failures last.
func TestPollerFailureIsDeliveredEmpty(t *testing.T) {
	f := &fakeInstance{reads: make(chan time.Duration, 10), clock: phoenixtest.NewClock(), err: errors.New("socket down")}
	var logs bytes.Buffer
	var got []Step
	p := newPoller(t, f, func(s Step) { got = append(got, s) }, &logs)
	p.Once(context.Background())
	p.Once(context.Background())
	if len(got) != 2 {
		t.Fatalf("%d steps delivered, want 2", len(got))
	}
	s := New(Options{Limit: 10, Hold: time.Second, Gated: true, Clock: f.clock})
	s.Add(batch(msg(1, "7", 0)), false)
	f.clock.Advance(time.Second)
	p.Once(context.Background())
	if !got[2](s) {
		t.Error("a failed read did not release the held message")
	}
	wantIDs(t, "shown", ids(s.Messages()), 1) // the failed read's ban was not applied
	if n := strings.Count(logs.String(), "cannot read"); n != 1 {
		t.Errorf("the failure was logged %d times, want once:\n%s", n, logs.String())
	}
	f.err = nil
	p.Once(context.Background())
	if !strings.Contains(logs.String(), "again") {
		t.Errorf("the recovery was not logged:\n%s", logs.String())
	}
}

// Wrap delivers the read before it returns the messages it loaded, and
// does not read when the load failed.
func TestPollerWrap(t *testing.T) {
	f := &fakeInstance{reads: make(chan time.Duration, 10), clock: phoenixtest.NewClock()}
	var order []string
	p := newPoller(t, f, func(Step) { order = append(order, "read") }, &bytes.Buffer{})
	load := p.Wrap(func(context.Context) ([]glimesh.Message, error) {
		order = append(order, "load")
		return batch(msg(1, "7", 0)), nil
	})
	msgs, err := load(context.Background())
	if err != nil || len(msgs) != 1 {
		t.Fatalf("Wrap = %v, %v", msgs, err)
	}
	if strings.Join(order, " ") != "load read" {
		t.Errorf("order %v, want load, then read", order)
	}
	fail := p.Wrap(func(context.Context) ([]glimesh.Message, error) { return nil, errors.New("down") })
	if _, err := fail(context.Background()); err == nil || len(order) != 2 {
		t.Errorf("a failed load: %v, steps %v", err, order)
	}
	if _, err := NewPoller(PollOptions{}); err == nil {
		t.Error("NewPoller without Fetch and Deliver did not refuse")
	}
}
