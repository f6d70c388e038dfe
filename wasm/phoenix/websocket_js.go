//go:build js && wasm

package phoenix

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hack-pad/safejs"

	"github.com/glimchat/glimchat/wasm/guard"
)

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
	p := &jsConn{ws: ws}
	c := newWSConn(p, loggerFrom(ctx))
	p.conn = c
	if err := p.bind(); err != nil {
		return nil, errors.Join(err, c.finish(err))
	}
	return c.awaitOpen(ctx)
}

// jsConn is the JS side of a wsConn: a browser WebSocket. A message does
// not call into Go: onmessage is the browser's own Array.prototype.push,
// bound to an inbox array, and a one-shot listener wakes Go for the first
// message after each take. A take then empties the inbox in a few calls
// (splice, map each event to its data with MessageEvent's own getter,
// join), so a flood costs a handful of crossings a batch, not several a
// frame. Everything else happens on Go goroutines.
type jsConn struct {
	ws   safejs.Value
	conn *wsConn

	inbox    safejs.Value // MessageEvents not yet taken
	dataOf   safejs.Value // event => event.data, native
	onceOpts safejs.Value // {once: true}
	wakeFn   safejs.Func  // the one-shot message listener
	woken    bool         // wakeFn exists

	mu    sync.Mutex
	funcs []safejs.Func
}

func (c *jsConn) bind() error {
	if err := c.bindInbox(); err != nil {
		return err
	}
	fns := [len(handlers)]func(args []safejs.Value){
		func([]safejs.Value) { c.conn.open() },
		nil, // the inbox's push
		c.onClose,
		// An error event is always followed by a close event, which says
		// more; nothing to do here.
		func([]safejs.Value) {},
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	wake, err := guard.FuncOf("WebSocket message", func(safejs.Value, []safejs.Value) any {
		c.conn.woke()
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

// arm implements wsPage. Adding the same listener again is a
// no-op for the browser, so arming twice is harmless.
func (c *jsConn) arm() error {
	if _, err := c.ws.Call("addEventListener", "message", c.wakeFn.Value(), c.onceOpts); err != nil {
		return fmt.Errorf("WebSocket.addEventListener: %w", err)
	}
	return nil
}

// onClose reads the close event for wsConn.onClose.
func (c *jsConn) onClose(args []safejs.Value) {
	if len(args) == 0 {
		c.conn.onClose(1006, nil, "", nil)
		return
	}
	var code int
	v, codeErr := args[0].Get("code")
	if codeErr == nil {
		code, codeErr = v.Int()
	}
	var reason string
	v, reasonErr := args[0].Get("reason")
	if reasonErr == nil {
		reason, reasonErr = v.String()
	}
	c.conn.onClose(code, codeErr, reason, reasonErr)
}

// release implements wsPage. The handlers are detached first so the
// browser never calls a released function.
func (c *jsConn) release() error {
	var errs []error
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
	return errors.Join(errs...)
}

// waiting implements wsPage.
func (c *jsConn) waiting() (int, error) {
	n, err := c.inbox.Get("length")
	if err != nil {
		return 0, err
	}
	return n.Int()
}

// splice implements wsPage.
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
	return splitFrames(s), nil
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
			c.conn.log.Warn("phoenix: skipping a websocket message", "err", fmt.Errorf("MessageEvent.data: %w", err))
			continue
		}
		batch = append(batch, []byte(s))
	}
	return batch, nil
}

// send implements wsPage.
func (c *jsConn) send(frame string) error {
	if _, err := c.ws.Call("send", frame); err != nil {
		return fmt.Errorf("WebSocket.send: %w", err)
	}
	return nil
}
