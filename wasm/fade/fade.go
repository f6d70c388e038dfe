// Package fade takes messages off the screen a fixed time after they
// first showed (fade=). It keeps one timer, for the oldest message on
// screen, and none while the screen is empty.
package fade

import (
	"sync"
	"time"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/phoenix"
)

// Fader sits between the screen and the view: Show takes the visible list,
// and out receives it without the messages whose time is up, at once and
// again whenever the oldest one's time is up.
type Fader struct {
	after time.Duration
	clock phoenix.Clock
	out   func([]glimesh.Message)

	mu    sync.Mutex
	since map[string]time.Time // when each listed message first showed
	last  []glimesh.Message
	timer phoenix.Timer
	due   time.Time
}

// New returns a Fader that removes messages after d (d > 0). clock nil is
// the system clock.
func New(d time.Duration, clock phoenix.Clock, out func([]glimesh.Message)) *Fader {
	if clock == nil {
		clock = phoenix.SystemClock{}
	}
	return &Fader{after: d, clock: clock, out: out, since: map[string]time.Time{}}
}

// Show passes msgs on without the faded ones.
func (f *Fader) Show(msgs []glimesh.Message) {
	f.mu.Lock()
	f.last = msgs
	keep := f.flush()
	f.mu.Unlock()
	f.out(keep)
}

// Check applies the clock now: a page shown again after timers were
// throttled catches up at once. Before the oldest message is due it does
// nothing, so calling it before every paint costs next to nothing.
func (f *Fader) Check() {
	f.mu.Lock()
	if f.due.IsZero() || f.clock.Now().Before(f.due) {
		f.mu.Unlock()
		return
	}
	if f.timer != nil {
		f.timer.Stop() // fired, or to be set again below
		f.timer = nil
	}
	keep := f.flush()
	f.mu.Unlock()
	f.out(keep)
}

// flush returns the messages still on time and sets the one timer.
func (f *Fader) flush() []glimesh.Message {
	now := f.clock.Now()
	keep := make([]glimesh.Message, 0, len(f.last))
	listed := make(map[string]time.Time, len(f.last))
	var next time.Time
	for _, m := range f.last {
		t, ok := f.since[m.Key()]
		if !ok {
			t = now
		}
		listed[m.Key()] = t
		end := t.Add(f.after)
		if !now.Before(end) {
			continue
		}
		keep = append(keep, m)
		if next.IsZero() || end.Before(next) {
			next = end
		}
	}
	f.since = listed // forget what left the list
	if f.timer != nil && !next.Equal(f.due) {
		f.timer.Stop()
		f.timer = nil
	}
	if !next.IsZero() && f.timer == nil {
		f.due = next
		f.timer = f.clock.AfterFunc(next.Sub(now), f.Check)
	}
	if next.IsZero() {
		f.due = time.Time{}
	}
	return keep
}

// Pending reports whether a timer is set (for tests).
func (f *Fader) Pending() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.timer != nil
}
