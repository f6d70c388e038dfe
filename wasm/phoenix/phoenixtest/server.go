package phoenixtest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/glimchat/glimchat/wasm/phoenix"
)

// Server is an in-memory Phoenix server. Its Dial method is a
// phoenix.Dialer; each successful dial yields a *Conn for the test.
type Server struct {
	conns chan *Conn

	mu             sync.Mutex
	refuse         int
	failBeforeOpen int
	dials          []string
}

// NewServer returns a server that accepts every dial.
func NewServer() *Server {
	return &Server{conns: make(chan *Conn, 64)}
}

// Refuse makes the next n dials fail with a 403 (an error wrapping
// phoenix.ErrRefused), as a host-side dialer reports it.
func (s *Server) Refuse(n int) {
	s.mu.Lock()
	s.refuse = n
	s.mu.Unlock()
}

// FailBeforeOpen makes the next n dials fail the way a browser reports
// any failed upgrade: closed before open, code 1006.
func (s *Server) FailBeforeOpen(n int) {
	s.mu.Lock()
	s.failBeforeOpen = n
	s.mu.Unlock()
}

// Dials returns the URLs of every dial so far.
func (s *Server) Dials() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.dials...)
}

// Dial implements phoenix.Dialer.
func (s *Server) Dial(ctx context.Context, url string) (phoenix.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.dials = append(s.dials, url)
	switch {
	case s.refuse > 0:
		s.refuse--
		s.mu.Unlock()
		return nil, fmt.Errorf("websocket upgrade: 403 Forbidden: %w", phoenix.ErrRefused)
	case s.failBeforeOpen > 0:
		s.failBeforeOpen--
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: %w", phoenix.ErrClosedBeforeOpen, &phoenix.CloseError{Code: 1006})
	}
	s.mu.Unlock()
	c := &Conn{
		URL:      url,
		toClient: make(chan []byte, 4096),
		closed:   make(chan struct{}),
		sent:     make(chan struct{}, 1),
	}
	s.conns <- c
	return clientConn{c}, nil
}

// Accept returns the next connection a client opened.
func (s *Server) Accept(t testing.TB) *Conn {
	t.Helper()
	select {
	case c := <-s.conns:
		return c
	case <-time.After(Guard):
		t.Fatal("phoenixtest: no connection was dialed")
		return nil
	}
}

// Conn is the server's end of one connection.
type Conn struct {
	URL      string
	toClient chan []byte

	mu        sync.Mutex
	fromCli   [][]byte
	sent      chan struct{}
	closeOnce sync.Once
	closed    chan struct{}
	closeErr  error
}

func (c *Conn) close(err error) {
	c.closeOnce.Do(func() {
		c.closeErr = err
		close(c.closed)
	})
}

// Drop closes the connection from the server side, as a network drop or a
// server restart does.
func (c *Conn) Drop() { c.close(&phoenix.CloseError{Code: 1006}) }

// Closed is closed once either side closed the connection.
func (c *Conn) Closed() <-chan struct{} { return c.closed }

// WaitClosed fails the test unless the connection closes within Guard.
func (c *Conn) WaitClosed(t testing.TB) {
	t.Helper()
	select {
	case <-c.closed:
	case <-time.After(Guard):
		t.Fatal("phoenixtest: connection not closed")
	}
}

// Next returns the next frame the client sent. ok is false when the
// connection closed first or nothing came within Guard.
func (c *Conn) Next() (f phoenix.Frame, ok bool) {
	deadline := time.After(Guard)
	for {
		c.mu.Lock()
		if len(c.fromCli) > 0 {
			data := c.fromCli[0]
			c.fromCli = c.fromCli[1:]
			c.mu.Unlock()
			f, err := phoenix.DecodeFrame(data)
			if err != nil {
				panic(fmt.Sprintf("phoenixtest: client sent a malformed frame %q: %v", data, err))
			}
			return f, true
		}
		c.mu.Unlock()
		select {
		case <-c.sent:
		case <-c.closed:
			c.mu.Lock()
			n := len(c.fromCli)
			c.mu.Unlock()
			if n == 0 {
				return phoenix.Frame{}, false
			}
		case <-deadline:
			return phoenix.Frame{}, false
		}
	}
}

// Read returns the next frame the client sent, failing the test if none
// comes.
func (c *Conn) Read(t testing.TB) phoenix.Frame {
	t.Helper()
	f, ok := c.Next()
	if !ok {
		t.Fatal("phoenixtest: client sent no frame")
	}
	return f
}

// Expect reads the next frame and fails the test unless it has the given
// topic and event.
func (c *Conn) Expect(t testing.TB, topic, event string) phoenix.Frame {
	t.Helper()
	f := c.Read(t)
	if f.Topic != topic || f.Event != event {
		t.Fatalf("phoenixtest: got %s %s (%s), want %s %s", f.Topic, f.Event, f.Payload, topic, event)
	}
	return f
}

// Write sends a frame to the client.
func (c *Conn) Write(f phoenix.Frame) { c.WriteRaw(f.Encode()) }

// WriteRaw sends raw text to the client, malformed or not.
func (c *Conn) WriteRaw(data []byte) {
	select {
	case <-c.closed:
	case c.toClient <- data:
	}
}

// Reply answers the client's frame f with a phx_reply carrying status and
// the raw JSON response.
func (c *Conn) Reply(f phoenix.Frame, status, response string) {
	c.Write(phoenix.Frame{
		JoinRef: f.JoinRef, Ref: f.Ref, Topic: f.Topic, Event: phoenix.EventReply,
		Payload: []byte(`{"response":` + response + `,"status":` + strconv.Quote(status) + `}`),
	})
}

// Join reads the client's join of the control channel and accepts it.
func (c *Conn) Join(t testing.TB) phoenix.Frame {
	t.Helper()
	f := c.Expect(t, phoenix.TopicControl, phoenix.EventJoin)
	c.Reply(f, "ok", `{}`)
	return f
}

// Push sends a subscription:data push of result (a raw JSON object such as
// {"data":{…}}) on subscription id.
func (c *Conn) Push(id, result string) {
	c.Write(phoenix.Frame{
		Topic: id, Event: phoenix.EventSubscriptionData,
		Payload: []byte(`{"result":` + result + `,"subscriptionId":` + strconv.Quote(id) + `}`),
	})
}

// clientConn is the client's end, a phoenix.Conn.
type clientConn struct{ c *Conn }

func (cc clientConn) Recv(ctx context.Context) ([][]byte, error) {
	var first []byte
	select {
	case first = <-cc.c.toClient:
	default:
		select {
		case first = <-cc.c.toClient:
		case <-cc.c.closed:
			return nil, cc.c.closeErr
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	batch := [][]byte{first}
	for {
		select {
		case data := <-cc.c.toClient:
			batch = append(batch, data)
		default:
			return batch, nil
		}
	}
}

func (cc clientConn) Send(frame []byte) error {
	select {
	case <-cc.c.closed:
		return errors.New("phoenixtest: send on a closed connection")
	default:
	}
	cc.c.mu.Lock()
	cc.c.fromCli = append(cc.c.fromCli, frame)
	cc.c.mu.Unlock()
	select {
	case cc.c.sent <- struct{}{}:
	default:
	}
	return nil
}

func (cc clientConn) Close() error {
	cc.c.close(errors.New("phoenixtest: closed by the client"))
	return nil
}
