//go:build js && wasm

package phoenix

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/glimchat/glimchat/wasm/jstest"
)

// fakeWebSocket replaces the global WebSocket with a scripted one. Events
// are fired from the JavaScript event loop (setTimeout), as a browser does.
const fakeWebSocket = `
globalThis.WebSocket = class {
  constructor(url) {
    this.listening = new Map(); // message listener => once
    this.url = url; this.sent = []; this.closed = false; this.closeCode = 0; this.delivered = 0;
    globalThis.__lastWS = this;
    if (url.includes("invalid")) throw new SyntaxError("Failed to construct 'WebSocket': The URL '" + url + "' is invalid.");
    if (url.includes("refuse")) this.emit("close", {code: 1006, reason: ""}, "error");
    else if (!url.includes("hang")) this.emit("open", {});
  }
  emit(type, ev, first) {
    setTimeout(() => {
      if (first && this["on" + first]) this["on" + first]({});
      this.fire(type, ev);
    }, 0);
  }
  // fire runs the on<type> handler, then the listeners, as a browser does
  // for a handler set before them; messages are real MessageEvents.
  fire(type, ev) {
    if (type === "message") { ev = new MessageEvent("message", {data: ev.data}); this.delivered++; }
    if (this["on" + type]) this["on" + type](ev);
    if (type !== "message") return;
    for (const [f, once] of [...this.listening]) {
      if (once) this.listening.delete(f);
      f(ev);
    }
  }
  messages(list) {
    setTimeout(() => { for (const data of list) this.fire("message", {data}); }, 0);
  }
  flood(n) {
    setTimeout(() => { for (let i = 0; i < n && this.onmessage; i++) this.fire("message", {data: "m" + i}); this.flooded = true; }, 0);
  }
  listeners() { return this.listening.size; }
  addEventListener(t, f, o) { if (t === "message" && !this.listening.has(f)) this.listening.set(f, !!(o && o.once)); }
  removeEventListener(t, f) { if (t === "message") this.listening.delete(f); }
  send(d) { if (this.closed) throw new Error("InvalidStateError"); this.sent.push(d); }
  close(code) {
    this.closed = true; this.closeCode = code;
    if (this.url.includes("badclose")) throw new Error("close refused");
  }
};`

