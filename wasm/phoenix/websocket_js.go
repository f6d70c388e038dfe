//go:build js && wasm

package phoenix

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/glimchat/glimchat/wasm/guard"
)

// recvBuffer is how many frames may wait for the reader. A reader that
// falls this far behind closes the socket (and reconnects with a backfill)
// rather than let the page's memory grow.
const recvBuffer = 8192

// gather is how long Recv waits, after the first frame of a quiet spell,
// for the browser to queue the frames already behind it: the wait returns
// to the event loop, which runs their message events. A burst is so taken,
// decoded and shown in one pass. One timer a burst, none while quiet.
const gather = time.Millisecond

// frameSep joins the frames of a batch on their way into Go. No JSON text
// holds a raw NUL, so it cannot split a frame that would decode.
const frameSep = "\x00"

// handlers are the WebSocket's event handler properties that jsConn sets.
var handlers = [...]string{"onopen", "onmessage", "onclose", "onerror"}

// DialWebSocket is a Dialer over the browser's WebSocket. It returns once
// the socket is open. A refused upgrade is indistinguishable from a network
// failure here: both are ErrClosedBeforeOpen with close code 1006. Errors
// that have no caller to go to are logged to the socket's logger.
func DialWebSocket(ctx context.Context, url string) (Conn, error) {
	ctor, err := safejs.Global().Get("WebSocket")
	if err != nil {
		return nil, fmt.Errorf("globalThis.WebSocket: %w", err)
	}
	ws, err := ctor.New(url)
	if err != nil {
		// Not wrapped: the browser's message quotes the URL, and the URL
		// may carry a token.
		return nil, errors.New("new WebSocket: the browser refused the socket URL")
	}
	c := &jsConn{ws: ws, log: loggerFrom(ctx), wake: make(chan struct{}, 1), opened: make(chan struct{}), closed: make(chan struct{})}
	if err := c.bind(); err != nil {
		return nil, errors.Join(err, c.finish(err))
	}
	select {
	case <-c.opened:
		return c, nil
	case <-c.closed:
		return nil, c.closeErr
	case <-ctx.Done():
		return nil, errors.Join(fmt.Errorf("websocket: open: %w", ctx.Err()), c.finish(ctx.Err()))
	}
}

// jsConn is a browser WebSocket as a Conn. A message does not call into Go:
// onmessage is the browser's own Array.prototype.push, bound to an inbox
// array, and a one-shot listener wakes Go for the first message after each
// take. Recv then takes the whole inbox in a few calls (splice, map each
// event to its data with MessageEvent's own getter, join), so a flood
// costs a handful of crossings a batch, not several a frame. Everything
// else happens on Go goroutines.
type jsConn struct {
	ws     safejs.Value
	log    *slog.Logger
	opened chan struct{}

	inbox    safejs.Value  // MessageEvents not yet taken
	dataOf   safejs.Value  // event => event.data, native
	onceOpts safejs.Value  // {once: true}
	wakeFn   safejs.Func   // the one-shot message listener
	woken    bool          // wakeFn exists
	wake     chan struct{} // signalled by wakeFn

	openOnce  sync.Once
	closeOnce sync.Once
	closed    chan struct{}
	closeErr  error // set before closed is closed

	mu    sync.Mutex
	funcs []safejs.Func
}

