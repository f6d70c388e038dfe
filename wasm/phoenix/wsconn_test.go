package phoenix

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakePage is a wsPage whose inbox the test fills; each failure can be
// scripted.
type fakePage struct {
	mu       sync.Mutex
	inbox    [][]byte
	sent     []string
	arms     int
	releases int

	waitErr, spliceErr, armErr, sendErr, releaseErr error
}

func (p *fakePage) waiting() (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.inbox), p.waitErr
}

func (p *fakePage) splice() ([][]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.inbox
	p.inbox = nil
	return b, p.spliceErr
}

func (p *fakePage) arm() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.arms++
	return p.armErr
}

func (p *fakePage) send(frame string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent = append(p.sent, frame)
	return p.sendErr
}

func (p *fakePage) release() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.releases++
	return p.releaseErr
}

// deliver queues frames as the browser's message events would, waking the
// connection as the one-shot listener does.
func (p *fakePage) deliver(c *wsConn, frames ...string) {
	p.mu.Lock()
	for _, f := range frames {
		p.inbox = append(p.inbox, []byte(f))
	}
	p.mu.Unlock()
	c.woke()
}

func newTestConn(t *testing.T) (*wsConn, *fakePage, *bytes.Buffer, context.Context) {
	t.Helper()
	var logs bytes.Buffer
	p := &fakePage{}
	c := newWSConn(p, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return c, p, &logs, ctx
}

func frames(b [][]byte) []string {
	s := make([]string, len(b))
	for i, f := range b {
		s[i] = string(f)
	}
	return s
}

func TestWSConnRecvTakesWhatWaitsAndWaitsForMore(t *testing.T) {
	c, p, _, ctx := newTestConn(t)
	c.open()
	p.deliver(c, "a", "b")
	got, err := c.Recv(ctx)
	if err != nil || strings.Join(frames(got), ",") != "a,b" {
		t.Fatalf("Recv = %q, %v", got, err)
	}
	go func() {
		time.Sleep(10 * time.Millisecond)
		p.deliver(c, "later")
	}()
	got, err = c.Recv(ctx)
	if err != nil || strings.Join(frames(got), ",") != "later" {
		t.Fatalf("Recv = %q, %v", got, err)
	}
	if p.arms != 2 {
		t.Errorf("armed %d times, want once per take", p.arms)
	}
}

// A frame alone is taken at once (a timer would wake Go a second time for
// it); one close behind the last take waits for the rest of its burst.
func TestWSConnGathersOnlyInABurst(t *testing.T) {
	c, p, _, ctx := newTestConn(t)
	c.open()
	if c.inBurst(time.Now()) {
		t.Error("the first frame of all counts as a burst")
	}
	p.deliver(c, "a")
	before := time.Now()
	if _, err := c.Recv(ctx); err != nil {
		t.Fatal(err)
	}
	if c.lastTake.Before(before) {
		t.Fatalf("Recv did not note its take: %v, before %v", c.lastTake, before)
	}
	at := c.lastTake
	for _, tc := range []struct {
		after time.Duration
		want  bool
	}{{0, true}, {burstGap / 2, true}, {burstGap, false}, {50 * time.Millisecond, false}} {
		if got := c.inBurst(at.Add(tc.after)); got != tc.want {
			t.Errorf("inBurst %v after the last take = %v, want %v", tc.after, got, tc.want)
		}
	}
}

func TestWSConnRecvDeliversFramesBeforeTheClose(t *testing.T) {
	c, p, _, ctx := newTestConn(t)
	c.open()
	p.inbox = [][]byte{[]byte("last")}
	c.onClose(4000, nil, "bye", nil)
	got, err := c.Recv(ctx)
	if err != nil || len(got) != 1 || string(got[0]) != "last" {
		t.Fatalf("Recv = %q, %v", got, err)
	}
	_, err = c.Recv(ctx)
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != 4000 || ce.Reason != "bye" || errors.Is(err, ErrClosedBeforeOpen) {
		t.Fatalf("Recv after close = %v", err)
	}
	if p.arms != 0 {
		t.Errorf("armed %d times after the close", p.arms)
	}
}

func TestWSConnRecvEndsWithItsContext(t *testing.T) {
	c, _, _, ctx := newTestConn(t)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if _, err := c.Recv(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Recv = %v", err)
	}
}

func TestWSConnCloseBeforeOpenFailsTheDial(t *testing.T) {
	c, p, _, ctx := newTestConn(t)
	c.onClose(1006, nil, "", nil)
	conn, err := c.awaitOpen(ctx)
	var ce *CloseError
	if conn != nil || !errors.Is(err, ErrClosedBeforeOpen) || !errors.As(err, &ce) || ce.Code != 1006 {
		t.Fatalf("awaitOpen = %v, %v", conn, err)
	}
	if p.releases != 1 {
		t.Errorf("released %d times", p.releases)
	}
}

func TestWSConnAwaitOpen(t *testing.T) {
	c, _, _, ctx := newTestConn(t)
	go c.open()
	if conn, err := c.awaitOpen(ctx); err != nil || conn != c {
		t.Fatalf("awaitOpen = %v, %v", conn, err)
	}
}

func TestWSConnDialTimeoutReleasesThePage(t *testing.T) {
	c, p, _, ctx := newTestConn(t)
	p.releaseErr = errors.New("WebSocket.close: refused")
	ctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err := c.awaitOpen(ctx)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "websocket: open") || !strings.Contains(err.Error(), "WebSocket.close: refused") {
		t.Fatalf("awaitOpen = %v", err)
	}
	if p.releases != 1 {
		t.Errorf("released %d times", p.releases)
	}
}

