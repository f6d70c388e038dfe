package moderation

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/phoenix"
)

// DefaultMinGap is the least time between two reads that Kick asks for.
const DefaultMinGap = time.Second

// How much each read asks for: the logs of the last poll interval or so
// (more moderation in between than this is not seen), and the bans that
// hide the authors of what a backfill may bring back.
const (
	LogsPerRead = 100
	BansPerRead = 100
)

// PollOptions configure a Poller.
type PollOptions struct {
	// Fetch reads the channel's recent moderation (glimesh.Client.Moderation).
	Fetch func(ctx context.Context) (glimesh.Moderation, error)
	// Deliver hands a step to the Screen's goroutine, in order.
	Deliver  func(Step)
	Interval time.Duration // between reads (mod_poll); required by Run
	MinGap   time.Duration // least time between reads Kick asks for; default DefaultMinGap
	Clock    phoenix.Clock // default phoenix.SystemClock
	Logger   *slog.Logger  // default discards
}

// Poller reads the moderation logs and bans every Interval, and sooner
// when the Screen has held messages waiting for a read.
type Poller struct {
	o       PollOptions
	kick    chan struct{}
	failing atomic.Bool // the last read failed: say so once, not on every read
}

// NewPoller returns a poller; o.Fetch and o.Deliver are required.
func NewPoller(o PollOptions) (*Poller, error) {
	if o.Fetch == nil || o.Deliver == nil {
		return nil, errors.New("moderation: a Poller needs Fetch and Deliver")
	}
	if o.MinGap <= 0 {
		o.MinGap = DefaultMinGap
	}
	if o.Clock == nil {
		o.Clock = phoenix.SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Poller{o: o, kick: make(chan struct{}, 1)}, nil
}

// Kick asks for a read soon (no sooner than MinGap after the last one).
// It never blocks.
func (p *Poller) Kick() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Once reads now and delivers the result. A failed read is delivered as
// an empty one, so messages held for it still show: moderation is best
// effort, the chat itself must go on.
func (p *Poller) Once(ctx context.Context) {
	started := p.o.Clock.Now()
	st, err := p.o.Fetch(ctx)
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
	p.o.Deliver(func(s *Screen) bool { return s.Read(st, started) })
}

// Deliver hands over a read made elsewhere (with the history at start,
// glimesh.Client.Start) that started at started, as Once would.
func (p *Poller) Deliver(st glimesh.Moderation, started time.Time) {
	p.failing.Store(false)
	p.o.Deliver(func(s *Screen) bool { return s.Read(st, started) })
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

// Run reads every Interval, or after a Kick, until ctx ends.
func (p *Poller) Run(ctx context.Context) error {
	if p.o.Interval <= 0 {
		return errors.New("moderation: Run needs an Interval")
	}
	last := p.o.Clock.Now()
	for {
		wake := make(chan struct{})
		t := p.o.Clock.AfterFunc(p.o.Interval-p.o.Clock.Now().Sub(last), func() { close(wake) })
		select {
		case <-wake:
		case <-p.kick:
			t.Stop()
			if !phoenix.Sleep(ctx, p.o.Clock, p.o.MinGap-p.o.Clock.Now().Sub(last)) {
				return ctx.Err()
			}
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
		select {
		case <-p.kick: // kicks made so far are answered by this read
		default:
		}
		last = p.o.Clock.Now()
		p.Once(ctx)
	}
}
