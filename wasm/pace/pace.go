// Package pace hands a flood of messages to the screen no faster than the
// page paints them: at most a screenful (the limit) of new messages a
// frame, so that every message is on screen for at least one frame. Only a
// backlog beyond what any reader could follow is coalesced: its oldest
// messages are dropped unseen. Lines of a lively chat that arrive within
// Gap of the last batch share the next one, a paint fewer a line.
package pace

import (
	"context"
	"log/slog"
	"time"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/phoenix"
)

// Defaults of Options.
const (
	// DefaultBacklog is how many screenfuls may wait behind the one being
	// painted: ten frames' worth. Bursts (a batch of frames, a slow frame)
	// fit; more is a flood no reader follows, whose newest lines matter.
	// One screenful was measured too few: a steady 2,000 msg/s at limit=100
	// then lost 7 % of its messages unseen.
	DefaultBacklog = 10
	// DefaultStall is how long a released batch may wait for its frame
	// on a hidden page, which paints no frames: past this the next batch
	// goes anyway, so a hidden page keeps up (and its backlog coalesces).
	DefaultStall = 250 * time.Millisecond
	// DefaultPatience is how long it may wait on a page that is not
	// hidden. Its frames are slow, not absent: under load (the 2-core
	// machine of make test, busy) frames 500 ms apart were measured, and
	// a stall there replaced a screenful before any frame showed it.
	// Past this a page that says it shows but paints nothing (a browser
	// that runs no frames for it) still keeps up.
	DefaultPatience = 2 * time.Second
	// DefaultGap is the least time between two batches that are less than
	// a screenful. A lively chat (20 msg/s) then paints two or three lines
	// a frame, ten frames a second, instead of a frame for every line:
	// each frame's style, layout and paint of the whole overlay is most of
	// what a message costs the streamer's CPU. A reader cannot tell 100 ms
	// on a stream that reaches viewers seconds late; a lone message, after
	// a quiet gap, still goes at once.
	DefaultGap = 100 * time.Millisecond
)

// Options configure a Pacer.
type Options struct {
	Limit   int           // messages on screen, and so most released a frame (≥ 1)
	Backlog int           // most messages waiting, in screenfuls; default DefaultBacklog
	Stall   time.Duration // default DefaultStall
	// Hidden reports whether the page is hidden; without it every page
	// counts as hidden, and Stall is all a batch waits.
	Hidden   func() bool
	Patience time.Duration // default DefaultPatience
	// Gap is the least time between two batches, unless a screenful
	// waits (a flood goes a screenful a frame); 0 means none.
	Gap    time.Duration
	Clock  phoenix.Clock // default phoenix.SystemClock
	Logger *slog.Logger  // default slog.Default()

	// A page that paints a lone batch at once, outside any frame callback
	// (dom.View), calls Painted only from its frame callbacks. Frame then
	// is the time of a frame that showed everything the page was given,
	// and 0 while something it was given waits for a frame: as messages
	// arrive, a Frame later than when the last batch was shown says that
	// batch has been on screen. NextFrame asks for Painted at the next
	// frame, when more wait and it has not. Without them, every batch
	// waits for Painted.
	Frame     func() float64
	NextFrame func()
}

// Pacer sits between the live feed and the screen.
type Pacer struct {
	o       Options
	in      chan []glimesh.Message
	painted chan struct{}
}

