package phoenix

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// recvBuffer is how many frames may wait for the reader. A reader that
// falls this far behind closes the socket (and reconnects with a backfill)
// rather than let the page's memory grow.
const recvBuffer = 8192

// gather is how long Recv waits, after a wake-up within burstGap of the
// last take, for the browser to queue the frames already behind it: the
// wait returns to the event loop, which runs their message events. A burst
// is so taken, decoded and shown in a few passes, not one a frame. A frame
// alone (a lively chat's, every 50 ms) is taken at once: a timer would be
// a second wake-up of Go for it.
const (
	gather   = time.Millisecond
	burstGap = 20 * time.Millisecond
)

// frameSep joins the frames of a batch on their way into Go. No JSON text
// holds a raw NUL, so it cannot split a frame that would decode.
const frameSep = "\x00"

// wsPage is the browser's side of one WebSocket: the few JS calls wsConn
// needs. websocket_js.go makes them; host tests fake them.
type wsPage interface {
	// waiting is how many message events the inbox holds.
	waiting() (int, error)
	// splice takes every event out of the inbox and reads their frames.
	splice() ([][]byte, error)
	// arm has the next message call wsConn.woke.
	arm() error
	// send hands one text frame to the browser.
	send(frame string) error
	// release detaches the handlers, closes the socket and releases the
	// Go functions the page holds, returning what went wrong on the way.
	release() error
}

// wsConn is a browser WebSocket as a Conn: its lifecycle, wake-ups and
// batches, over the JS calls of a wsPage.
type wsConn struct {
	page wsPage
	log  *slog.Logger

	opened   chan struct{}
	wake     chan struct{} // signalled by woke
	openOnce sync.Once

	closeOnce sync.Once
	closed    chan struct{}
	closeErr  error // set before closed is closed

	lastTake time.Time // of the last batch; only Recv reads and writes it
}

func newWSConn(page wsPage, log *slog.Logger) *wsConn {
	return &wsConn{page: page, log: log, opened: make(chan struct{}), wake: make(chan struct{}, 1), closed: make(chan struct{})}
}

// open is the socket's open event.
func (c *wsConn) open() { c.openOnce.Do(func() { close(c.opened) }) }

// woke is the one-shot message listener firing.
func (c *wsConn) woke() { signal(c.wake) }

// awaitOpen waits for the open event; a close before it, or ctx ending,
// fails the dial.
func (c *wsConn) awaitOpen(ctx context.Context) (Conn, error) {
	select {
	case <-c.opened:
		return c, nil
	case <-c.closed:
		return nil, c.closeErr
	case <-ctx.Done():
		return nil, errors.Join(fmt.Errorf("websocket: open: %w", ctx.Err()), c.finish(ctx.Err()))
	}
}

// onClose is the close event, with what could be read of it; a part that
// could not be read keeps the default of an abnormal close (1006, no
// reason).
func (c *wsConn) onClose(code int, codeErr error, reason string, reasonErr error) {
	ce := &CloseError{Code: code, Reason: reason}
	if codeErr != nil {
		ce.Code = 1006
		c.log.Debug("phoenix: websocket close", "err", fmt.Errorf("CloseEvent.code: %w", codeErr))
	}
	if reasonErr != nil {
		ce.Reason = ""
		c.log.Debug("phoenix: websocket close", "err", fmt.Errorf("CloseEvent.reason: %w", reasonErr))
	}
	select {
	case <-c.opened:
		c.finishAndLog(ce)
	default:
		c.finishAndLog(fmt.Errorf("%w: %w", ErrClosedBeforeOpen, ce))
	}
}

// finish records why the connection ended and releases the page's side.
// Only the first call does anything.
func (c *wsConn) finish(why error) error {
	var err error
	c.closeOnce.Do(func() {
		c.closeErr = why
		close(c.closed)
		err = c.page.release()
	})
	return err
}

// finishAndLog is finish where no caller can take its error.
func (c *wsConn) finishAndLog(why error) {
	if err := c.finish(why); err != nil {
		c.log.Warn("phoenix: closing the websocket", "err", err)
	}
}

func (c *wsConn) isClosed() bool {
	select {
	case <-c.closed:
		return true
	default:
		return false
	}
}

// Recv implements Conn; frames that arrived before the close are still
// delivered.
func (c *wsConn) Recv(ctx context.Context) ([][]byte, error) {
	for {
		if batch := c.take(); batch != nil {
			c.lastTake = time.Now()
			return batch, nil
		}
		if c.isClosed() {
			return nil, c.closeErr
		}
		select {
		case <-c.wake:
		case <-c.closed:
			continue // take what came before the close
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if !c.inBurst(time.Now()) {
			continue
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

// inBurst tells whether a wake-up at now follows the last take closely
// enough for more frames to be on their way.
func (c *wsConn) inBurst(now time.Time) bool {
	return !c.lastTake.IsZero() && now.Sub(c.lastTake) < burstGap
}

// take empties the inbox and re-arms the wake-up; nil when it was empty.
// An empty inbox means no message event came since the last arming, so
// the one-shot listener is still in place.
func (c *wsConn) take() [][]byte {
	k, err := c.page.waiting()
	if err == nil && k == 0 {
		return nil
	}
	var batch [][]byte
	if err == nil {
		batch, err = c.page.splice()
	}
	if !c.isClosed() {
		if err := c.page.arm(); err != nil {
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

// splitFrames undoes the join of a batch's frames by frameSep.
func splitFrames(joined string) [][]byte {
	parts := strings.Split(joined, frameSep)
	batch := make([][]byte, len(parts))
	for i, p := range parts {
		batch[i] = []byte(p)
	}
	return batch
}

// Send implements Conn. WebSocket.send never blocks: the browser buffers.
func (c *wsConn) Send(frame []byte) error {
	if c.isClosed() {
		return fmt.Errorf("websocket send: %w", c.closeErr)
	}
	return c.page.send(string(frame))
}

// Close implements Conn.
func (c *wsConn) Close() error {
	return c.finish(errors.New("websocket closed by the client"))
}
