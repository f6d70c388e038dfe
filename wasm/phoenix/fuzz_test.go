package phoenix_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/glimchat/glimchat/wasm/phoenix"
	"github.com/glimchat/glimchat/wasm/phoenix/phoenixtest"
)

// answerDocs is a well-behaved server's doc handler: subscriptions get an
// id, everything else data.
func answerDocs(query string, _ json.RawMessage) (string, string) {
	if strings.HasPrefix(query, "subscription") {
		return "ok", `{"subscriptionId":"sub:A"}`
	}
	return "ok", `{"data":{"ok":true}}`
}

// FuzzServerFrames proves that whatever frames (one a line) a server sends
// to a live, subscribed socket, the client neither panics nor wedges: a
// doc sent afterwards is answered, on that connection or, once the client
// has recovered from what the frames did to it (a crashed channel, a
// closed socket), on a later one.
func FuzzServerFrames(f *testing.F) {
	for _, s := range []string{
		`[null,null,"sub:A","subscription:data",{"result":{"data":{"chatMessage":{"id":"1"}}},"subscriptionId":"sub:A"}]`,
		`["1","1","__absinthe__:control","phx_error",{}]`,
		`["1",null,"__absinthe__:control","phx_close",{}]`,
		`[null,"3","__absinthe__:control","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}]`,
		`[null,"4","phoenix","phx_reply",{"response":{},"status":"ok"}]` + "\n" + `["1","2","__absinthe__:control","phx_reply",{"response":{"subscriptionId":"sub:B"},"status":"ok"}]`,
		"garbage\n" + `{"topic":"sub:A"}` + "\n" + `[null,null,"sub:A","subscription:data"]` + "\n" + `[null,null,"sub:A","subscription:data",{"result":}]`,
		`["1","1","__absinthe__:control","phx_reply",{"response":{},"status":"error"}]` + "\n" + `[null,null,"sub:A","subscription:data",null]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, frames string) {
		// Every connection is served like a good server; the first one
		// also gets the frames.
		srv := phoenixtest.NewServer()
		conns := make(chan *phoenixtest.Conn, 64)
		h := start(t, func(cfg *phoenix.Config) {
			cfg.Dial = func(ctx context.Context, url string) (phoenix.Conn, error) {
				conn, err := srv.Dial(ctx, url)
				if err == nil {
					c := srv.Accept(t)
					c.Serve(answerDocs)
					conns <- c
				}
				return conn, err
			}
		})
		h.sock.Subscribe(subQuery, []byte(`{"c":"6"}`), phoenix.SubscriptionHandler{
			Data: func([]byte) {}, Active: func(string) {}, Failed: func(error) {}})
		first := wait(t, conns)
		h.states.Wait(t, phoenix.StateLive)
		lines := strings.Split(frames, "\n")
		for _, fr := range lines[:min(len(lines), 32)] {
			first.WriteRaw([]byte(fr))
		}

		// A doc may fail while the client recovers; the fake clock moves
		// on meanwhile, so that backoffs, rejoins and timeouts come due.
		deadline := time.Now().Add(2 * phoenixtest.Guard)
		for range 5 {
			r := h.doc(context.Background(), "query after")
			for answered := false; !answered; {
				if time.Now().After(deadline) {
					t.Fatalf("the doc is still waiting after %v; state %v", 2*phoenixtest.Guard, h.sock.State())
				}
				select {
				case res := <-r:
					if res.err == nil {
						if string(res.resp) != `{"data":{"ok":true}}` {
							t.Fatalf("doc answered %s", res.resp)
						}
						return
					}
					answered = true
				case <-time.After(5 * time.Millisecond):
					h.clock.Advance(250 * time.Millisecond)
				}
			}
		}
		t.Fatalf("no doc answered after the frames; state %v", h.sock.State())
	})
}