// New returns a Pacer; Run starts it.
func New(o Options) *Pacer {
	o.Limit = max(o.Limit, 1)
	if o.Backlog <= 0 {
		o.Backlog = DefaultBacklog
	}
	if o.Stall <= 0 {
		o.Stall = DefaultStall
	}
	if o.Patience <= 0 {
		o.Patience = DefaultPatience
	}
	if o.Clock == nil {
		o.Clock = phoenix.SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Pacer{o: o, in: make(chan []glimesh.Message), painted: make(chan struct{}, 1)}
}

// Add queues msgs, in order, for Run to release. It returns once Run has
// taken them, or when ctx ends.
func (p *Pacer) Add(ctx context.Context, msgs []glimesh.Message) {
	if len(msgs) == 0 {
		return
	}
	select {
	case p.in <- msgs:
	case <-ctx.Done():
	}
}

// Painted tells the Pacer that the page painted a frame. It never blocks:
// the page calls it from its frame callback.
func (p *Pacer) Painted() {
	select {
	case p.painted <- struct{}{}:
	default:
	}
}

// wait is how long a batch may wait for its frame, now.
func (p *Pacer) wait() time.Duration {
	if p.o.Hidden == nil || p.o.Hidden() {
		return p.o.Stall
	}
	return max(p.o.Stall, p.o.Patience)
}

// Run releases what Add queued to show, at most Limit messages at a time,
// each batch once the page painted the one before (or, with no frame, it
// waited Stall on a hidden page, Patience on one that is not). It returns
// when ctx ends. No timer runs while nothing is queued, and one runs for
// a batch, never for each message: a timer armed and stopped for each
// message of a lively chat cost the page a setTimeout, a clearTimeout and
// a wake of Go a message.
func (p *Pacer) Run(ctx context.Context, show func([]glimesh.Message)) {
	var (
		queue   []glimesh.Message
		waiting bool      // a released batch waits for its frame
		shownAt time.Time // when it was released
		frameAt float64   // and Frame then
		timer   phoenix.Timer
		due     time.Time // when timer fires
		stalled = make(chan struct{}, 1)
		warned  bool // the first drop is logged, not every one
	)
	stop := func() {
		if timer != nil {
			timer.Stop()
			timer = nil
		}
	}
	arm := func(now time.Time, d time.Duration) {
		stop()
		due = now.Add(d)
		timer = p.o.Clock.AfterFunc(d, func() {
			select {
			case stalled <- struct{}{}:
			default:
			}
		})
	}
	defer stop()
	backlog := p.o.Backlog * p.o.Limit
	for {
		select {
		case <-ctx.Done():
			return
		case msgs := <-p.in:
			queue = append(queue, msgs...)
			if over := len(queue) - backlog; over > 0 {
				queue = queue[over:]
				if !warned {
					warned = true
					p.o.Logger.Info("pace: more messages than a reader could follow; dropping the oldest unseen", "backlog", backlog)
				}
			}
		case <-p.painted:
			waiting = false
		case <-stalled:
			// Checked each Stall: a page hidden meanwhile stalls then.
			timer = nil
			waiting = waiting && p.o.Clock.Now().Sub(shownAt) < p.wait()
		}
		if waiting && len(queue) > 0 && p.o.Frame != nil && p.o.Frame() > frameAt {
			waiting = false
		}
		if waiting {
			// Something is queued behind the batch on its way: from now on
			// a frame that never comes (a hidden page) must not hold it.
			if timer == nil && len(queue) > 0 {
				if p.o.NextFrame != nil {
					p.o.NextFrame()
				}
				now := p.o.Clock.Now()
				if left := p.wait() - now.Sub(shownAt); left > 0 {
					arm(now, min(left, p.o.Stall))
					continue
				}
				waiting = false // stalled already
			} else {
				continue
			}
		}
		// Less than a screenful, shown, within Gap of the last batch: it
		// waits out the Gap (and the stall timer, due later, gives way).
		if p.o.Gap > 0 && len(queue) > 0 && len(queue) < p.o.Limit {
			if now, end := p.o.Clock.Now(), shownAt.Add(p.o.Gap); now.Before(end) {
				if timer == nil || due.After(end) {
					arm(now, end.Sub(now)) // due at end exactly: armed once a gap
				}
				continue
			}
		}
		stop()
		if len(queue) == 0 {
			queue = nil // let a burst's backing array go
			continue
		}
		n := min(p.o.Limit, len(queue))
		batch := append([]glimesh.Message(nil), queue[:n]...)
		queue = queue[n:]
		show(batch)
		// A frame painted, or a stall noticed, before this batch was shown
		// does not count for it.
		for _, c := range []chan struct{}{p.painted, stalled} {
			select {
			case <-c:
			default:
			}
		}
		waiting, shownAt = true, p.o.Clock.Now()
		if p.o.Frame != nil {
			frameAt = p.o.Frame()
		}
		if len(queue) > 0 {
			arm(shownAt, p.o.Stall)
		}
	}
}