// withFake installs the fake WebSocket and returns a context that bounds
// the test.
func withFake(t *testing.T) context.Context {
	t.Helper()
	jstest.Run(t, fakeWebSocket)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// dial opens a connection to the fake and returns it with the fake.
func dial(t *testing.T, ctx context.Context, url string) (Conn, safejs.Value) {
	t.Helper()
	c, err := DialWebSocket(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	return c, lastWS(t)
}

func lastWS(t *testing.T) safejs.Value {
	t.Helper()
	ws, err := safejs.Global().Get("__lastWS")
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func delivered(t *testing.T, ws safejs.Value) int {
	t.Helper()
	v, err := ws.Get("delivered")
	if err == nil {
		var n int
		if n, err = v.Int(); err == nil {
			return n
		}
	}
	t.Fatal(err)
	return 0
}

func jsBool(t *testing.T, v safejs.Value, prop string) bool {
	t.Helper()
	p, err := v.Get(prop)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Truthy()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWebSocketBinding(t *testing.T) {
	ctx := withFake(t)
	c, ws := dial(t, ctx, "ws://instance.test/ok")
	if err := c.Send([]byte(`[null,"1","phoenix","heartbeat",{}]`)); err != nil {
		t.Fatal(err)
	}
	sent, _ := ws.Get("sent")
	first, _ := sent.Index(0)
	if s, _ := first.String(); s != `[null,"1","phoenix","heartbeat",{}]` {
		t.Errorf("sent %q", s)
	}

	ev, _ := safejs.Global().Get("Object")
	// Frames waiting together are taken together, in order. The test waits
	// for both to be delivered: how many one Recv gathers on its own
	// depends on the machine's timing.
	if _, err := ws.Call("messages", []any{"hello", "again"}); err != nil {
		t.Fatal(err)
	}
	for delivered(t, ws) < 2 {
		if ctx.Err() != nil {
			t.Fatal("the fake never delivered its messages")
		}
		time.Sleep(time.Millisecond) // yields to the event loop
	}
	if got, err := c.Recv(ctx); err != nil || len(got) != 2 || string(got[0]) != "hello" || string(got[1]) != "again" {
		t.Fatalf("Recv = %q, %v", got, err)
	}
	// One arriving alone, while Recv waits, is handed over too.
	go func() {
		time.Sleep(20 * time.Millisecond)
		msg, _ := ev.New()
		_ = msg.Set("data", "later")
		_, _ = ws.Call("emit", "message", msg)
	}()
	if got, err := c.Recv(ctx); err != nil || len(got) != 1 || string(got[0]) != "later" {
		t.Fatalf("Recv = %q, %v", got, err)
	}

	bye, _ := ev.New()
	_ = bye.Set("code", 4000)
	_ = bye.Set("reason", "bye")
	if _, err := ws.Call("emit", "close", bye); err != nil {
		t.Fatal(err)
	}
	_, err := c.Recv(ctx)
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != 4000 || ce.Reason != "bye" {
		t.Fatalf("Recv after close: %v", err)
	}
	if jsBool(t, ws, "onmessage") || jsBool(t, ws, "onclose") {
		t.Error("handlers still attached after close")
	}
	if err := c.Send([]byte("late")); err == nil {
		t.Error("Send after close succeeded")
	}
}

func TestWebSocketClosedBeforeOpen(t *testing.T) {
	ctx := withFake(t)
	_, err := DialWebSocket(ctx, "ws://instance.test/refuse")
	var ce *CloseError
	if !errors.Is(err, ErrClosedBeforeOpen) || !errors.As(err, &ce) || ce.Code != 1006 {
		t.Fatalf("dial: %v", err)
	}

	hctx, hcancel := context.WithCancel(ctx)
	go func() { time.Sleep(10 * time.Millisecond); hcancel() }()
	if _, err := DialWebSocket(hctx, "ws://instance.test/hang"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled dial: %v", err)
	}
	if !jsBool(t, lastWS(t), "closed") {
		t.Error("a cancelled dial left the socket open")
	}
}

func TestWebSocketSlowReaderClosesInsteadOfBlocking(t *testing.T) {
	ctx := withFake(t)
	c, ws := dial(t, ctx, "ws://instance.test/ok")
	if _, err := ws.Call("flood", recvBuffer+10); err != nil {
		t.Fatal(err)
	}
	// Nobody reads while the flood arrives: it waits in the inbox, and the
	// reader that finds it that far behind closes the socket. Sleeping
	// yields to the JavaScript event loop, which delivers the flood. A
	// fixed sleep is not enough on a busy machine: the flood's first
	// message wakes Go, and a sleep already over then would read it alone.
	for deadline := time.Now().Add(10 * time.Second); !jsBool(t, ws, "flooded"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the flood never arrived")
		}
	}
	n := 0
	for {
		batch, err := c.Recv(ctx)
		if err != nil {
			if !strings.Contains(err.Error(), "reader too slow") {
				t.Errorf("closed with %v", err)
			}
			break
		}
		n += len(batch)
	}
	if n != recvBuffer {
		t.Errorf("delivered %d frames before the close, want the %d buffered", n, recvBuffer)
	}
	if !jsBool(t, ws, "closed") {
		t.Error("the browser socket was not closed")
	}
}

// Whatever script on the page hands onmessage is skipped; the messages
// around it still arrive, and the socket stays open.
func TestWebSocketSkipsWhatIsNotAMessage(t *testing.T) {
	ctx := withFake(t)
	c, ws := dial(t, ctx, "ws://instance.test/ok")
	onmessage, _ := ws.Get("onmessage")
	for _, junk := range []any{nil, 42, map[string]any{"data": "forged"}} {
		if _, err := onmessage.Invoke(junk); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ws.Call("emit", "message", map[string]any{"data": "real"}); err != nil {
		t.Fatal(err)
	}
	got, err := c.Recv(ctx)
	if err != nil || len(got) != 1 || string(got[0]) != "real" {
		t.Fatalf("Recv = %q, %v", got, err)
	}
	if jsBool(t, ws, "closed") {
		t.Error("the socket was closed")
	}
}

func TestWebSocketReleasesItsListeners(t *testing.T) {
	ctx := withFake(t)
	c, ws := dial(t, ctx, "ws://instance.test/ok")
	if _, err := ws.Call("emit", "message", map[string]any{"data": "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Recv(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	n, _ := ws.Call("listeners")
	if k, _ := n.Int(); k != 0 {
		t.Errorf("%d message listeners left on a closed socket", k)
	}
	if jsBool(t, ws, "onmessage") {
		t.Error("onmessage left set on a closed socket")
	}
}

// lines is an io.Writer that hands each log line to a channel.
type lines chan string

func (l lines) Write(p []byte) (int, error) {
	l <- string(p)
	return len(p), nil
}

func TestWebSocketErrorsNameTheCall(t *testing.T) {
	logged := make(lines, 10)
	ctx := withLogger(withFake(t), slog.New(slog.NewTextHandler(logged, nil)))

	c, ws := dial(t, ctx, "ws://instance.test/ok")
	if err := ws.Set("closed", true); err != nil { // closed behind the Go side's back
		t.Fatal(err)
	}
	if err := c.Send([]byte("x")); err == nil || !strings.Contains(err.Error(), "WebSocket.send: ") {
		t.Errorf("Send on a socket the browser closed: %v", err)
	}

	// Close has a caller, so it returns the error.
	c, _ = dial(t, ctx, "ws://instance.test/badclose")
	if err := c.Close(); err == nil || !strings.Contains(err.Error(), "WebSocket.close: ") || !strings.Contains(err.Error(), "close refused") {
		t.Errorf("Close = %v", err)
	}

	// A close event has none, so the error goes to the socket's logger.
	_, ws = dial(t, ctx, "ws://instance.test/badclose")
	ev, _ := safejs.Global().Get("Object")
	bye, _ := ev.New()
	if _, err := ws.Call("emit", "close", bye); err != nil {
		t.Fatal(err)
	}
	select {
	case line := <-logged:
		if !strings.Contains(line, "WebSocket.close: ") {
			t.Errorf("logged %q", line)
		}
	case <-ctx.Done():
		t.Fatal("a failed WebSocket.close was not logged")
	}
}

// The browser's message for a URL it refuses quotes the URL, which may carry
// a token: the error must not.
func TestWebSocketRefusedURLHidesTheToken(t *testing.T) {
	ctx := withFake(t)
	_, err := DialWebSocket(ctx, "ws://invalid.test/api/graph/websocket?vsn=2.0.0&token=s3cret")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("DialWebSocket = %v, want an error without the token", err)
	}
}