func (c *jsConn) bind() error {
	if err := c.bindInbox(); err != nil {
		return err
	}
	fns := [len(handlers)]func(args []safejs.Value){
		func([]safejs.Value) { c.openOnce.Do(func() { close(c.opened) }) },
		nil, // the inbox's push
		c.onClose,
		// An error event is always followed by a close event, which says
		// more; nothing to do here.
		func([]safejs.Value) {},
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	wake, err := guard.FuncOf("WebSocket message", func(safejs.Value, []safejs.Value) any {
		select {
		case c.wake <- struct{}{}:
		default:
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("WebSocket message listener: %w", err)
	}
	c.wakeFn, c.woken = wake, true
	c.funcs = append(c.funcs, wake)
	for i, prop := range handlers {
		fn := fns[i]
		if fn == nil {
			continue
		}
		f, err := guard.FuncOf("WebSocket."+prop, func(_ safejs.Value, args []safejs.Value) any {
			fn(args)
			return nil
		})
		if err != nil {
			return fmt.Errorf("WebSocket.%s: %w", prop, err)
		}
		c.funcs = append(c.funcs, f)
		if err := c.ws.Set(prop, f.Value()); err != nil {
			return fmt.Errorf("WebSocket.%s: %w", prop, err)
		}
	}
	return c.arm()
}

// bindInbox makes the inbox and its native helpers, and sets onmessage.
func (c *jsConn) bindInbox() error {
	g := safejs.Global()
	var object, getter safejs.Value
	steps := []struct {
		what string
		do   func() error
	}{
		{"new Array", func() error {
			array, err := g.Get("Array")
			if err == nil {
				c.inbox, err = array.New()
			}
			return err
		}},
		{"WebSocket.onmessage = inbox.push.bind(inbox)", func() error {
			push, err := c.inbox.Get("push")
			if err == nil {
				push, err = push.Call("bind", c.inbox)
			}
			if err == nil {
				err = c.ws.Set("onmessage", push)
			}
			return err
		}},
		{"Object", func() (err error) { object, err = g.Get("Object"); return err }},
		{"MessageEvent.prototype.data getter", func() error {
			me, err := g.Get("MessageEvent")
			if err == nil {
				me, err = me.Get("prototype")
			}
			if err == nil {
				me, err = object.Call("getOwnPropertyDescriptor", me, "data")
			}
			if err == nil {
				getter, err = me.Get("get")
			}
			return err
		}},
		{"Function.prototype.call.bind(getter)", func() error {
			call, err := getter.Get("call")
			if err == nil {
				c.dataOf, err = call.Call("bind", getter)
			}
			return err
		}},
		{"{once: true}", func() error {
			var err error
			if c.onceOpts, err = object.New(); err == nil {
				err = c.onceOpts.Set("once", true)
			}
			return err
		}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			return fmt.Errorf("websocket inbox: %s: %w", s.what, err)
		}
	}
	return nil
}

// arm has the next message wake Recv. Adding the same listener again is a
// no-op for the browser, so arming twice is harmless.
func (c *jsConn) arm() error {
	if _, err := c.ws.Call("addEventListener", "message", c.wakeFn.Value(), c.onceOpts); err != nil {
		return fmt.Errorf("WebSocket.addEventListener: %w", err)
	}
	return nil
}

// onClose reads the close event; a part it cannot read keeps the default
// of an abnormal close (1006, no reason).
func (c *jsConn) onClose(args []safejs.Value) {
	ce := &CloseError{Code: 1006}
	if len(args) > 0 {
		code, err := args[0].Get("code")
		if err == nil {
			ce.Code, err = code.Int()
		}
		if err != nil {
			ce.Code = 1006
			c.log.Debug("phoenix: websocket close", "err", fmt.Errorf("CloseEvent.code: %w", err))
		}
		reason, err := args[0].Get("reason")
		if err == nil {
			ce.Reason, err = reason.String()
		}
		if err != nil {
			c.log.Debug("phoenix: websocket close", "err", fmt.Errorf("CloseEvent.reason: %w", err))
		}
	}
	select {
	case <-c.opened:
		c.finishAndLog(ce)
	default:
		c.finishAndLog(fmt.Errorf("%w: %w", ErrClosedBeforeOpen, ce))
	}
}

// finish records why the connection ended, closes the browser socket and
// releases the handlers. The handlers are detached first so the browser
// never calls a released function. It returns what went wrong on the way;
// only the first call does anything.
func (c *jsConn) finish(why error) error {
	var errs []error
	c.closeOnce.Do(func() {
		c.closeErr = why
		close(c.closed)
		for _, prop := range handlers {
			if err := c.ws.Set(prop, safejs.Null()); err != nil {
				errs = append(errs, fmt.Errorf("WebSocket.%s: %w", prop, err))
			}
		}
		if c.woken {
			if _, err := c.ws.Call("removeEventListener", "message", c.wakeFn.Value(), c.onceOpts); err != nil {
				errs = append(errs, fmt.Errorf("WebSocket.removeEventListener: %w", err))
			}
		}
		if _, err := c.ws.Call("close", 1000); err != nil {
			errs = append(errs, fmt.Errorf("WebSocket.close: %w", err))
		}
		c.mu.Lock()
		for _, f := range c.funcs {
			f.Release()
		}
		c.funcs = nil
		c.mu.Unlock()
	})
	return errors.Join(errs...)
}

// finishAndLog is finish where no caller can take its error.
func (c *jsConn) finishAndLog(why error) {
	if err := c.finish(why); err != nil {
		c.log.Warn("phoenix: closing the websocket", "err", err)
	}
}

// Recv implements Conn; frames that arrived before the close are still
// delivered.
func (c *jsConn) Recv(ctx context.Context) ([][]byte, error) {
	for {
		if batch := c.take(); batch != nil {
			return batch, nil
		}
		select {
		case <-c.closed:
			return nil, c.closeErr
		default:
		}
		select {
		case <-c.wake:
		case <-c.closed:
			continue // take what came before the close
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		t := time.NewTimer(gather)
		select {
		case <-t.C:
		case <-c.closed:
			t.Stop()
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
}

// take empties the inbox and re-arms the wake-up; nil when it was empty.
// An empty inbox means no message event came since the last arming, so
// the one-shot listener is still in place.
func (c *jsConn) take() [][]byte {
	k, err := c.waiting()
	if err == nil && k == 0 {
		return nil
	}
	var batch [][]byte
	if err == nil {
		batch, err = c.splice()
	}
	select {
	case <-c.closed:
	default:
		if err := c.arm(); err != nil {
			c.finishAndLog(err)
		}
	}
	if err != nil {
		c.finishAndLog(fmt.Errorf("websocket: take the frames: %w", err))
		return nil
	}
	if len(batch) > recvBuffer {
		c.finishAndLog(fmt.Errorf("websocket: %d frames waiting, reader too slow", len(batch)))
		batch = batch[:recvBuffer]
	}
	if len(batch) == 0 {
		return nil
	}
	return batch
}

// waiting is how many events the inbox holds.
func (c *jsConn) waiting() (int, error) {
	n, err := c.inbox.Get("length")
	if err != nil {
		return 0, err
	}
	return n.Int()
}

// splice takes every event out of the inbox and reads their frames.
func (c *jsConn) splice() ([][]byte, error) {
	events, err := c.inbox.Call("splice", 0)
	if err != nil {
		return nil, err
	}
	batch, err := c.joined(events)
	if err != nil {
		batch, err = c.oneByOne(events)
	}
	return batch, err
}

// joined reads the data of every event in one string: the fast path.
func (c *jsConn) joined(events safejs.Value) ([][]byte, error) {
	data, err := events.Call("map", c.dataOf)
	if err != nil {
		return nil, err // not every entry is a MessageEvent
	}
	j, err := data.Call("join", frameSep)
	if err != nil {
		return nil, err
	}
	s, err := j.String()
	if err != nil {
		return nil, err
	}
	parts := strings.Split(s, frameSep)
	batch := make([][]byte, len(parts))
	for i, p := range parts {
		batch[i] = []byte(p)
	}
	return batch, nil
}

// oneByOne reads the events one at a time, skipping what is not a text
// message: only script on the page can put anything else in the inbox.
func (c *jsConn) oneByOne(events safejs.Value) ([][]byte, error) {
	n, err := events.Length()
	if err != nil {
		return nil, err
	}
	var batch [][]byte
	for i := range n {
		ev, err := events.Index(i)
		if err != nil {
			return nil, err
		}
		data, err := c.dataOf.Invoke(ev)
		if err == nil && data.Type() != safejs.TypeString {
			err = errors.New("not text")
		}
		var s string
		if err == nil {
			s, err = data.String()
		}
		if err != nil {
			c.log.Warn("phoenix: skipping a websocket message", "err", fmt.Errorf("MessageEvent.data: %w", err))
			continue
		}
		batch = append(batch, []byte(s))
	}
	return batch, nil
}

// Send implements Conn. WebSocket.send never blocks: the browser buffers.
func (c *jsConn) Send(frame []byte) error {
	select {
	case <-c.closed:
		return fmt.Errorf("websocket send: %w", c.closeErr)
	default:
	}
	if _, err := c.ws.Call("send", string(frame)); err != nil {
		return fmt.Errorf("WebSocket.send: %w", err)
	}
	return nil
}

// Close implements Conn.
func (c *jsConn) Close() error {
	return c.finish(errors.New("websocket closed by the client"))
}
