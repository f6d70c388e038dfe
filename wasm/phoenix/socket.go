package phoenix

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// State is the connection state shown to the page as data-state.
type State int

const (
	StateConnecting   State = iota + 1 // first attempt, never live yet
	StateLive                          // control channel joined
	StateReconnecting                  // lost or failed; a retry is due
	StateOffline                       // stopped
)

func (s State) String() string {
	switch s {
	case StateConnecting:
		return "connecting"
	case StateLive:
		return "live"
	case StateReconnecting:
		return "reconnecting"
	case StateOffline:
		return "offline"
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

// Config configures a Socket. Zero durations take the defaults.
type Config struct {
	URL    string // from SocketURL; it may carry a token, so it is never logged
	Dial   Dialer
	Clock  Clock        // default SystemClock
	Logger *slog.Logger // default discards

	HeartbeatInterval time.Duration // default 30 s, the Phoenix and Glimesh figure
	HeartbeatTimeout  time.Duration // reply deadline; default HeartbeatInterval
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
// All protocol state lives in the goroutine running Run; the methods talk
// to it through channels and are safe for concurrent use.
type Socket struct {
	cfg   Config
	log   *slog.Logger
	clock Clock
	disp  *dispatcher

	events  chan func()
	nudge   chan struct{} // subscriptions added or removed
	wake    chan struct{}
	done    chan struct{} // closed when Run returns
	running atomic.Bool
	started atomic.Bool

	mu       sync.Mutex // guards the fields below
	state    State
	stateErr error
	watchers map[int]func(State, error)
	watchSeq int
	newSubs  []*Subscription

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
	def(&cfg.HeartbeatInterval, 30*time.Second)
	def(&cfg.HeartbeatTimeout, cfg.HeartbeatInterval)
	def(&cfg.PushTimeout, 10*time.Second)
	def(&cfg.DialTimeout, 10*time.Second)
	def(&cfg.QuickFailure, 2*time.Second)
	if cfg.Backoff.Base <= 0 || cfg.Backoff.Cap <= 0 {
		cfg.Backoff.Base, cfg.Backoff.Cap = 500*time.Millisecond, 10*time.Second
	}
	if cfg.RefusedAfter <= 0 {
		cfg.RefusedAfter = 3
	}
	s := &Socket{
		cfg:      cfg,
		log:      cfg.Logger,
		clock:    cfg.Clock,
		disp:     newDispatcher(cfg.Logger),
		events:   make(chan func()),
		nudge:    make(chan struct{}, 1),
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}),
		state:    StateConnecting,
		watchers: map[int]func(State, error){},
		pending:  map[string]*push{},
		byTopic:  map[string]*Subscription{},
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

func (s *Socket) shutdown() {
	s.running.Store(false)
	s.teardown(ErrClosed)
	s.reconnectT.stop()
	s.dialT.stop()
	s.setState(StateOffline, nil)
	close(s.done)
	s.disp.close()
}

// State returns the current connection state.
func (s *Socket) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Watch calls fn with the current state and then on every change, and with
// the error of every failed attempt (an error wrapping ErrRefused means the
// instance turned the socket away). Calls are in order, on a goroutine of
// the socket's. The returned func stops the calls.
func (s *Socket) Watch(fn func(State, error)) (stop func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.watchSeq++
	id := s.watchSeq
	s.watchers[id] = fn
	st, err := s.state, s.stateErr
	s.disp.enqueue(func() { fn(st, err) })
	return func() {
		s.mu.Lock()
		delete(s.watchers, id)
		s.mu.Unlock()
	}
}

func (s *Socket) setState(st State, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st == s.state && err == nil {
		return
	}
	s.state, s.stateErr = st, err
	ids := make([]int, 0, len(s.watchers))
	for id := range s.watchers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		fn := s.watchers[id]
		s.disp.enqueue(func() { fn(st, err) })
	}
	if err != nil {
		s.log.Info("phoenix: "+st.String(), "err", err)
	} else {
		s.log.Debug("phoenix: " + st.String())
	}
}

// Wake reconnects at once if the socket is down and waiting out its
// backoff, and checks a live link with an immediate heartbeat. Call it when
// the page is shown again, the machine resumes or the network comes back.
func (s *Socket) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

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

// loopTimer is a timer whose callback runs on the loop, and only if the
// timer was not stopped or re-armed meanwhile.
type loopTimer struct {
	t   Timer
	seq int
}

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

func (s *Socket) nextRef() string {
	s.ref++
	return strconv.FormatUint(s.ref, 10)
}

// connect dials in a goroutine; dialed picks up the result on the loop.
func (s *Socket) connect() {
	s.reconnectT.stop()
	s.gen++
	gen := s.gen
	ctx, cancel := context.WithCancel(s.runCtx)
	s.dialing = true
	start := s.clock.Now()
	s.arm(&s.dialT, s.cfg.DialTimeout, cancel)
	if s.everLive || s.attempts > 0 {
		s.setState(StateReconnecting, nil)
	} else {
		s.setState(StateConnecting, nil)
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
	if gen != s.gen {
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

// read decodes frames off c and hands them to the loop. Malformed frames
// are logged and skipped.
func (s *Socket) read(ctx context.Context, gen int, c Conn) {
	for {
		data, err := c.Recv(ctx)
		if err != nil {
			s.post(context.Background(), func() { s.connClosed(gen, err) })
			return
		}
		f, err := DecodeFrame(data)
		if err != nil {
			s.log.Warn("phoenix: skipping a malformed frame", "err", clip(err.Error(), 200), "bytes", len(data))
			continue
		}
		if !s.post(context.Background(), func() { s.handle(gen, f) }) {
			return
		}
	}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func (s *Socket) connClosed(gen int, err error) {
	if gen != s.gen || s.conn == nil {
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
	s.setState(StateReconnecting, cause)
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
	s.failPending(func(*push) bool { return true }, lost)
}

func (s *Socket) failPending(match func(*push) bool, err error) {
	var failed []*push
	for ref, p := range s.pending {
		if match(p) {
			delete(s.pending, ref)
			failed = append(failed, p)
		}
	}
	// Fail in ref order so callers see a deterministic sequence.
	slices.SortFunc(failed, func(a, b *push) int {
		return cmpRef(a.ref, b.ref)
	})
	for _, p := range failed {
		if p.timer != nil {
			p.timer.Stop()
		}
		p.done(Reply{}, err)
	}
}

func cmpRef(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
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
func (s *Socket) send(f Frame) bool {
	if s.conn == nil {
		return false
	}
	if err := s.conn.Send(f.Encode()); err != nil {
		s.retry(fmt.Errorf("send %s: %w", f.Event, err))
		return false
	}
	return true
}

// startPush sends a frame on a topic and calls done on the loop with its
// reply, or with ErrTimeout, or with the error that failed it first.
func (s *Socket) startPush(ref, joinRef, topic, event string, payload []byte, done func(Reply, error)) {
	if s.conn == nil {
		done(Reply{}, fmt.Errorf("%s %s: %w", topic, event, ErrNotConnected))
		return
	}
	p := &push{ref: ref, topic: topic, event: event, done: done}
	s.pending[ref] = p
	p.timer = s.clock.AfterFunc(s.cfg.PushTimeout, func() {
		s.post(context.Background(), func() {
			if s.pending[ref] == p {
				delete(s.pending, ref)
				p.done(Reply{}, fmt.Errorf("%s %s: %w", topic, event, ErrTimeout))
			}
		})
	})
	// On a failed send, retry has already failed p.
	s.send(Frame{JoinRef: joinRef, Ref: ref, Topic: topic, Event: event, Payload: payload})
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

func (s *Socket) reply(f Frame) {
	p := s.pending[f.Ref]
	if p == nil || p.topic != f.Topic {
		s.log.Debug("phoenix: reply to no pending push", "topic", f.Topic, "ref", f.Ref)
		return
	}
	delete(s.pending, f.Ref)
	p.timer.Stop()
	var rp replyPayload
	if err := unmarshal(f.Payload, &rp); err != nil {
		p.done(Reply{}, fmt.Errorf("%s %s: %w: reply payload: %w", p.topic, p.event, ErrMalformedFrame, err))
		return
	}
	p.done(Reply{Status: rp.Status, Response: rp.Response}, nil)
}

// Push sends event with payload (a JSON object) on the control channel and
// waits for the reply. It fails at once with ErrNotConnected when the
// channel is not joined: nothing is queued across reconnects.
func (s *Socket) Push(ctx context.Context, event string, payload []byte) (Reply, error) {
	if !s.running.Load() {
		select {
		case <-s.done:
			return Reply{}, fmt.Errorf("%s: %w", event, ErrClosed)
		default:
			return Reply{}, fmt.Errorf("%s: %w", event, ErrNotConnected)
		}
	}
	type result struct {
		r   Reply
		err error
	}
	ch := make(chan result, 1)
	ok := s.post(ctx, func() {
		if !s.control.joined {
			ch <- result{err: fmt.Errorf("%s: %w", event, ErrNotConnected)}
			return
		}
		s.startPush(s.nextRef(), s.control.joinRef, TopicControl, event, payload, func(r Reply, err error) {
			ch <- result{r, err}
		})
	})
	if !ok {
		if err := ctx.Err(); err != nil {
			return Reply{}, fmt.Errorf("%s: %w", event, err)
		}
		return Reply{}, fmt.Errorf("%s: %w", event, ErrClosed)
	}
	select {
	case res := <-ch:
		return res.r, res.err
	case <-ctx.Done():
		return Reply{}, fmt.Errorf("%s: %w", event, ctx.Err())
	}
}

// Doc runs a GraphQL query or mutation over the socket and returns the
// reply's response, a GraphQL result object {"data":…,"errors":…}. A reply
// with status "error" is returned as a *ReplyError.
func (s *Socket) Doc(ctx context.Context, query string, variables []byte) ([]byte, error) {
	r, err := s.Push(ctx, EventDoc, marshal(docPayload{Query: query, Variables: variables}))
	if err != nil {
		return nil, err
	}
	if r.Status != "ok" {
		return nil, newReplyError(TopicControl, EventDoc, r)
	}
	return r.Response, nil
}
