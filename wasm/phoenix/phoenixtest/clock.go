// Package phoenixtest provides fakes for testing code built on package
// phoenix without a network or real time: a manual clock and an in-memory
// Phoenix server peer that the test scripts frame by frame.
package phoenixtest

import (
	"slices"
	"sync"
	"time"

	"github.com/glimchat/glimchat/wasm/phoenix"
)

// Guard bounds every wait on the code under test. It is a failure
// deadline, not a sleep: waits return as soon as their event happens.
var Guard = 5 * time.Second

// Clock is a manual phoenix.Clock. Timers fire only in Advance, in time
// order, each on the goroutine that called Advance.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	seq     int
	timers  []*timer
	changed chan struct{}
}

type timer struct {
	c    *Clock
	when time.Time
	seq  int
	f    func()
}

// NewClock returns a clock at a fixed instant.
func NewClock() *Clock {
	return &Clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), changed: make(chan struct{}, 1)}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f at Now()+d. A d <= 0 runs f at once in a new
// goroutine, like time.AfterFunc.
func (c *Clock) AfterFunc(d time.Duration, f func()) phoenix.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &timer{c: c, when: c.now.Add(d), seq: c.seq, f: f}
	if d <= 0 {
		go f()
		return t
	}
	c.timers = append(c.timers, t)
	c.notify()
	return t
}

func (t *timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	i := slices.Index(t.c.timers, t)
	if i < 0 {
		return false
	}
	t.c.timers = slices.Delete(t.c.timers, i, i+1)
	t.c.notify()
	return true
}

func (c *Clock) notify() {
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

// Advance moves the clock forward by d, firing every timer that falls due,
// earliest first (ties in scheduling order).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var next *timer
		for _, t := range c.timers {
			if !t.when.After(target) && (next == nil || t.when.Before(next.when) || t.when.Equal(next.when) && t.seq < next.seq) {
				next = t
			}
		}
		if next == nil {
			c.now = target
			c.mu.Unlock()
			return
		}
		c.timers = slices.DeleteFunc(c.timers, func(t *timer) bool { return t == next })
		c.notify()
		if next.when.After(c.now) {
			c.now = next.when
		}
		c.mu.Unlock()
		next.f()
	}
}

// Pending returns the delays of the pending timers from now, sorted.
func (c *Clock) Pending() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	ds := make([]time.Duration, 0, len(c.timers))
	for _, t := range c.timers {
		ds = append(ds, t.when.Sub(c.now))
	}
	slices.Sort(ds)
	return ds
}

// WaitFor waits until some pending timer is due exactly d from now, and
// reports whether one turned up within Guard. Tests use it to know the
// code under test has armed a timer before they advance past it.
func (c *Clock) WaitFor(d time.Duration) bool {
	return c.WaitUntil(func(p []time.Duration) bool { return slices.Contains(p, d) })
}

// WaitGone waits until no pending timer is due exactly d from now, and
// reports whether that happened within Guard.
func (c *Clock) WaitGone(d time.Duration) bool {
	return c.WaitUntil(func(p []time.Duration) bool { return !slices.Contains(p, d) })
}

// WaitUntil waits until cond holds for the pending delays (see Pending),
// checking again whenever a timer is armed or stopped.
func (c *Clock) WaitUntil(cond func(pending []time.Duration) bool) bool {
	deadline := time.After(Guard)
	for {
		if cond(c.Pending()) {
			return true
		}
		select {
		case <-c.changed:
		case <-deadline:
			return false
		}
	}
}
