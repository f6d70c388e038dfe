package phoenix

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultHeartbeatInterval is the Phoenix and Glimesh heartbeat figure.
const DefaultHeartbeatInterval = 30 * time.Second

// DefaultHeartbeatTimeout is how long a heartbeat's reply may take. A live
// server answers within a round trip, so a half-open link is noticed within
// one interval plus this, and its timer runs only while a beat is out.
const DefaultHeartbeatTimeout = 10 * time.Second

// Config configures a Socket. Zero durations take the defaults.
type Config struct {
	URL    string // from SocketURL; it may carry a token, so it is never logged
	Dial   Dialer
	Clock  Clock        // default SystemClock
	Logger *slog.Logger // default discards

	HeartbeatInterval time.Duration // default DefaultHeartbeatInterval
	HeartbeatTimeout  time.Duration // reply deadline; default DefaultHeartbeatTimeout, at most HeartbeatInterval
	PushTimeout       time.Duration // default 10 s
	DialTimeout       time.Duration // default 10 s
	Backoff           Backoff       // default Base 500 ms, Cap 10 s

	// A browser sees a refused upgrade only as a close before open, like
	// any network failure. RefusedAfter failures in a row, each within
	// QuickFailure of dialing, are reported as ErrRefused. Defaults 3, 2 s.
	RefusedAfter int
	QuickFailure time.Duration
}

// Socket is one Phoenix connection joined to the Absinthe control channel.
// All protocol state lives in the goroutine running Run (the loop); the
// methods talk to it through channels and are safe for concurrent use.
type Socket struct {
	cfg   Config
	log   *slog.Logger
	clock Clock
	disp  *dispatcher
	st    *stateCell

	events  chan func()
	nudge   chan struct{} // subscriptions added or removed
	wake    chan struct{}
	done    chan struct{} // closed when Run returns
	running atomic.Bool
	started atomic.Bool

	mu      sync.Mutex // guards newSubs
	newSubs []*Subscription

	// Owned by the loop.
	runCtx     context.Context
	gen        int // bumped per connection; stale reader and dial events are dropped
	conn       Conn
	connCancel context.CancelFunc
	dialing    bool
	dialT      loopTimer
	reconnectT loopTimer
	attempts   int // connection retries since the last successful join
	quickFails int
	ref        uint64
	pending    map[string]*push
	waiting    []waitingPush // pushes made before the join, sent once it is done
	hbT        loopTimer
	hbDeadline loopTimer
	hbRef      string
	control    channel
	subs       []*Subscription
	byTopic    map[string]*Subscription
	everLive   bool
}

// New returns a socket; Run connects it.
func New(cfg Config) (*Socket, error) {
	if cfg.URL == "" {
		return nil, errors.New("phoenix: no URL")
	}
	if cfg.Dial == nil {
		return nil, errors.New("phoenix: no Dial")
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.HeartbeatInterval, DefaultHeartbeatInterval)
	def(&cfg.HeartbeatTimeout, min(DefaultHeartbeatTimeout, cfg.HeartbeatInterval))
	def(&cfg.PushTimeout, 10*time.Second)
	def(&cfg.DialTimeout, 10*time.Second)
	def(&cfg.QuickFailure, 2*time.Second)
	if cfg.Backoff.Base <= 0 || cfg.Backoff.Cap <= 0 {
		cfg.Backoff.Base, cfg.Backoff.Cap = 500*time.Millisecond, 10*time.Second
	}
	if cfg.RefusedAfter <= 0 {
		cfg.RefusedAfter = 3
	}
	disp := newDispatcher(cfg.Logger)
	s := &Socket{
		cfg:     cfg,
		log:     cfg.Logger,
		clock:   cfg.Clock,
		disp:    disp,
		st:      newStateCell(disp, cfg.Logger),
		events:  make(chan func()),
		nudge:   make(chan struct{}, 1),
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
		pending: map[string]*push{},
		byTopic: map[string]*Subscription{},
	}
	s.control.s = s
	return s, nil
}

// Run connects and keeps the socket connected until ctx ends, then closes
// it, fails what is pending with ErrClosed and reports StateOffline.
func (s *Socket) Run(ctx context.Context) error {
	if !s.started.CompareAndSwap(false, true) {
		return errors.New("phoenix: Run called twice")
	}
	go s.disp.run()
	s.runCtx = ctx
	s.running.Store(true)
	s.connect()
	for {
		select {
		case <-ctx.Done():
			s.shutdown()
			return ctx.Err()
		case fn := <-s.events:
			fn()
		case <-s.nudge:
			s.syncSubs()
		case <-s.wake:
			s.onWake()
		}
	}
}

// stopping reports that Run's ctx has ended though the loop has not yet
// seen it: the select may take an event first. A dial or read that failed
// with that ctx is no news, and shutdown is about to fail what is pending
// with ErrClosed.
func (s *Socket) stopping() bool { return s.runCtx.Err() != nil }

func (s *Socket) shutdown() {
	s.running.Store(false)
	s.teardown(ErrClosed)
	s.failWaiting(ErrClosed)
	s.reconnectT.stop()
	s.dialT.stop()
	s.st.set(StateOffline, nil)
	close(s.done)
	s.disp.close()
}

// post runs fn on the loop. It fails once the socket has stopped, or if
// ctx ends first.
func (s *Socket) post(ctx context.Context, fn func()) bool {
	select {
	case s.events <- fn:
		return true
	case <-s.done:
		return false
	case <-ctx.Done():
		return false
	}
}

// signal leaves a mark on ch without blocking; marks made before the
// reader looks merge into one.
func signal(ch chan<- struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
