// Package live follows one channel's chat: it keeps a subscription up
// over the phoenix socket, backfills history after every (re)subscribe,
// polls instead when asked to (or when the socket keeps failing and fetch
// works), and reports the connection state. Everything it finds goes to
// one sink; ordering and de-duplication happen downstream in wasm/feed.
package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/phoenix"
)

// Defaults for zero FollowOptions fields.
const (
	DefaultBackfillRetry    = 2 * time.Second
	DefaultBackfillAttempts = 3
	maxBatch                = 500
)

// Options are what Poll needs, and what Follow needs besides its socket.
type Options struct {
	// Backfill queries recent history, by fetch or through the socket.
	Backfill func(ctx context.Context) ([]glimesh.Message, error)
	// Sink receives every message found, pushed or queried, in batches.
	// It is called from one goroutine at a time.
	Sink func([]glimesh.Message)
	// OnState gets the connection state, and the error of each failure.
	OnState func(State, error)
	// PollInterval is the time between polls (config.DefaultPoll is the
	// widget's default); required by Poll, and by Follow's poll fallback.
	PollInterval time.Duration

	Clock  phoenix.Clock // default phoenix.SystemClock
	Logger *slog.Logger  // default discards
}

// FollowOptions configure Follow.
type FollowOptions struct {
	Options
	Socket    *phoenix.Socket
	Query     string // the subscription document
	Variables []byte // its variables, a JSON object

	// FallbackAfter is how many socket failures in a row start polling
	// until the subscription is back (Plan.PollFallback); 0 never polls.
	FallbackAfter int
	// A failed backfill is retried after BackfillRetry, up to
	// BackfillAttempts tries per (re)subscribe.
	BackfillRetry    time.Duration
	BackfillAttempts int
}

