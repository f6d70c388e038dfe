package source

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/glimchat/glimchat/wasm/catalog"
	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/phoenix"
	"github.com/glimchat/glimchat/wasm/phoenix/phoenixtest"
	"github.com/glimchat/glimchat/wasm/transport"
)

// Cross-origin the start query rides the socket. When the socket's
// websocket never opens, the query fails at the failed dial, well before
// the client's timeout, and the page is told the instance cannot be
// reached, not that it was slow.
func TestOpenSaysAnUnreachableSocket(t *testing.T) {
	srv := phoenixtest.NewServer()
	srv.FailBeforeOpen(1 << 20)
	clock := phoenixtest.NewClock()
	sock, err := phoenix.New(phoenix.Config{URL: "ws://glimesh.example/api/graph/websocket?vsn=2.0.0&client_id=c", Dial: srv.Dial, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { sock.Run(ctx); close(ran) }()
	defer func() { cancel(); <-ran }()
	base, _ := url.Parse("https://glimesh.example")
	const timeout = 20 * time.Second // the widget's query timeout
	c, err := glimesh.NewClient(base, &http.Client{Transport: transport.Tunnel{Socket: sock}, Timeout: timeout}, glimesh.Auth{ClientID: "c"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Client: c, Channel: "demo", Socket: sock, History: 5, Limit: 10, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	told := make(chan error, 100)
	began := time.Now()
	go s.Open(ctx, func(err error) { told <- err })
	// The socket retries on the fake clock; a push made between two dials
	// waits for the next.
	deadline := time.After(timeout + 5*time.Second)
	for {
		select {
		case err := <-told:
			if got, want := catalog.Explain(err), catalog.Explain(phoenix.ErrUnreachable); got != want {
				t.Errorf("the page is told %q (%v), want %q", got, err, want)
			}
			if d := time.Since(began); d >= timeout/2 {
				t.Errorf("told after %v: the query waited for its timeout", d)
			}
			return
		case <-time.After(20 * time.Millisecond):
			if p := clock.Pending(); len(p) > 0 && p[0] < 10*time.Second {
				clock.Advance(p[0])
			}
		case <-deadline:
			t.Fatal("the page was told nothing")
		}
	}
}
