package transport_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shurcooL/graphql"

	"github.com/glimchat/glimchat/wasm/phoenix"
	"github.com/glimchat/glimchat/wasm/phoenix/phoenixtest"
	"github.com/glimchat/glimchat/wasm/transport"
)

type docCall struct {
	query string
	vars  json.RawMessage
}

// peer is a fake Absinthe server answering docs from a table of replies
// keyed by a substring of the query.
type peer struct {
	mu      sync.Mutex
	calls   []docCall
	replies map[string][2]string // query substring -> status, response
}

func (p *peer) doc(query string, vars json.RawMessage) (string, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, docCall{query, vars})
	for k, r := range p.replies {
		if strings.Contains(query, k) {
			return r[0], r[1]
		}
	}
	return "error", `{"errors":[{"message":"peer: no reply for this query"}]}`
}

func (p *peer) last() docCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[len(p.calls)-1]
}

type setup struct {
	clock  *phoenixtest.Clock
	srv    *phoenixtest.Server
	sock   *phoenix.Socket
	client *graphql.Client
	live   chan struct{}
}

func newSetup(t *testing.T) *setup {
	t.Helper()
	s := &setup{clock: phoenixtest.NewClock(), srv: phoenixtest.NewServer(), live: make(chan struct{}, 10)}
	sock, err := phoenix.New(phoenix.Config{URL: "ws://instance.test/api/graph/websocket?vsn=2.0.0&client_id=x", Dial: s.srv.Dial, Clock: s.clock})
	if err != nil {
		t.Fatal(err)
	}
	s.sock = sock
	sock.Watch(func(st phoenix.State, _ error) {
		if st == phoenix.StateLive {
			s.live <- struct{}{}
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sock.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	s.client = graphql.NewClient("https://instance.test/api/graph", &http.Client{Transport: transport.Tunnel{Socket: sock}})
	return s
}

func (s *setup) serve(t *testing.T, p *peer) *phoenixtest.Conn {
	t.Helper()
	c := s.srv.Accept(t)
	c.Serve(p.doc)
	select {
	case <-s.live:
	case <-time.After(phoenixtest.Guard):
		t.Fatal("socket never went live")
	}
	return c
}

type channelQuery struct {
	Channel struct {
		ID       graphql.ID
		Streamer struct{ Username graphql.String }
	} `graphql:"channel(username: $username)"`
}

type sendMutation struct {
	CreateChatMessage struct {
		ID graphql.ID
	} `graphql:"createChatMessage(channelId: $channelId, message: {message: $message})"`
}

func TestTunnelQueryAndMutation(t *testing.T) {
	s := newSetup(t)
	p := &peer{replies: map[string][2]string{
		"channel(":           {"ok", `{"data":{"channel":{"id":"6","streamer":{"username":"Mytho"}}}}`},
		"createChatMessage(": {"ok", `{"data":{"createChatMessage":{"id":"123"}}}`},
	}}
	s.serve(t, p)
	ctx := context.Background()

	var q channelQuery
	if err := s.client.Query(ctx, &q, map[string]any{"username": graphql.String("Mytho")}); err != nil {
		t.Fatal(err)
	}
	if q.Channel.ID != "6" || q.Channel.Streamer.Username != "Mytho" {
		t.Errorf("decoded %+v", q)
	}
	call := p.last()
	if call.query != `query($username:String!){channel(username: $username){id,streamer{username}}}` {
		t.Errorf("query sent %q", call.query)
	}
	if string(call.vars) != `{"username":"Mytho"}` {
		t.Errorf("variables sent %s", call.vars)
	}

	var m sendMutation
	if err := s.client.Mutate(ctx, &m, map[string]any{"channelId": graphql.ID("6"), "message": graphql.String("Hello There!")}); err != nil {
		t.Fatal(err)
	}
	if m.CreateChatMessage.ID != "123" {
		t.Errorf("mutation id %v", m.CreateChatMessage.ID)
	}
}

func TestTunnelGraphQLErrors(t *testing.T) {
	s := newSetup(t)
	p := &peer{replies: map[string][2]string{
		// A validation failure: status "error" with only errors.
		"channel(": {"error", `{"errors":[{"message":"Argument \"username\" has invalid value","locations":[{"line":1,"column":2}]}]}`},
		// Partial data with errors: status "ok".
		"createChatMessage(": {"ok", `{"data":{"createChatMessage":null},"errors":[{"message":"You must be logged in"}]}`},
	}}
	s.serve(t, p)
	ctx := context.Background()

	var q channelQuery
	err := s.client.Query(ctx, &q, map[string]any{"username": graphql.String("x")})
	if err == nil || err.Error() != `Argument "username" has invalid value` {
		t.Errorf("query error %v; want the GraphQL error's message, reported by the client", err)
	}
	var m sendMutation
	err = s.client.Mutate(ctx, &m, map[string]any{"channelId": graphql.ID("6"), "message": graphql.String("hi")})
	if err == nil || err.Error() != "You must be logged in" {
		t.Errorf("mutation error %v", err)
	}
}

func TestTunnelFailures(t *testing.T) {
	s := newSetup(t)
	var q channelQuery
	vars := map[string]any{"username": graphql.String("x")}

	// Not connected yet: the query waits for the join, as long as its
	// context lets it.
	early, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := s.client.Query(early, &q, vars); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("before connecting: %v, want the caller's deadline", err)
	}

	c := s.srv.Accept(t)
	c.Join(t)
	<-s.live

	// No reply: the push timeout.
	errc := make(chan error, 1)
	go func() { errc <- s.client.Query(context.Background(), &q, vars) }()
	c.Expect(t, phoenix.TopicControl, phoenix.EventDoc)
	if !s.clock.WaitFor(10 * time.Second) {
		t.Fatal("no push timeout armed")
	}
	s.clock.Advance(10 * time.Second)
	if err := <-errc; !errors.Is(err, phoenix.ErrTimeout) || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("unanswered: %v", err)
	}

	// Cancelled by the caller.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { errc <- s.client.Query(ctx, &q, vars) }()
	c.Expect(t, phoenix.TopicControl, phoenix.EventDoc)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}

	// A protocol-level refusal (not GraphQL errors) is a Go error with its reason.
	go func() { errc <- s.client.Query(context.Background(), &q, vars) }()
	f := c.Expect(t, phoenix.TopicControl, phoenix.EventDoc)
	c.Reply(f, "error", `{"error":"Could not parse variables as map"}`)
	if err := <-errc; err == nil || !strings.Contains(err.Error(), "Could not parse variables as map") {
		t.Errorf("refused doc: %v", err)
	}

	// A reply that is not a GraphQL result.
	go func() { errc <- s.client.Query(context.Background(), &q, vars) }()
	f = c.Expect(t, phoenix.TopicControl, phoenix.EventDoc)
	c.Reply(f, "ok", `{"subscriptionId":"__absinthe__:doc:1"}`)
	if err := <-errc; err == nil || !strings.Contains(err.Error(), "neither data nor errors") {
		t.Errorf("odd reply: %v", err)
	}
}

