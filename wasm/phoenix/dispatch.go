package phoenix

import (
	"log/slog"
	"runtime/debug"
	"sync"
)

// dispatcher runs callbacks in order on one goroutine of its own, so a slow
// or blocking callback (one that waits on a push, say) never stalls the
// socket's loop, and the loop never waits on user code.
type dispatcher struct {
	log    *slog.Logger
	mu     sync.Mutex
	q      []func()
	closed bool
	wake   chan struct{}
}

func newDispatcher(log *slog.Logger) *dispatcher {
	return &dispatcher{log: log, wake: make(chan struct{}, 1)}
}

func (d *dispatcher) enqueue(fn func()) {
	d.mu.Lock()
	d.q = append(d.q, fn)
	d.mu.Unlock()
	signal(d.wake)
}

// close lets run return once the queue is drained.
func (d *dispatcher) close() {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	signal(d.wake)
}

func (d *dispatcher) run() {
	for {
		d.mu.Lock()
		if len(d.q) == 0 {
			closed := d.closed
			d.mu.Unlock()
			if closed {
				return
			}
			<-d.wake
			continue
		}
		fn := d.q[0]
		d.q[0] = nil
		d.q = d.q[1:]
		d.mu.Unlock()
		d.call(fn)
	}
}

func (d *dispatcher) call(fn func()) {
	defer func() {
		if r := recover(); r != nil {
			d.log.Error("phoenix: callback panicked", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	fn()
}
