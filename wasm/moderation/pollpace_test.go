package moderation

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/phoenix/phoenixtest"
)

// paced is a poller over a scripted instance that records each read: when
// it came (offset from t0) and how many logs it asked for.
type paced struct {
	clock *phoenixtest.Clock
	p     *Poller
	reads chan [2]time.Duration // {when, logs asked}
	mu    sync.Mutex
	logs  []glimesh.ModerationLog // what the instance answers
}

func newPaced(t *testing.T, o PollOptions) *paced {
	t.Helper()
	pc := &paced{clock: phoenixtest.NewClock(), reads: make(chan [2]time.Duration, 20)}
	o.Fetch = func(_ context.Context, logs int) (glimesh.Moderation, error) {
		pc.mu.Lock()
		answer := pc.logs
		pc.mu.Unlock()
		pc.reads <- [2]time.Duration{pc.clock.Now().Sub(t0), time.Duration(logs)}
		if len(answer) > logs {
			answer = answer[len(answer)-logs:]
		}
		return glimesh.Moderation{Logs: answer}, nil
	}
	o.Deliver = func(Step) {}
	o.Clock = pc.clock
	if o.Rand == nil {
		o.Rand = func() float64 { return 0.5 } // no jitter
	}
	p, err := NewPoller(o)
	if err != nil {
		t.Fatal(err)
	}
	pc.p = p
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go p.Run(ctx)
	return pc
}

// wantRead lets the poller's timer of d run out and returns the read.
func (pc *paced) wantRead(t *testing.T, d time.Duration, what string) [2]time.Duration {
	t.Helper()
	if !pc.clock.WaitFor(d) {
		t.Fatalf("%s: no timer of %v, pending %v", what, d, pc.clock.Pending())
	}
	pc.clock.Advance(d)
	return pc.read(t, what)
}

func (pc *paced) read(t *testing.T, what string) [2]time.Duration {
	t.Helper()
	select {
	case r := <-pc.reads:
		return r
	case <-time.After(phoenixtest.Guard):
		t.Fatalf("%s: no read", what)
		return [2]time.Duration{}
	}
}

func (pc *paced) noRead(t *testing.T, what string) {
	t.Helper()
	select {
	case r := <-pc.reads:
		t.Errorf("%s: a read at %v", what, r[0])
	case <-time.After(50 * time.Millisecond):
	}
}

// A quiet chat is read every Quiet; a live message brings reads back to
// every Interval at once, for QuietAfter.
func TestPollerSlowsDownWhenQuiet(t *testing.T) {
	pc := newPaced(t, PollOptions{Interval: 2 * time.Second, Quiet: 30 * time.Second})
	if r := pc.wantRead(t, 30*time.Second, "quiet from the start"); r[0] != 30*time.Second {
		t.Errorf("first read at %v, want 30s", r[0])
	}
	pc.clock.Advance(time.Second)
	pc.p.Arrived() // 31 s: the read due at 60 s comes at 32 s instead
	if !pc.clock.WaitFor(time.Second) {
		t.Fatalf("a live message did not bring the next read forward: pending %v", pc.clock.Pending())
	}
	pc.clock.Advance(time.Second)
	if r := pc.read(t, "lively again"); r[0] != 32*time.Second {
		t.Errorf("read at %v, want 32s", r[0])
	}
	// Lively for a minute after the message (31 s), then quiet again.
	when := 32 * time.Second
	for when+2*time.Second < 31*time.Second+QuietAfter {
		when += 2 * time.Second
		if r := pc.wantRead(t, 2*time.Second, "lively"); r[0] != when {
			t.Fatalf("lively read at %v, want %v", r[0], when)
		}
	}
	pc.wantRead(t, 2*time.Second, "the last lively read")
	if !pc.clock.WaitFor(30 * time.Second) {
		t.Errorf("not quiet again a minute after the last message: pending %v", pc.clock.Pending())
	}
}

// Each wait is spread by up to Jitter either way.
func TestPollerJitters(t *testing.T) {
	for _, c := range []struct {
		r    float64
		want time.Duration
	}{{0, 9 * time.Second}, {0.5, 10 * time.Second}, {0.75, 10500 * time.Millisecond}} {
		pc := newPaced(t, PollOptions{Interval: 10 * time.Second, Jitter: 0.1, Rand: func() float64 { return c.r }})
		pc.wantRead(t, c.want, "jittered")
	}
}

// A hidden page reads nothing, kicked or not; shown again, it reads at
// once (no closer than MinGap to the last read).
func TestPollerStopsWhileHidden(t *testing.T) {
	pc := newPaced(t, PollOptions{Interval: 5 * time.Second})
	pc.wantRead(t, 5*time.Second, "shown")
	pc.p.Visible(false)
	if !pc.clock.WaitUntil(func(p []time.Duration) bool { return len(p) == 0 }) {
		t.Fatalf("a timer is still armed while hidden: %v", pc.clock.Pending())
	}
	pc.p.Kick()
	pc.clock.Advance(time.Minute)
	pc.noRead(t, "hidden")
	pc.p.Visible(true)
	if r := pc.read(t, "shown again"); r[0] != 65*time.Second {
		t.Errorf("read at %v once shown again, want at once (65s)", r[0])
	}
}

// Once caught up, a read asks for a few logs; when they are all new, it
// asks again for the full page, so nothing is skipped.
func TestPollerAsksForWhatIsNew(t *testing.T) {
	pc := newPaced(t, PollOptions{Interval: 5 * time.Second})
	pc.logs = []glimesh.ModerationLog{logOf(1, glimesh.Ban, "7", 0)}
	if r := pc.wantRead(t, 5*time.Second, "first"); r[1] != LogsPerRead {
		t.Errorf("first read asked for %d logs, want %d", r[1], LogsPerRead)
	}
	if r := pc.wantRead(t, 5*time.Second, "caught up"); r[1] != CaughtUpLogs {
		t.Errorf("caught up, a read asked for %d logs, want %d", r[1], CaughtUpLogs)
	}
	pc.mu.Lock()
	for i := range 2 * CaughtUpLogs {
		pc.logs = append(pc.logs, logOf(2+i, glimesh.DeleteMessage, "8", 0))
	}
	pc.mu.Unlock()
	if r := pc.wantRead(t, 5*time.Second, "busy"); r[1] != CaughtUpLogs {
		t.Errorf("asked for %d logs, want %d", r[1], CaughtUpLogs)
	}
	if r := pc.read(t, "read again in full"); r[1] != LogsPerRead {
		t.Errorf("the read again asked for %d logs, want %d", r[1], LogsPerRead)
	}
	if r := pc.wantRead(t, 5*time.Second, "caught up again"); r[1] != CaughtUpLogs {
		t.Errorf("asked for %d logs, want %d", r[1], CaughtUpLogs)
	}
	pc.noRead(t, "caught up again")
}
