package phoenix

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
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

// Wake reconnects at once if the socket is down and waiting out its
// backoff, and checks a live link with an immediate heartbeat. Call it when
// the link may have died unnoticed or may work again: after a suspend, or
// when the network comes back.
func (s *Socket) Wake() { signal(s.wake) }

func (s *Socket) onWake() {
	switch {
	case s.dialing:
	case s.conn == nil:
		s.log.Debug("phoenix: wake: reconnecting now")
		s.connect()
	case !s.control.joined:
		s.control.rejoinNow()
	case s.hbRef == "":
		s.sendHeartbeat()
	}
}

// connect dials in a goroutine; dialed picks up the result on the loop.
func (s *Socket) connect() {
	s.reconnectT.stop()
	s.gen++
	gen := s.gen
	ctx, cancel := context.WithCancel(withLogger(s.runCtx, s.log))
	s.dialing = true
	start := s.clock.Now()
	s.arm(&s.dialT, s.cfg.DialTimeout, cancel)
	if s.everLive || s.attempts > 0 {
		s.st.set(StateReconnecting, nil)
	} else {
		s.st.set(StateConnecting, nil)
	}
	go func() {
		c, err := s.cfg.Dial(ctx, s.cfg.URL)
		if err == nil && c == nil {
			err = errors.New("dialer returned no connection")
		}
		if !s.post(context.Background(), func() { s.dialed(gen, start, c, ctx, cancel, err) }) {
			cancel()
			if c != nil {
				c.Close()
			}
		}
	}()
}

func (s *Socket) dialed(gen int, start time.Time, c Conn, ctx context.Context, cancel context.CancelFunc, err error) {
	if gen != s.gen || s.stopping() {
		cancel()
		if c != nil {
			c.Close()
		}
		return
	}
	s.dialing = false
	s.dialT.stop()
	if err != nil {
		cancel()
		quick := s.clock.Now().Sub(start) < s.cfg.QuickFailure
		switch {
		case errors.Is(err, ErrRefused):
			s.quickFails = 0
		case quick:
			s.quickFails++
			if s.quickFails >= s.cfg.RefusedAfter {
				err = fmt.Errorf("%w (closed before opening %d times in a row): %w", ErrRefused, s.quickFails, err)
			}
		default:
			s.quickFails = 0
		}
		s.retry(fmt.Errorf("connect: %w", err))
		return
	}
	s.quickFails = 0
	s.conn, s.connCancel = c, cancel
	go s.read(ctx, gen, c) // ctx ends with the connection (teardown cancels it)
	s.arm(&s.hbT, s.cfg.HeartbeatInterval, s.heartbeatTick)
	s.control.join()
}

// joined is the control channel reporting a successful (re)join.
func (s *Socket) joined() {
	s.attempts = 0
	s.everLive = true
	s.st.set(StateLive, nil)
	s.sendWaiting()
	s.syncSubs()
}

// channelFailed is the control channel reporting that it crashed or was
// refused on a working connection; it rejoins by itself. The server lost
// every subscription with it, and pending pushes on it get no reply.
func (s *Socket) channelFailed(cause error) {
	s.forgetSubscriptions()
	s.failPending(func(p *push) bool { return p.topic == TopicControl }, cause)
	s.st.set(StateReconnecting, cause)
}

// read decodes frames off c and hands them to the loop. Malformed frames
// are logged and skipped.
func (s *Socket) read(ctx context.Context, gen int, c Conn) {
	for {
		batch, err := c.Recv(ctx)
		if err != nil {
			s.post(context.Background(), func() { s.connClosed(gen, err) })
			return
		}
		frames := make([]Frame, 0, len(batch))
		for _, data := range batch {
			f, err := DecodeFrame(data)
			if err != nil {
				s.log.Warn("phoenix: skipping a malformed frame", "err", clip(err.Error(), 200), "bytes", len(data))
				continue
			}
			frames = append(frames, f)
		}
		if len(frames) == 0 {
			continue
		}
		if !s.post(context.Background(), func() {
			for _, f := range frames {
				s.handle(gen, f)
			}
		}) {
			return
		}
	}
}