func (o *Options) defaults() {
	if o.Clock == nil {
		o.Clock = phoenix.SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.OnState == nil {
		o.OnState = func(State, error) {}
	}
}

func (o *FollowOptions) defaults() {
	o.Options.defaults()
	if o.BackfillRetry <= 0 {
		o.BackfillRetry = DefaultBackfillRetry
	}
	if o.BackfillAttempts <= 0 {
		o.BackfillAttempts = DefaultBackfillAttempts
	}
}

type status struct {
	state State
	err   error
}

// sockStatus is a socket state change, before follow maps it to State.
type sockStatus struct {
	state phoenix.State
	err   error
}

type fetched struct {
	gen  int
	msgs []glimesh.Message
	err  error
}

// follower is the state of one Follow call, owned by its loop.
type follower struct {
	o   FollowOptions
	log *slog.Logger

	pushes     chan []byte
	active     chan struct{}
	failed     chan error
	states     chan sockStatus
	backfilled chan fetched
	retry      chan int
	polled     chan fetched

	state         status
	subActive     bool
	backfillGen   int
	backfilling   bool
	backfillAgain bool
	attempts      int
	sockFailures  int
	pollGen       int
	pollCancel    context.CancelFunc
}

// Follow subscribes to o.Query on o.Socket and feeds o.Sink until ctx ends.
// Pushes are decoded by glimesh.DecodePush. The socket must be running (or
// be started) separately.
func Follow(ctx context.Context, o FollowOptions) error {
	if o.Socket == nil || o.Query == "" || o.Backfill == nil || o.Sink == nil {
		return errors.New("live: Follow needs Socket, Query, Backfill and Sink")
	}
	if o.FallbackAfter > 0 && o.PollInterval <= 0 {
		return errors.New("live: a poll fallback needs PollInterval")
	}
	o.defaults()
	f := &follower{
		o:          o,
		log:        o.Logger,
		pushes:     make(chan []byte, maxBatch),
		active:     make(chan struct{}, 1),
		failed:     make(chan error, 1),
		states:     make(chan sockStatus, 16),
		backfilled: make(chan fetched, 1),
		retry:      make(chan int, 1),
		polled:     make(chan fetched, 1),
	}
	return f.run(ctx)
}

func (f *follower) run(ctx context.Context) error {
	sub := f.o.Socket.Subscribe(f.o.Query, f.o.Variables, phoenix.SubscriptionHandler{
		// Data blocks while the loop is busy: backpressure on the socket's
		// dispatcher, never on JavaScript.
		Data: func(p []byte) {
			select {
			case f.pushes <- p:
			case <-ctx.Done():
			}
		},
		Active: func(string) {
			select {
			case f.active <- struct{}{}:
			default: // one pending activation is enough
			}
		},
		Failed: func(err error) {
			select {
			case f.failed <- err:
			case <-ctx.Done():
			}
		},
	})
	stopWatch := f.o.Socket.Watch(func(st phoenix.State, err error) {
		select {
		case f.states <- sockStatus{st, err}:
		case <-ctx.Done():
		}
	})
	defer func() {
		stopWatch()
		sub.Unsubscribe()
		f.stopPolling()
	}()
	for {
		select {
		case <-ctx.Done():
			f.setState(Offline, nil)
			return ctx.Err()
		case p := <-f.pushes:
			f.deliverPushes(p)
		case <-f.active:
			f.subActive = true
			f.sockFailures = 0
			f.stopPolling()
			f.setState(Live, nil)
			f.backfillGen++
			f.attempts = 0
			f.backfill(ctx)
		case err := <-f.failed:
			// The document itself was refused; nothing will come until the
			// next reconnect sends it again.
			f.subActive = false
			f.setState(Offline, fmt.Errorf("subscribe: %w", err))
		case s := <-f.states:
			f.socketState(ctx, s)
		case r := <-f.backfilled:
			f.backfilled1(ctx, r)
		case gen := <-f.retry:
			if gen == f.backfillGen && f.subActive {
				f.backfill(ctx)
			}
		case r := <-f.polled:
			if r.err == nil {
				f.sink(r.msgs)
			}
			if r.gen == f.pollGen && f.pollCancel != nil {
				f.pollState(r.err)
			}
		}
	}
}

// deliverPushes decodes p and whatever else is already waiting, and hands
// the batch to the sink in one call. Undecodable pushes are logged and
// skipped.
func (f *follower) deliverPushes(p []byte) {
	batch := make([]glimesh.Message, 0, 1+len(f.pushes))
	for {
		m, err := glimesh.DecodePush(p)
		if err != nil {
			f.log.Warn("live: skipping an undecodable push", "err", err, "bytes", len(p))
		} else {
			batch = append(batch, m)
		}
		if len(batch) >= maxBatch {
			break
		}
		select {
		case p = <-f.pushes:
			continue
		default:
		}
		break
	}
	f.sink(batch)
}

func (f *follower) sink(msgs []glimesh.Message) {
	if len(msgs) > 0 {
		f.o.Sink(msgs)
	}
}

func (f *follower) setState(st State, err error) {
	if st == f.state.state && err == nil {
		return
	}
	f.state = status{st, err}
	f.o.OnState(st, err)
}

func (f *follower) socketState(ctx context.Context, s sockStatus) {
	switch s.state {
	case phoenix.StateLive:
		// Live for us means subscribed: wait for Active.
	case phoenix.StateOffline:
		f.subActive = false
		f.setState(Offline, s.err)
	case phoenix.StateConnecting, phoenix.StateReconnecting:
		f.subActive = false
		if s.err != nil {
			f.sockFailures++
		}
		if f.pollCancel != nil {
			return // polling speaks for the state meanwhile
		}
		st := Connecting
		if s.state == phoenix.StateReconnecting {
			st = Reconnecting
		}
		f.setState(st, s.err)
		if f.o.FallbackAfter > 0 && f.sockFailures >= f.o.FallbackAfter {
			f.log.Info("live: the socket keeps failing; polling until it is back", "failures", f.sockFailures)
			f.startPolling(ctx)
		}
	}
}

// backfill runs the history query, one at a time; an activation during a
// run queues one more run.
func (f *follower) backfill(ctx context.Context) {
	if f.backfilling {
		f.backfillAgain = true
		return
	}
	f.backfilling = true
	gen := f.backfillGen
	go func() {
		msgs, err := f.o.Backfill(ctx)
		select {
		case f.backfilled <- fetched{gen, msgs, err}:
		case <-ctx.Done():
		}
	}()
}

func (f *follower) backfilled1(ctx context.Context, r fetched) {
	f.backfilling = false
	if r.err == nil {
		// Even a backfill older than the last reconnect holds real
		// messages; the feed drops the duplicates.
		f.sink(r.msgs)
	} else {
		f.log.Warn("live: backfill failed", "err", r.err)
		if r.gen == f.backfillGen && f.subActive && !f.backfillAgain {
			f.attempts++
			if f.attempts < f.o.BackfillAttempts {
				gen := r.gen
				f.o.Clock.AfterFunc(f.o.BackfillRetry, func() {
					select {
					case f.retry <- gen:
					case <-ctx.Done():
					}
				})
			}
		}
	}
	if f.backfillAgain {
		f.backfillAgain = false
		f.backfill(ctx)
	}
}

func (f *follower) startPolling(ctx context.Context) {
	pctx, cancel := context.WithCancel(ctx)
	f.pollGen++
	f.pollCancel = cancel
	go pollLoop(pctx, f.o.Options, f.pollGen, f.polled)
}

func (f *follower) stopPolling() {
	if f.pollCancel != nil {
		f.pollCancel()
		f.pollCancel = nil
		f.log.Info("live: the subscription is back; polling stopped")
	}
}

func (f *follower) pollState(err error) {
	if err != nil {
		f.setState(Reconnecting, fmt.Errorf("poll: %w", err))
		return
	}
	f.setState(Live, nil)
}

// pollLoop queries history now and then every o.PollInterval, sending each
// result to out, until ctx ends.
func pollLoop(ctx context.Context, o Options, gen int, out chan<- fetched) {
	for {
		msgs, err := o.Backfill(ctx)
		if ctx.Err() != nil {
			return
		}
		select {
		case out <- fetched{gen, msgs, err}:
		case <-ctx.Done():
			return
		}
		tick := make(chan struct{})
		t := o.Clock.AfterFunc(o.PollInterval, func() { close(tick) })
		select {
		case <-tick:
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
}

// Poll follows chat by querying history every o.PollInterval (the
// tutorial's way, for transport=poll), feeding o.Sink until ctx ends.
func Poll(ctx context.Context, o Options) error {
	if o.Backfill == nil || o.Sink == nil || o.PollInterval <= 0 {
		return errors.New("live: Poll needs Backfill, Sink and PollInterval")
	}
	o.defaults()
	f := &follower{o: FollowOptions{Options: o}, log: o.Logger}
	f.setState(Connecting, nil)
	out := make(chan fetched, 1)
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go pollLoop(pctx, o, 1, out)
	for {
		select {
		case <-ctx.Done():
			f.setState(Offline, nil)
			return ctx.Err()
		case r := <-out:
			if r.err != nil {
				f.log.Warn("live: poll failed", "err", r.err)
			} else {
				f.sink(r.msgs)
			}
			f.pollState(r.err)
		}
	}
}
