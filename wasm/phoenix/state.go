package phoenix

import (
	"log/slog"
	"slices"
	"strconv"
	"sync"
)

// State is the socket's connection state.
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

// stateCell holds the state behind a lock of its own: the loop writes it,
// while State and Watch may be called from any goroutine.
type stateCell struct {
	disp *dispatcher // watchers run here, never on the loop
	log  *slog.Logger

	mu       sync.Mutex
	state    State
	err      error
	watchers map[int]func(State, error)
	seq      int
}

func newStateCell(disp *dispatcher, log *slog.Logger) *stateCell {
	return &stateCell{disp: disp, log: log, state: StateConnecting, watchers: map[int]func(State, error){}}
}

// State returns the current connection state.
func (s *Socket) State() State {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	return s.st.state
}

// Watch calls fn with the current state and then on every change, and with
// the error of every failed attempt (an error wrapping ErrRefused means the
// instance turned the socket away). Calls are in order, on a goroutine of
// the socket's. The returned func stops the calls.
func (s *Socket) Watch(fn func(State, error)) (stop func()) {
	c := s.st
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	id := c.seq
	c.watchers[id] = fn
	st, err := c.state, c.err
	c.disp.enqueue(func() { fn(st, err) })
	return func() {
		c.mu.Lock()
		delete(c.watchers, id)
		c.mu.Unlock()
	}
}

// set records a change and reports it. A failure is reported even without
// a change of state: each failed attempt carries news.
func (c *stateCell) set(st State, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st == c.state && err == nil {
		return
	}
	c.state, c.err = st, err
	ids := make([]int, 0, len(c.watchers))
	for id := range c.watchers {
		ids = append(ids, id)
	}
	slices.Sort(ids) // in the order they were added
	for _, id := range ids {
		fn := c.watchers[id]
		c.disp.enqueue(func() { fn(st, err) })
	}
	if err != nil {
		c.log.Info("phoenix: "+st.String(), "err", err)
	} else {
		c.log.Debug("phoenix: " + st.String())
	}
}
