//go:build js && wasm

package phoenix

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/hack-pad/safejs"

	"github.com/glimchat/glimchat/wasm/guard"
)

// recvBuffer is how many frames may wait for the reader. A reader that
// falls this far behind closes the socket (and reconnects with a backfill)
// rather than block the JavaScript thread.
const recvBuffer = 1024

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
	c := &jsConn{ws: ws, log: loggerFrom(ctx), msgs: make(chan []byte, recvBuffer), opened: make(chan struct{}), closed: make(chan struct{})}
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

// jsConn is a browser WebSocket as a Conn. Its JavaScript handlers only
// hand events to channels without blocking; everything else happens on Go
// goroutines.
type jsConn struct {
	ws     safejs.Value
	log    *slog.Logger
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
	fns := [len(handlers)]func(args []safejs.Value){
		func([]safejs.Value) { c.openOnce.Do(func() { close(c.opened) }) },
		c.onMessage,
		c.onClose,
		// An error event is always followed by a close event, which says
		// more; nothing to do here.
		func([]safejs.Value) {},
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, prop := range handlers {
		fn := fns[i]
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
	return nil
}

func (c *jsConn) onMessage(args []safejs.Value) {
	if len(args) == 0 {
		return
	}
	var s string
	data, err := args[0].Get("data")
	if err == nil {
		if data.Type() != safejs.TypeString {
			return // Absinthe sends text frames only
		}
		s, err = data.String()
	}
	if err != nil {
		c.log.Warn("phoenix: skipping a websocket message", "err", fmt.Errorf("MessageEvent.data: %w", err))
		return
	}
	select {
	case c.msgs <- []byte(s):
	default:
		c.finishAndLog(fmt.Errorf("websocket: %d frames waiting, reader too slow", recvBuffer))
	}
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
		return fmt.Errorf("WebSocket.send: %w", err)
	}
	return nil
}

// Close implements Conn.
func (c *jsConn) Close() error {
	return c.finish(errors.New("websocket closed by the client"))
}
