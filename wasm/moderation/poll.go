package moderation

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/phoenix"
)

// DefaultMinGap is the least time between two reads that Kick asks for.
const DefaultMinGap = time.Second

// How much each read asks for: the logs of the last poll interval or so
// (more moderation in between than this is not seen), and the bans that
// hide the authors of what a backfill may bring back. Once a read has
// caught up, the next ask for CaughtUpLogs logs only, and read again in
// full when all of those are new.
const (
	LogsPerRead  = 100
	BansPerRead  = 100
	CaughtUpLogs = 10
)

// QuietAfter is how long after the last live message the chat counts as
// quiet: deletes come while people chat, so reads slow down after it.
const QuietAfter = time.Minute

// PollOptions configure a Poller.
type PollOptions struct {
	// Fetch reads the channel's recent moderation, with up to logs log
	// entries (glimesh.Client.Moderation).
	Fetch func(ctx context.Context, logs int) (glimesh.Moderation, error)
	// Deliver hands a step to the Screen's goroutine, in order.
	Deliver func(Step)
	// Source names the channel read (SourceKey); its reads apply to its
	// messages only.
	Source   string
	Interval time.Duration // between reads while the chat is lively (mod_poll); required by Run
	Quiet    time.Duration // between reads once it is quiet (QuietAfter); default Interval
	// Jitter spreads each wait by up to this fraction either way, so that
	// the pages of many viewers do not read in step.
	Jitter float64
	MinGap time.Duration  // least time between reads Kick asks for; default DefaultMinGap
	Clock  phoenix.Clock  // default phoenix.SystemClock
	Rand   func() float64 // in [0, 1), for the jitter; default math/rand/v2
	Logger *slog.Logger   // default discards
}

// Poller reads the moderation logs and bans every Interval while the chat
// is lively, every Quiet while it is not, sooner when the Screen has held
// messages waiting for a read, and not at all while the page is hidden.
type Poller struct {
	o       PollOptions
	kick    chan struct{}
	changed chan struct{} // the chat became lively, or the page's visibility changed
	failing atomic.Bool   // the last read failed: say so once, not on every read
	hidden  atomic.Bool
	lively  atomic.Int64 // UnixNano of the last live message
	mu      sync.Mutex
	newest  string // the newest log id read, to know when a short read may have missed some
}

// NewPoller returns a poller; o.Fetch and o.Deliver are required.
func NewPoller(o PollOptions) (*Poller, error) {
	if o.Fetch == nil || o.Deliver == nil {
		return nil, errors.New("moderation: a Poller needs Fetch and Deliver")
	}
	if o.MinGap <= 0 {
		o.MinGap = DefaultMinGap
	}
	if o.Quiet < o.Interval {
		o.Quiet = o.Interval
	}
	o.Jitter = min(max(o.Jitter, 0), 0.5)
	if o.Clock == nil {
		o.Clock = phoenix.SystemClock{}
	}
	if o.Source == "" {
		o.Source = SourceKey("", "")
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Poller{o: o, kick: make(chan struct{}, 1), changed: make(chan struct{}, 1)}, nil
}

// Arrived notes that live messages arrived: reads come every Interval
// for QuietAfter. It never blocks.
func (p *Poller) Arrived() {
	now := p.o.Clock.Now()
	if prev := p.lively.Swap(now.UnixNano()); now.Sub(time.Unix(0, prev)) >= QuietAfter {
		p.signal(p.changed) // was quiet: the next read comes sooner
	}
}

// Visible says whether the page shows: no reads while it is hidden, one
// soon after it shows again. It never blocks.
func (p *Poller) Visible(visible bool) {
	if p.hidden.Swap(!visible) == visible { // changed
		p.signal(p.changed)
		if visible {
			p.Kick()
		}
	}
}

func (p *Poller) signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// gap is the wait from one read to the next, jittered by r in [0, 1).
func (p *Poller) gap(r float64) time.Duration {
	d := p.o.Interval
	if p.o.Clock.Now().Sub(time.Unix(0, p.lively.Load())) >= QuietAfter {
		d = p.o.Quiet
	}
	return time.Duration(float64(d) * (1 + p.o.Jitter*(2*r-1)))
}

// Kick asks for a read soon (no sooner than MinGap after the last one).
// It never blocks.
func (p *Poller) Kick() { p.signal(p.kick) }

// Once reads now and delivers the result. A failed read is delivered as
// an empty one, so messages held for it still show: moderation is best
// effort, the chat itself must go on.
func (p *Poller) Once(ctx context.Context) {
	started := p.o.Clock.Now()
	st, err := p.fetch(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		if !p.failing.Swap(true) {
			p.o.Logger.Warn("moderation: cannot read the moderation logs; retrying", "err", err)
		}
		st = glimesh.Moderation{}
	} else if p.failing.Swap(false) {
		p.o.Logger.Info("moderation: reading the moderation logs again")
	}
	p.o.Deliver(func(s *Screen) bool { return s.ReadFrom(p.o.Source, st, started) })
}

// fetch reads the moderation: a short read once caught up, and a full
// one when the short read's logs are all new (some may lie beyond it).
func (p *Poller) fetch(ctx context.Context) (glimesh.Moderation, error) {
	p.mu.Lock()
	newest := p.newest
	p.mu.Unlock()
	logs := LogsPerRead
	if newest != "" {
		logs = CaughtUpLogs
	}
	st, err := p.o.Fetch(ctx, logs)
	if err == nil && logs < LogsPerRead && len(st.Logs) >= logs && glimesh.CompareIDs(st.Logs[0].ID, newest) > 0 {
		st, err = p.o.Fetch(ctx, LogsPerRead)
	}
	if err == nil {
		p.caughtUp(st)
	}
	return st, err
}

// caughtUp notes the newest log of a read.
func (p *Poller) caughtUp(st glimesh.Moderation) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range st.Logs {
		if glimesh.ValidID(l.ID) && (p.newest == "" || glimesh.CompareIDs(l.ID, p.newest) > 0) {
			p.newest = l.ID
		}
	}
	if p.newest == "" {
		p.newest = "0" // nothing logged yet: caught up all the same
	}
}