// clip shortens server text for a log line. It cuts before a rune that
// would straddle n, so valid UTF-8 stays valid; it backs off at most one
// rune's length, so invalid text is still cut near n.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for i := n; i >= 0 && n-i < utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			n = i
			break
		}
	}
	return s[:n] + "…"
}

func (s *Socket) connClosed(gen int, err error) {
	if gen != s.gen || s.conn == nil || s.stopping() {
		return
	}
	s.retry(fmt.Errorf("connection closed: %w", err))
}

// retry tears the connection down and schedules the next dial.
func (s *Socket) retry(cause error) {
	s.teardown(fmt.Errorf("%w: %w", ErrConnectionLost, cause))
	delay := s.cfg.Backoff.Delay(s.attempts)
	s.attempts++
	s.arm(&s.reconnectT, delay, s.connect)
	s.st.set(StateReconnecting, cause)
}

// teardown closes the connection and fails everything tied to it.
func (s *Socket) teardown(lost error) {
	s.gen++
	if s.conn != nil {
		s.connCancel()
		if err := s.conn.Close(); err != nil {
			s.log.Debug("phoenix: close", "err", err)
		}
		s.conn = nil
	}
	s.hbT.stop()
	s.hbDeadline.stop()
	s.hbRef = ""
	s.control.reset()
	s.forgetSubscriptions()
	s.failPending(func(*push) bool { return true }, lost)
}

// linkDead closes a connection that still looks open but does not work.
func (s *Socket) linkDead(cause error) {
	if s.conn == nil {
		return
	}
	s.log.Warn("phoenix: link dead, reconnecting", "err", cause)
	s.retry(cause)
}

func (s *Socket) heartbeatTick() {
	if s.conn == nil {
		return
	}
	if s.hbRef != "" {
		s.linkDead(ErrHeartbeatTimeout)
		return
	}
	s.sendHeartbeat()
	s.arm(&s.hbT, s.cfg.HeartbeatInterval, s.heartbeatTick)
}

func (s *Socket) sendHeartbeat() {
	ref := s.nextRef()
	s.hbRef = ref
	s.arm(&s.hbDeadline, s.cfg.HeartbeatTimeout, func() {
		if s.hbRef == ref {
			s.linkDead(ErrHeartbeatTimeout)
		}
	})
	s.send(Frame{Ref: ref, Topic: TopicPhoenix, Event: EventHeartbeat})
}

// send writes a frame; a failed write means the connection is gone.
func (s *Socket) send(f Frame) {
	if s.conn == nil {
		return
	}
	if err := s.conn.Send(f.Encode()); err != nil {
		s.retry(fmt.Errorf("send %s: %w", f.Event, err))
	}
}

// handle routes one incoming frame.
func (s *Socket) handle(gen int, f Frame) {
	if gen != s.gen {
		return
	}
	switch {
	case f.Topic == TopicPhoenix && f.Event == EventReply:
		if f.Ref != "" && f.Ref == s.hbRef {
			s.hbRef = ""
			s.hbDeadline.stop()
		}
	case f.Topic == TopicControl:
		s.control.handle(f)
	case f.Event == EventSubscriptionData:
		sub := s.byTopic[f.Topic]
		if sub == nil {
			s.log.Debug("phoenix: push for an unknown subscription", "topic", f.Topic)
			return
		}
		if h := sub.h.Data; h != nil {
			payload := f.Payload
			s.disp.enqueue(func() { h(payload) })
		}
	case f.Event == EventReply:
		s.reply(f)
	default:
		s.log.Debug("phoenix: ignoring frame", "topic", f.Topic, "event", f.Event)
	}
}
