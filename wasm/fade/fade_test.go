package fade

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/phoenix"
)

// clock is a manual clock; its timers fire in Advance.
type clock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*timer
}

type timer struct {
	at      time.Time
	f       func()
	stopped bool
}

func (t *timer) Stop() bool { was := !t.stopped; t.stopped = true; return was }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) AfterFunc(d time.Duration, f func()) phoenix.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &timer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

func (c *clock) live() int {
	n := 0
	for _, t := range c.timers {
		if !t.stopped {
			n++
		}
	}
	return n
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*timer
	for _, t := range c.timers {
		if !t.stopped && !t.at.After(c.now) {
			t.stopped = true
			due = append(due, t)
		}
	}
	c.mu.Unlock()
	for _, t := range due {
		t.f()
	}
}

func ids(ms []glimesh.Message) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func msgs(ids ...string) []glimesh.Message {
	var out []glimesh.Message
	for _, id := range ids {
		out = append(out, glimesh.Message{ID: id})
	}
	return out
}

func TestFade(t *testing.T) {
	c := &clock{now: time.Unix(1000, 0)}
	var got []string
	f := New(10*time.Second, c, func(m []glimesh.Message) { got = ids(m) })

	f.Show(msgs("1"))
	c.Advance(4 * time.Second)
	f.Show(msgs("1", "2"))
	if !slices.Equal(got, []string{"1", "2"}) || c.live() != 1 {
		t.Fatalf("shown %v with %d timers, want 1 2 with one timer", got, c.live())
	}
	c.Advance(6 * time.Second) // 1 is 10 s old
	if !slices.Equal(got, []string{"2"}) || c.live() != 1 {
		t.Fatalf("after 10 s: %v with %d timers, want 2 with one timer", got, c.live())
	}
	c.Advance(4 * time.Second)
	if len(got) != 0 || c.live() != 0 {
		t.Fatalf("after 14 s: %v with %d timers, want nothing and no timer", got, c.live())
	}
	// The screen still lists them: they stay faded.
	f.Show(msgs("1", "2", "3"))
	if !slices.Equal(got, []string{"3"}) {
		t.Fatalf("faded messages came back: %v", got)
	}
}

// TestCatchUp: timers throttled while the page was hidden; Check on show
// removes what is due at once.
func TestCatchUp(t *testing.T) {
	c := &clock{now: time.Unix(1000, 0)}
	var got []string
	f := New(5*time.Second, c, func(m []glimesh.Message) { got = ids(m) })
	f.Show(msgs("1", "2"))
	c.mu.Lock()
	c.now = c.now.Add(time.Minute) // no timer ran
	c.mu.Unlock()
	f.Check()
	if len(got) != 0 || c.live() != 0 {
		t.Fatalf("after catching up: %v, %d timers", got, c.live())
	}
}

func TestNoTimerWhenIdle(t *testing.T) {
	c := &clock{now: time.Unix(1000, 0)}
	f := New(5*time.Second, c, func([]glimesh.Message) {})
	f.Show(nil)
	if f.Pending() || c.live() != 0 {
		t.Fatal("a timer runs for an empty screen")
	}
	for range 100 {
		f.Show(msgs("1", "2", "3"))
	}
	if c.live() != 1 {
		t.Fatalf("%d timers for one screen, want 1", c.live())
	}
}
