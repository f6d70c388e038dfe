package phoenix

import (
	"context"
	"math/rand/v2"
	"time"
)

// Clock is the source of time and timers, injected so that the heartbeat,
// timeouts and backoff run without real sleeping in tests.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has elapsed, unless the
	// returned Timer is stopped first.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc.
type Timer interface {
	// Stop prevents the call if it has not happened yet, and reports
	// whether it did.
	Stop() bool
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// AfterFunc is time.AfterFunc.
func (SystemClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Backoff is capped exponential backoff with full jitter: the n-th retry
// (from 0) waits a uniformly random time in [0, min(Cap, Base*2^n)].
// Full jitter spreads a crowd of clients that lost the same server.
type Backoff struct {
	Base time.Duration
	Cap  time.Duration
	// Rand returns a float in [0, 1); nil means math/rand/v2.
	Rand func() float64
}

// Delay returns the wait before retry n.
func (b Backoff) Delay(n int) time.Duration {
	ceil := b.Ceiling(n)
	r := rand.Float64
	if b.Rand != nil {
		r = b.Rand
	}
	f := r()
	if f < 0 || f != f { // hostile or broken source: stay inside the bounds
		f = 0
	}
	if f > 1 {
		f = 1
	}
	return time.Duration(f * float64(ceil))
}

// Ceiling is min(Cap, Base*2^n) without overflowing.
func (b Backoff) Ceiling(n int) time.Duration {
	if b.Base <= 0 || b.Cap <= 0 {
		return 0
	}
	d := b.Base
	for i := 0; i < n && d < b.Cap; i++ {
		d *= 2
	}
	return min(d, b.Cap)
}

// loopTimer is a timer whose callback runs on the socket's loop, and only
// if the timer was not stopped or re-armed meanwhile: a stale fire that was
// already queued when the timer was stopped is dropped.
type loopTimer struct {
	t   Timer
	seq int
}

// arm (re)starts lt to run fn on the loop after d.
func (s *Socket) arm(lt *loopTimer, d time.Duration, fn func()) {
	lt.stop()
	seq := lt.seq
	lt.t = s.clock.AfterFunc(d, func() {
		s.post(context.Background(), func() {
			if lt.seq == seq && lt.t != nil {
				lt.t = nil
				fn()
			}
		})
	})
}

func (lt *loopTimer) stop() {
	if lt.t != nil {
		lt.t.Stop()
		lt.t = nil
	}
	lt.seq++
}

func (lt *loopTimer) armed() bool { return lt.t != nil }

// Sleep waits d on clock, and reports false if ctx ended first.
func Sleep(ctx context.Context, clock Clock, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	done := make(chan struct{})
	t := clock.AfterFunc(d, func() { close(done) })
	select {
	case <-done:
		return true
	case <-ctx.Done():
		t.Stop()
		return false
	}
}