func TestWSConnUnreadableCloseEventIsAbnormal(t *testing.T) {
	c, _, logs, ctx := newTestConn(t)
	c.open()
	c.onClose(0, errors.New("no code"), "junk", errors.New("no reason"))
	_, err := c.Recv(ctx)
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != 1006 || ce.Reason != "" {
		t.Fatalf("Recv = %v", err)
	}
	for _, want := range []string{"CloseEvent.code: no code", "CloseEvent.reason: no reason"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

func TestWSConnFinishesOnce(t *testing.T) {
	c, p, logs, ctx := newTestConn(t)
	c.open()
	p.releaseErr = errors.New("WebSocket.onopen: frozen")
	if err := c.Close(); err == nil || !strings.Contains(err.Error(), "frozen") {
		t.Fatalf("Close = %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	c.onClose(1000, nil, "", nil) // the browser's close event, after ours
	if p.releases != 1 {
		t.Errorf("released %d times", p.releases)
	}
	if logs.Len() != 0 {
		t.Errorf("a later close logged:\n%s", logs)
	}
	if _, err := c.Recv(ctx); err == nil || err.Error() != "websocket closed by the client" {
		t.Errorf("Recv = %v", err)
	}
}

func TestWSConnSend(t *testing.T) {
	c, p, _, _ := newTestConn(t)
	c.open()
	if err := c.Send([]byte("one")); err != nil {
		t.Fatal(err)
	}
	p.sendErr = errors.New("WebSocket.send: InvalidStateError")
	if err := c.Send([]byte("two")); err != p.sendErr {
		t.Fatalf("Send = %v", err)
	}
	c.onClose(1001, nil, "going away", nil)
	err := c.Send([]byte("three"))
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != 1001 || !strings.HasPrefix(err.Error(), "websocket send: ") {
		t.Fatalf("Send after close = %v", err)
	}
	if strings.Join(p.sent, ",") != "one,two" {
		t.Errorf("sent %q", p.sent)
	}
}

func TestWSConnSlowReaderCloses(t *testing.T) {
	c, p, _, ctx := newTestConn(t)
	c.open()
	for i := range recvBuffer + 5 {
		p.inbox = append(p.inbox, fmt.Appendf(nil, "m%d", i))
	}
	got, err := c.Recv(ctx)
	if err != nil || len(got) != recvBuffer || string(got[0]) != "m0" {
		t.Fatalf("Recv = %d frames, %v", len(got), err)
	}
	if _, err := c.Recv(ctx); err == nil || !strings.Contains(err.Error(), "reader too slow") {
		t.Fatalf("Recv after the flood = %v", err)
	}
}

func TestWSConnFailedTakeCloses(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(*fakePage)
		want string
	}{
		{"length", func(p *fakePage) { p.waitErr = errors.New("length gone") }, "websocket: take the frames: length gone"},
		{"splice", func(p *fakePage) { p.spliceErr = errors.New("splice gone") }, "websocket: take the frames: splice gone"},
		{"arm", func(p *fakePage) { p.armErr = errors.New("WebSocket.addEventListener: gone") }, "WebSocket.addEventListener: gone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, p, _, ctx := newTestConn(t)
			c.open()
			p.inbox = [][]byte{[]byte("x")}
			tc.set(p)
			var err error
			for range 2 { // a failed arm still hands over what it took
				if _, err = c.Recv(ctx); err != nil {
					break
				}
			}
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Recv = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestSplitFrames(t *testing.T) {
	got := frames(splitFrames("a" + frameSep + "" + frameSep + `{"b":1}`))
	if len(got) != 3 || got[0] != "a" || got[1] != "" || got[2] != `{"b":1}` {
		t.Fatalf("splitFrames = %q", got)
	}
}
