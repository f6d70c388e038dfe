//go:build js && wasm

package phoenix

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hack-pad/safejs"
)

// fakeWebSocket replaces the global WebSocket with a scripted one. Events
// are fired from the JavaScript event loop (setTimeout), as a browser does.
const fakeWebSocket = `
globalThis.WebSocket = class {
  constructor(url) {
    this.url = url; this.sent = []; this.closed = false; this.closeCode = 0;
    globalThis.__lastWS = this;
    if (url.includes("refuse")) this.emit("close", {code: 1006, reason: ""}, "error");
    else if (!url.includes("hang")) this.emit("open", {});
  }
  emit(type, ev, first) {
    setTimeout(() => {
      if (first && this["on" + first]) this["on" + first]({});
      if (this["on" + type]) this["on" + type](ev);
    }, 0);
  }
  flood(n) {
    setTimeout(() => { for (let i = 0; i < n && this.onmessage; i++) this.onmessage({data: "m" + i}); }, 0);
  }
  send(d) { if (this.closed) throw new Error("InvalidStateError"); this.sent.push(d); }
  close(code) { this.closed = true; this.closeCode = code; }
};`

func installFake(t *testing.T) {
	t.Helper()
	fn, err := safejs.Global().Get("Function")
	if err != nil {
		t.Fatal(err)
	}
	f, err := fn.New(fakeWebSocket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Invoke(); err != nil {
		t.Fatal(err)
	}
}

func lastWS(t *testing.T) safejs.Value {
	t.Helper()
	ws, err := safejs.Global().Get("__lastWS")
	if err != nil {
		t.Fatal(err)
	}
	return ws
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
	installFake(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	c, err := DialWebSocket(ctx, "ws://instance.test/ok")
	if err != nil {
		t.Fatal(err)
	}
	ws := lastWS(t)
	if err := c.Send([]byte(`[null,"1","phoenix","heartbeat",{}]`)); err != nil {
		t.Fatal(err)
	}
	sent, _ := ws.Get("sent")
	first, _ := sent.Index(0)
	if s, _ := first.String(); s != `[null,"1","phoenix","heartbeat",{}]` {
		t.Errorf("sent %q", s)
	}

	ev, _ := safejs.Global().Get("Object")
	msg, _ := ev.New()
	_ = msg.Set("data", "hello")
	if _, err := ws.Call("emit", "message", msg); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Recv(ctx); err != nil || string(got) != "hello" {
		t.Fatalf("Recv = %q, %v", got, err)
	}

	bye, _ := ev.New()
	_ = bye.Set("code", 4000)
	_ = bye.Set("reason", "bye")
	if _, err := ws.Call("emit", "close", bye); err != nil {
		t.Fatal(err)
	}
	_, err = c.Recv(ctx)
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
	installFake(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
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
	installFake(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := DialWebSocket(ctx, "ws://instance.test/ok")
	if err != nil {
		t.Fatal(err)
	}
	ws := lastWS(t)
	if _, err := ws.Call("flood", recvBuffer+10); err != nil {
		t.Fatal(err)
	}
	// Nobody reads while the flood arrives. Sleeping yields to the
	// JavaScript event loop, which delivers it.
	for deadline := time.Now().Add(5 * time.Second); !jsBool(t, ws, "closed"); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the browser socket was not closed")
		}
	}
	n := 0
	for {
		_, err := c.Recv(ctx)
		if err != nil {
			if !strings.Contains(err.Error(), "reader too slow") {
				t.Errorf("closed with %v", err)
			}
			break
		}
		n++
	}
	if n != recvBuffer {
		t.Errorf("delivered %d frames before the close, want the %d buffered", n, recvBuffer)
	}
}