// fakeDocer records what the tunnel asks of the socket.
type fakeDocer struct {
	query string
	vars  []byte
	resp  []byte
	err   error
}

func (f *fakeDocer) Doc(_ context.Context, query string, vars []byte) ([]byte, error) {
	f.query, f.vars = query, vars
	return f.resp, f.err
}

func TestTunnelRequestChecks(t *testing.T) {
	d := &fakeDocer{resp: []byte(`{"data":{"a":1}}`)}
	rt := transport.Tunnel{Socket: d}
	for _, tt := range []struct {
		name, method, body string
	}{
		{"GET", http.MethodGet, `{"query":"{a}"}`},
		{"no query", http.MethodPost, `{"variables":{}}`},
		{"not JSON", http.MethodPost, `query { a }`},
		{"trailing junk", http.MethodPost, `{"query":"{a}"} {}`},
	} {
		req, _ := http.NewRequest(tt.method, "https://instance.test/api/graph", strings.NewReader(tt.body))
		if resp, err := rt.RoundTrip(req); err == nil {
			resp.Body.Close()
			t.Errorf("%s: no error", tt.name)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, "https://instance.test/api/graph", strings.NewReader(`{"query":"{a}","variables":null,"operationName":"x"}`))
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || resp.Request != req {
		t.Errorf("response %+v", resp)
	}
	var body map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || string(body["data"]) != `{"a":1}` {
		t.Errorf("body %v, %v", body, err)
	}
	if d.query != "{a}" || len(d.vars) != 0 {
		t.Errorf("doc got %q %q; null variables should be left out", d.query, d.vars)
	}
}
