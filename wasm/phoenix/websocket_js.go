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

// recvBuffer is how many frames may wait for the reader. A reader that
// falls this far behind closes the socket (and reconnects with a backfill)
// rather than block the JavaScript thread.
const recvBuffer = 1024

// DialWebSocket is a Dialer over the browser's WebSocket. It returns once
// the socket is open. A refused upgrade is indistinguishable from a network
// failure here: both are ErrClosedBeforeOpen with close code 1006.
func DialWebSocket(ctx context.Context, url string) (Conn, error) {
	ctor, err := safejs.Global().Get("WebSocket")
	if err != nil {
		return nil, fmt.Errorf("websocket: %w", err)
	}
	ws, err := ctor.New(url)
	if err != nil {
		// The URL is not echoed: it may carry a token.
		return nil, fmt.Errorf("websocket: new: %w", err)
	}
	c := &jsConn{ws: ws, msgs: make(chan []byte, recvBuffer), opened: make(chan struct{}), closed: make(chan struct{})}
	if err := c.bind(); err != nil {
		c.finish(fmt.Errorf("websocket: bind handlers: %w", err))
		return nil, err
	}
	select {
	case <-c.opened:
		return c, nil
	case <-c.closed:
		return nil, c.closeErr
	case <-ctx.Done():
		c.finish(ctx.Err())
		return nil, fmt.Errorf("websocket: open: %w", ctx.Err())
	}
}

// jsConn is a browser WebSocket as a Conn. Its JavaScript handlers only
// hand events to channels without blocking; everything else happens on Go
// goroutines.
type jsConn struct {
	ws     safejs.Value
	msgs   chan []byte
	opened chan struct{}

	openOnce  sync.Once
	closeOnce sync.Once
	closed    chan struct{}
	closeErr  error // set before closed is closed

	mu    sync.Mutex
	funcs []safejs.Func
}

func (c *jsConn) bind() error {
	handlers := []struct {
		prop string
		fn   func(args []safejs.Value)
	}{
		{"onopen", func([]safejs.Value) { c.openOnce.Do(func() { close(c.opened) }) }},
		{"onmessage", c.onMessage},
		{"onclose", c.onClose},
		// An error event is always followed by a close event, which says
		// more; nothing to do here.
		{"onerror", func([]safejs.Value) {}},
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, h := range handlers {
		f, err := guard.FuncOf("websocket "+h.prop, func(_ safejs.Value, args []safejs.Value) any {
			h.fn(args)
			return nil
		})
		if err != nil {
			return err
		}
		c.funcs = append(c.funcs, f)
		if err := c.ws.Set(h.prop, f.Value()); err != nil {
			return err
		}
	}
	return nil
}

func (c *jsConn) onMessage(args []safejs.Value) {
	if len(args) == 0 {
		return
	}
	data, err := args[0].Get("data")
	if err != nil || data.Type() != safejs.TypeString {
		return // Absinthe sends text frames only
	}
	s, err := data.String()
	if err != nil {
		return
	}
	select {
	case c.msgs <- []byte(s):
	default:
		c.finish(fmt.Errorf("websocket: %d frames waiting, reader too slow", recvBuffer))
	}
}

func (c *jsConn) onClose(args []safejs.Value) {
	ce := &CloseError{Code: 1006}
	if len(args) > 0 {
		if v, err := args[0].Get("code"); err == nil {
			if n, err := v.Int(); err == nil {
				ce.Code = n
			}
		}
		if v, err := args[0].Get("reason"); err == nil {
			if s, err := v.String(); err == nil {
				ce.Reason = s
			}
		}
	}
	select {
	case <-c.opened:
		c.finish(ce)
	default:
		c.finish(fmt.Errorf("%w: %w", ErrClosedBeforeOpen, ce))
	}
}

// finish records why the connection ended, closes the browser socket and
// releases the handlers. The handlers are detached first so the browser
// never calls a released function.
func (c *jsConn) finish(err error) {
	c.closeOnce.Do(func() {
		c.closeErr = err
		close(c.closed)
		for _, prop := range []string{"onopen", "onmessage", "onclose", "onerror"} {
			_ = c.ws.Set(prop, safejs.Null())
		}
		if _, cerr := c.ws.Call("close", 1000); cerr != nil {
			_ = cerr // already closing or closed
		}
		c.mu.Lock()
		for _, f := range c.funcs {
			f.Release()
		}
		c.funcs = nil
		c.mu.Unlock()
	})
}

// Recv implements Conn; frames that arrived before the close are still
// delivered.
func (c *jsConn) Recv(ctx context.Context) ([]byte, error) {
	select {
	case m := <-c.msgs:
		return m, nil
	default:
	}
	select {
	case m := <-c.msgs:
		return m, nil
	case <-c.closed:
		select {
		case m := <-c.msgs:
			return m, nil
		default:
			return nil, c.closeErr
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Send implements Conn. WebSocket.send never blocks: the browser buffers.
func (c *jsConn) Send(frame []byte) error {
	select {
	case <-c.closed:
		return fmt.Errorf("websocket send: %w", c.closeErr)
	default:
	}
	if _, err := c.ws.Call("send", string(frame)); err != nil {
		return fmt.Errorf("websocket send: %w", err)
	}
	return nil
}

// Close implements Conn.
func (c *jsConn) Close() error {
	c.finish(errors.New("websocket closed by the client"))
	return nil
}