// Deliver hands over a read made elsewhere (with the history at start,
// glimesh.Client.Start) that started at started, as Once would.
func (p *Poller) Deliver(st glimesh.Moderation, started time.Time) {
	p.failing.Store(false)
	p.caughtUp(st)
	p.o.Deliver(func(s *Screen) bool { return s.ReadFrom(p.o.Source, st, started) })
}

// Wrap returns load followed by a read of the moderation, delivered before
// load's messages are: history and backfill join the screen with the
// moderation done by the time they were loaded already applied, so a
// removed message does not flash when the page opens or reconnects.
func (p *Poller) Wrap(load func(ctx context.Context) ([]glimesh.Message, error)) func(ctx context.Context) ([]glimesh.Message, error) {
	return func(ctx context.Context) ([]glimesh.Message, error) {
		msgs, err := load(ctx)
		if err != nil {
			return nil, err
		}
		p.Once(ctx)
		return msgs, nil
	}
}

// Run reads every Interval (or Quiet), or after a Kick, until ctx ends.
func (p *Poller) Run(ctx context.Context) error {
	if p.o.Interval <= 0 {
		return errors.New("moderation: Run needs an Interval")
	}
	last := p.o.Clock.Now()
	r := p.o.Rand()
	for {
		if !p.due(ctx, last, r) {
			return ctx.Err()
		}
		select {
		case <-p.kick: // kicks made so far are answered by this read
		default:
		}
		last, r = p.o.Clock.Now(), p.o.Rand()
		p.Once(ctx)
	}
}

// due waits until the next read is due: the gap after last, or MinGap
// after it once kicked, while the page shows. It reports false when ctx
// ended first.
func (p *Poller) due(ctx context.Context, last time.Time, r float64) bool {
	for {
		var wake chan struct{}
		var t phoenix.Timer
		if !p.hidden.Load() {
			wake = make(chan struct{})
			t = p.o.Clock.AfterFunc(p.gap(r)-p.o.Clock.Now().Sub(last), func() { close(wake) })
		}
		stop := func() {
			if t != nil {
				t.Stop()
			}
		}
		select {
		case <-wake:
			return true
		case <-p.changed: // lively again, or shown or hidden: the wait is another
			stop()
		case <-p.kick:
			stop()
			if p.hidden.Load() {
				continue // read once shown: Visible kicks then
			}
			return phoenix.Sleep(ctx, p.o.Clock, p.o.MinGap-p.o.Clock.Now().Sub(last))
		case <-ctx.Done():
			stop()
			return false
		}
	}
}
