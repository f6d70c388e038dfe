// Package phoenix is a Phoenix Channels v2 client for Absinthe's GraphQL
// websocket, as Glimesh serves it. The state machine (join, pushes and
// replies, subscriptions, heartbeat, reconnect) runs over the small Conn
// interface, so it is tested on the host with a fake connection and clock;
// the browser WebSocket binding is a thin js-only file.
package phoenix

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
)

// Conn is one open websocket carrying text frames.
type Conn interface {
	// Recv blocks for the next text frames: every frame that has arrived,
	// at least one, in order. A flood so costs the socket one pass per
	// batch, not one a frame. Once the connection is closed, by either
	// side, and its frames are taken, it returns an error that says why.
	Recv(ctx context.Context) ([][]byte, error)
	// Send queues one text frame. It must not block for long.
	Send(frame []byte) error
	// Close closes the connection; later Recv calls return errors.
	Close() error
}

// Dialer opens a Conn to url, returning once it is open. Dialers that can
// see the upgrade's HTTP status report a 403 as an error wrapping
// ErrRefused; a browser cannot, and returns ErrClosedBeforeOpen instead.
type Dialer func(ctx context.Context, url string) (Conn, error)

type loggerKey struct{}

// withLogger hands the socket's logger to its Dialer through the dial
// context, for errors a Conn meets where it has no caller to return them to.
func withLogger(ctx context.Context, log *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, log)
}

// loggerFrom returns the logger withLogger put in ctx, or one that discards.
func loggerFrom(ctx context.Context) *slog.Logger {
	if log, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return log
	}
	return slog.New(slog.DiscardHandler)
}

var (
	// ErrRefused means the instance refused the websocket: an unknown
	// client id or token, or the instance turning sockets away.
	ErrRefused = errors.New("the instance refused the connection")
	// ErrClosedBeforeOpen is a websocket that closed before it opened.
	ErrClosedBeforeOpen = errors.New("websocket closed before it opened")
	// ErrUnreachable fails the pushes waiting for the first join once a
	// dial has failed: the instance was never reached, and a page says so
	// rather than waiting out the push's timeout. It wraps the dial's error.
	ErrUnreachable = errors.New("the instance's websocket did not open")
	// ErrNotConnected is returned by pushes while the control channel is
	// not joined.
	ErrNotConnected = errors.New("socket is not connected")
	// ErrTimeout is a reply that did not arrive in time.
	ErrTimeout = errors.New("timed out waiting for a reply")
	// ErrConnectionLost fails pushes still waiting when the link went down.
	ErrConnectionLost = errors.New("connection lost before the reply")
	// ErrHeartbeatTimeout means the server stopped answering heartbeats;
	// the link is treated as dead even though the socket is still open.
	ErrHeartbeatTimeout = errors.New("heartbeat not answered")
	// ErrChannelCrashed is a phx_error or phx_close on the control channel:
	// every subscription on the server is gone.
	ErrChannelCrashed = errors.New("control channel crashed")
	// ErrClosed is returned once the socket has stopped.
	ErrClosed = errors.New("socket stopped")
)

// CloseError is a websocket close with its status code and reason.
type CloseError struct {
	Code   int
	Reason string
}

func (e *CloseError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("websocket closed with code %d", e.Code)
	}
	return fmt.Sprintf("websocket closed with code %d: %s", e.Code, e.Reason)
}
