package phoenix_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/glimchat/glimchat/wasm/phoenix"
	"github.com/glimchat/glimchat/wasm/phoenix/phoenixtest"
)

const testURL = "ws://instance.test/api/graph/websocket?vsn=2.0.0&client_id=test"

type harness struct {
	t      *testing.T
	clock  *phoenixtest.Clock
	srv    *phoenixtest.Server
	sock   *phoenix.Socket
	states phoenixtest.StateLog[phoenix.State]
	cancel context.CancelFunc
	ran    chan error
}

// start runs a socket against a fake server and clock. Backoff jitter is
// fixed at half the ceiling, so delays are known: 250 ms, 500 ms, 1 s, …
func start(t *testing.T, mod func(*phoenix.Config)) *harness {
	t.Helper()
	return startOn(t, phoenixtest.NewServer(), mod)
}

// startOn runs the socket against srv, which a test prepares first: the
// first dial may come before start returns.
func startOn(t *testing.T, srv *phoenixtest.Server, mod func(*phoenix.Config)) *harness {
	t.Helper()
	h := &harness{t: t, clock: phoenixtest.NewClock(), srv: srv, ran: make(chan error, 1)}
	cfg := phoenix.Config{
		URL:     testURL,
		Dial:    h.srv.Dial,
		Clock:   h.clock,
		Backoff: phoenix.Backoff{Base: 500 * time.Millisecond, Cap: 10 * time.Second, Rand: func() float64 { return 0.5 }},
	}
	if mod != nil {
		mod(&cfg)
	}
	sock, err := phoenix.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.sock = sock
	sock.Watch(h.states.Record)
	var ctx context.Context
	ctx, h.cancel = context.WithCancel(context.Background())
	go func() { h.ran <- sock.Run(ctx) }()
	t.Cleanup(func() {
		h.cancel()
		select {
		case <-h.ran:
		case <-time.After(phoenixtest.Guard):
			t.Error("Run did not return after cancel")
		}
	})
	return h
}

// live accepts the next connection and joins it.
func (h *harness) live() *phoenixtest.Conn {
	h.t.Helper()
	c := h.srv.Accept(h.t)
	c.Join(h.t)
	h.states.Wait(h.t, phoenix.StateLive)
	return c
}

// advanceTo waits for a timer due in d, then fires it.
func (h *harness) advanceTo(d time.Duration) {
	h.t.Helper()
	if !h.clock.WaitFor(d) {
		h.t.Fatalf("no timer due in %v; pending %v", d, h.clock.Pending())
	}
	h.clock.Advance(d)
}

// barrier returns once the socket has handled every frame written to c so
// far: frames are handled in order, and this doc's reply comes last.
func (h *harness) barrier(c *phoenixtest.Conn) {
	h.t.Helper()
	r := h.doc(context.Background(), "query barrier")
	c.Reply(c.Expect(h.t, phoenix.TopicControl, phoenix.EventDoc), "ok", `{}`)
	if res := wait(h.t, r); res.err != nil {
		h.t.Fatalf("barrier: %v", res.err)
	}
}

type docResult struct {
	resp []byte
	err  error
}

func (h *harness) doc(ctx context.Context, query string) <-chan docResult {
	ch := make(chan docResult, 1)
	go func() {
		resp, err := h.sock.Doc(ctx, query, nil)
		ch <- docResult{resp, err}
	}()
	return ch
}

func wait[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(phoenixtest.Guard):
		t.Fatal("timed out")
		var zero T
		return zero
	}
}

func TestJoinAndState(t *testing.T) {
	h := start(t, nil)
	if s := h.states.Wait(t, phoenix.StateConnecting); s.Err != nil {
		t.Errorf("connecting with error %v", s.Err)
	}
	c := h.srv.Accept(t)
	if c.URL != testURL {
		t.Errorf("dialed %q", c.URL)
	}
	f := c.Expect(t, phoenix.TopicControl, phoenix.EventJoin)
	if f.JoinRef == "" || f.JoinRef != f.Ref || string(f.Payload) != "{}" {
		t.Errorf("join frame %+v", f)
	}
	c.Reply(f, "ok", `{}`)
	if s := h.states.Wait(t, phoenix.StateLive); s.Err != nil {
		t.Errorf("live with error %v", s.Err)
	}
	if h.sock.State() != phoenix.StateLive {
		t.Errorf("State() = %v", h.sock.State())
	}
}

func TestPushReplyMatching(t *testing.T) {
	h := start(t, nil)
	c := h.live()
	ctx := context.Background()
	a := h.doc(ctx, "query A")
	fa := c.Expect(t, phoenix.TopicControl, phoenix.EventDoc)
	b := h.doc(ctx, "query B")
	fb := c.Expect(t, phoenix.TopicControl, phoenix.EventDoc)
	if !strings.Contains(string(fa.Payload), "query A") || !strings.Contains(string(fb.Payload), "query B") {
		t.Fatalf("payloads %s / %s", fa.Payload, fb.Payload)
	}
	if fa.Ref == fb.Ref || fa.JoinRef == "" || fa.JoinRef != fb.JoinRef {
		t.Fatalf("refs %q/%q join refs %q/%q", fa.Ref, fb.Ref, fa.JoinRef, fb.JoinRef)
	}
	// A reply to a ref nobody waits for, and one on the wrong topic, are ignored.
	c.Write(phoenix.Frame{Ref: "999", Topic: phoenix.TopicControl, Event: phoenix.EventReply, Payload: []byte(`{"status":"ok","response":{"data":"nobody"}}`)})
	c.Write(phoenix.Frame{Ref: fa.Ref, Topic: "other", Event: phoenix.EventReply, Payload: []byte(`{"status":"ok","response":{"data":"wrong topic"}}`)})
	// Out of order: B first.
	c.Reply(fb, "ok", `{"data":{"b":1}}`)
	c.Reply(fa, "error", `{"errors":[{"message":"bad A"}]}`)
	rb := wait(t, b)
	if rb.err != nil || string(rb.resp) != `{"data":{"b":1}}` {
		t.Errorf("B got %s, %v", rb.resp, rb.err)
	}
	ra := wait(t, a)
	var re *phoenix.ReplyError
	if !errors.As(ra.err, &re) || !re.HasGraphQLErrors() || string(re.Response) != `{"errors":[{"message":"bad A"}]}` {
		t.Errorf("A got %s, %v; want a ReplyError with the errors", ra.resp, ra.err)
	}
}

func TestPushFailures(t *testing.T) {
	h := start(t, nil)
	c := h.live()

	r := h.doc(context.Background(), "slow")
	c.Expect(t, phoenix.TopicControl, phoenix.EventDoc)
	h.advanceTo(10 * time.Second)
	if res := wait(t, r); !errors.Is(res.err, phoenix.ErrTimeout) {
		t.Errorf("unanswered: %v, want ErrTimeout", res.err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	r = h.doc(ctx, "cancelled")
	c.Expect(t, phoenix.TopicControl, phoenix.EventDoc)
	cancel()
	if res := wait(t, r); !errors.Is(res.err, context.Canceled) {
		t.Errorf("cancelled: %v, want context.Canceled", res.err)
	}

	r = h.doc(context.Background(), "dropped")
	c.Expect(t, phoenix.TopicControl, phoenix.EventDoc)
	c.Drop()
	if res := wait(t, r); !errors.Is(res.err, phoenix.ErrConnectionLost) {
		t.Errorf("dropped: %v, want ErrConnectionLost", res.err)
	}
}

// A push made before the control channel joins waits for the join, the way
// the Phoenix JS client buffers pushes, so a page's first query needs no
// retry; one whose caller gives up first is never sent.
func TestPushWaitsForTheJoin(t *testing.T) {
	h := start(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	abandoned := h.doc(ctx, "query abandoned")
	first := h.doc(context.Background(), "query first")
	cancel()
	if res := wait(t, abandoned); !errors.Is(res.err, context.Canceled) {
		t.Errorf("abandoned before the join: %v, want context.Canceled", res.err)
	}
	c := h.srv.Accept(t)
	c.Join(t)
	f := c.Expect(t, phoenix.TopicControl, phoenix.EventDoc)
	if !strings.Contains(string(f.Payload), "query first") {
		t.Fatalf("first push after the join carries %s, want the waiting one (the abandoned one is never sent)", f.Payload)
	}
	c.Reply(f, "ok", `{"data":{}}`)
	if res := wait(t, first); res.err != nil {
		t.Errorf("waiting push: %v", res.err)
	}
	h.barrier(c) // nothing else was sent before the barrier's doc

	// A socket that stops fails what still waits.
	c.Drop()
	h.states.Wait(t, phoenix.StateReconnecting)
	pending := h.doc(context.Background(), "query pending")
	h.cancel()
	wait(t, h.ran)
	h.ran <- nil // for the cleanup
	if res := wait(t, pending); !errors.Is(res.err, phoenix.ErrClosed) {
		t.Errorf("waiting when the socket stopped: %v, want ErrClosed", res.err)
	}
}

func TestHeartbeat(t *testing.T) {
	h := start(t, nil)
	c := h.live()
	for range 3 {
		h.advanceTo(30 * time.Second)
		f := c.Expect(t, phoenix.TopicPhoenix, phoenix.EventHeartbeat)
		if f.JoinRef != "" || f.Ref == "" {
			t.Fatalf("heartbeat frame %+v", f)
		}
		c.Reply(f, "ok", `{}`)
		// The reply must be taken in before the next beat is due.
		h.barrier(c)
	}
	select {
	case <-c.Closed():
		t.Fatal("a link answering heartbeats was closed")
	default:
	}

	// Stalled: the socket stays open but stops answering. It is noticed
	// DefaultHeartbeatTimeout after the beat: within 40 s of the stall.
	h.advanceTo(30 * time.Second)
	c.Expect(t, phoenix.TopicPhoenix, phoenix.EventHeartbeat)
	h.advanceTo(phoenix.DefaultHeartbeatTimeout)
	c.WaitClosed(t)
	s := h.states.Wait(t, phoenix.StateReconnecting)
	if !errors.Is(s.Err, phoenix.ErrHeartbeatTimeout) {
		t.Errorf("reconnecting because %v, want ErrHeartbeatTimeout", s.Err)
	}
	h.advanceTo(250 * time.Millisecond)
	h.live()
}

func TestHeartbeatDeadline(t *testing.T) {
	h := start(t, func(c *phoenix.Config) { c.HeartbeatTimeout = 5 * time.Second })
	c := h.live()
	h.advanceTo(30 * time.Second)
	c.Expect(t, phoenix.TopicPhoenix, phoenix.EventHeartbeat)
	h.advanceTo(5 * time.Second)
	c.WaitClosed(t)
	if s := h.states.Wait(t, phoenix.StateReconnecting); !errors.Is(s.Err, phoenix.ErrHeartbeatTimeout) {
		t.Errorf("reconnecting because %v", s.Err)
	}
}

func TestReconnectBackoff(t *testing.T) {
	h := start(t, nil)
	c := h.live()
	// Each failed attempt doubles the ceiling (half of it with this rand)
	// up to the cap; a successful join resets it.
	c.Drop()
	h.states.Wait(t, phoenix.StateReconnecting)
	for _, d := range []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second} {
		h.advanceTo(d)
		c = h.srv.Accept(t)
		c.Drop() // open, then lost before the join
		h.states.Wait(t, phoenix.StateReconnecting)
	}
	h.advanceTo(5 * time.Second)
	h.live().Drop()
	h.states.Wait(t, phoenix.StateReconnecting)
	h.advanceTo(250 * time.Millisecond)
	h.live()
}

func TestRefused(t *testing.T) {
	srv := phoenixtest.NewServer()
	srv.Refuse(1)
	h := startOn(t, srv, func(c *phoenix.Config) { c.Backoff.Rand = func() float64 { return 0 } })
	if s := h.states.Wait(t, phoenix.StateReconnecting); !errors.Is(s.Err, phoenix.ErrRefused) {
		t.Errorf("403: %v, want ErrRefused", s.Err)
	}
	h.live().Drop()

	// A browser sees only closes before open: the third in a row is
	// reported as a refusal.
	h.srv.FailBeforeOpen(3)
	var errs []error
	for len(errs) < 4 {
		if s := h.states.Next(t); s.Err != nil {
			errs = append(errs, s.Err)
		}
	}
	for i, err := range errs {
		if got, want := errors.Is(err, phoenix.ErrRefused), i == 3; got != want {
			t.Errorf("failure %d (%v): refused = %v, want %v", i, err, got, want)
		}
	}
	h.live()
}

func TestWakeWhileLiveChecksTheLink(t *testing.T) {
	h := start(t, nil)
	c := h.live()
	h.sock.Wake() // after a sleep the link may be dead without knowing it
	f := c.Expect(t, phoenix.TopicPhoenix, phoenix.EventHeartbeat)
	h.advanceTo(30 * time.Second) // unanswered
	c.WaitClosed(t)
	if s := h.states.Wait(t, phoenix.StateReconnecting); !errors.Is(s.Err, phoenix.ErrHeartbeatTimeout) {
		t.Errorf("reconnecting because %v (check beat %+v)", s.Err, f)
	}
}

func TestWakeSkipsBackoff(t *testing.T) {
	h := start(t, func(c *phoenix.Config) { c.Backoff.Rand = func() float64 { return 0.99 } })
	c := h.live()
	c.Drop()
	h.states.Wait(t, phoenix.StateReconnecting)
	if !h.clock.WaitFor(495 * time.Millisecond) {
		t.Fatalf("no reconnect timer: %v", h.clock.Pending())
	}
	h.sock.Wake() // no Advance: the dial must happen now
	h.live()
	if slices.Contains(h.clock.Pending(), 495*time.Millisecond) {
		t.Error("the backoff timer is still pending after Wake")
	}
}

type subEvents struct {
	data   chan string
	active chan string
	failed chan error
}

func newSubEvents() *subEvents {
	return &subEvents{data: make(chan string, 100), active: make(chan string, 10), failed: make(chan error, 10)}
}

func (e *subEvents) handler() phoenix.SubscriptionHandler {
	return phoenix.SubscriptionHandler{
		Data:   func(p []byte) { e.data <- string(p) },
		Active: func(id string) { e.active <- id },
		Failed: func(err error) { e.failed <- err },
	}
}

const subQuery = `subscription($c: ID){ chatMessage(channelId: $c){ id } }`

func expectSubscribe(t *testing.T, c *phoenixtest.Conn, id string) {
	t.Helper()
	f := c.Expect(t, phoenix.TopicControl, phoenix.EventDoc)
	if !strings.Contains(string(f.Payload), `"variables":{"c":"6"}`) || !strings.Contains(string(f.Payload), "chatMessage") {
		t.Fatalf("subscribe payload %s", f.Payload)
	}
	c.Reply(f, "ok", `{"subscriptionId":"`+id+`"}`)
}

func TestResubscribeAfterDrop(t *testing.T) {
	h := start(t, nil)
	ev := newSubEvents()
	h.sock.Subscribe(subQuery, []byte(`{"c":"6"}`), ev.handler()) // before the join
	c := h.live()
	expectSubscribe(t, c, "sub:A")
	if id := wait(t, ev.active); id != "sub:A" {
		t.Fatalf("active %q", id)
	}
	c.Push("sub:A", `{"data":{"chatMessage":{"id":"1"}}}`)
	if p := wait(t, ev.data); p != `{"result":{"data":{"chatMessage":{"id":"1"}}},"subscriptionId":"sub:A"}` {
		t.Fatalf("data %s", p)
	}

	c.Drop()
	h.states.Wait(t, phoenix.StateReconnecting)
	h.advanceTo(250 * time.Millisecond)
	c = h.live()
	expectSubscribe(t, c, "sub:B")
	if id := wait(t, ev.active); id != "sub:B" {
		t.Fatalf("active after reconnect %q", id)
	}
	c.Push("sub:A", `{"data":{"chatMessage":{"id":"stale"}}}`)
	c.Push("sub:B", `{"data":{"chatMessage":{"id":"2"}}}`)
	if p := wait(t, ev.data); !strings.Contains(p, `"id":"2"`) {
		t.Fatalf("after reconnect got %s; the old id must be dead", p)
	}
}

func TestResubscribeAfterPhxError(t *testing.T) {
	h := start(t, nil)
	ev := newSubEvents()
	h.sock.Subscribe(subQuery, []byte(`{"c":"6"}`), ev.handler())
	c := h.srv.Accept(t)
	join := c.Join(t)
	h.states.Wait(t, phoenix.StateLive)
	expectSubscribe(t, c, "sub:A")
	wait(t, ev.active)

	pending := h.doc(context.Background(), "query Q")
	c.Expect(t, phoenix.TopicControl, phoenix.EventDoc)
	c.Write(phoenix.Frame{JoinRef: join.JoinRef, Ref: join.Ref, Topic: phoenix.TopicControl, Event: phoenix.EventError})
	if res := wait(t, pending); !errors.Is(res.err, phoenix.ErrChannelCrashed) {
		t.Errorf("doc pending at the crash: %v, want ErrChannelCrashed", res.err)
	}
	if s := h.states.Wait(t, phoenix.StateReconnecting); !errors.Is(s.Err, phoenix.ErrChannelCrashed) {
		t.Errorf("reconnecting because %v", s.Err)
	}
	h.advanceTo(250 * time.Millisecond)
	rejoin := c.Expect(t, phoenix.TopicControl, phoenix.EventJoin)
	if rejoin.JoinRef == join.JoinRef {
		t.Fatalf("rejoin reuses join_ref %q", rejoin.JoinRef)
	}
	c.Reply(rejoin, "ok", `{}`)
	h.states.Wait(t, phoenix.StateLive)
	expectSubscribe(t, c, "sub:B")
	if id := wait(t, ev.active); id != "sub:B" {
		t.Fatalf("active %q", id)
	}
	// A late frame of the old join is stale; it must not crash the new one.
	c.Write(phoenix.Frame{JoinRef: join.JoinRef, Ref: join.Ref, Topic: phoenix.TopicControl, Event: phoenix.EventError})
	c.Push("sub:B", `{"data":{"chatMessage":{"id":"3"}}}`)
	if p := wait(t, ev.data); !strings.Contains(p, `"id":"3"`) {
		t.Fatalf("data %s", p)
	}
	if s := h.sock.State(); s != phoenix.StateLive {
		t.Errorf("state %v after a stale phx_error", s)
	}
	select {
	case <-c.Closed():
		t.Error("phx_error closed the whole connection; only the channel should rejoin")
	default:
	}
}

func TestUnmatchedTopicRejoins(t *testing.T) {
	h := start(t, nil)
	c := h.live()
	r := h.doc(context.Background(), "query Q")
	f := c.Expect(t, phoenix.TopicControl, phoenix.EventDoc)
	c.Write(phoenix.Frame{Ref: f.Ref, Topic: phoenix.TopicControl, Event: phoenix.EventReply, Payload: []byte(`{"response":{"reason":"unmatched topic"},"status":"error"}`)})
	var re *phoenix.ReplyError
	if res := wait(t, r); !errors.As(res.err, &re) || re.Reason() != "unmatched topic" {
		t.Errorf("doc: %v", res.err)
	}
	h.states.Wait(t, phoenix.StateReconnecting)
	h.advanceTo(250 * time.Millisecond)
	c.Join(t)
	h.states.Wait(t, phoenix.StateLive)
}

func TestMalformedFramesSkipped(t *testing.T) {
	h := start(t, nil)
	ev := newSubEvents()
	h.sock.Subscribe(subQuery, []byte(`{"c":"6"}`), ev.handler())
	c := h.live()
	expectSubscribe(t, c, "sub:A")
	wait(t, ev.active)
	for _, bad := range []string{`garbage`, `{"topic":"sub:A"}`, `[null,null,"sub:A","subscription:data"]`, `[null,null,"sub:A","subscription:data",{"result":}]`} {
		c.WriteRaw([]byte(bad))
	}
	c.Push("sub:A", `{"data":{"chatMessage":{"id":"4"}}}`)
	// A push's payload is its handler's to validate (it decodes it whole
	// anyway): the unparsable one arrives as it was sent, the rest not at all.
	if p := wait(t, ev.data); p != `{"result":}` {
		t.Fatalf("data %s, want the unvalidated payload", p)
	}
	if p := wait(t, ev.data); !strings.Contains(p, `"id":"4"`) {
		t.Fatalf("data %s", p)
	}
	if s := h.sock.State(); s != phoenix.StateLive {
		t.Errorf("state %v after malformed frames", s)
	}
}

func TestSubscriptionRejectedAndUnsubscribe(t *testing.T) {
	h := start(t, nil)
	c := h.live()
	bad := newSubEvents()
	h.sock.Subscribe("subscription { nope }", nil, bad.handler())
	f := c.Expect(t, phoenix.TopicControl, phoenix.EventDoc)
	c.Reply(f, "error", `{"errors":[{"message":"Cannot query field \"nope\""}]}`)
	if err := wait(t, bad.failed); !strings.Contains(err.Error(), `nope`) {
		t.Errorf("failed with %v", err)
	}

	ev := newSubEvents()
	sub := h.sock.Subscribe(subQuery, []byte(`{"c":"6"}`), ev.handler())
	expectSubscribe(t, c, "sub:A")
	wait(t, ev.active)
	sub.Unsubscribe()
	f = c.Expect(t, phoenix.TopicControl, phoenix.EventUnsubscribe)
	if string(f.Payload) != `{"subscriptionId":"sub:A"}` {
		t.Errorf("unsubscribe payload %s", f.Payload)
	}
	c.Reply(f, "ok", string(f.Payload))
	c.Push("sub:A", `{"data":{}}`)

	// After a reconnect only the rejected document is sent again.
	c.Drop()
	h.states.Wait(t, phoenix.StateReconnecting)
	h.advanceTo(250 * time.Millisecond)
	c = h.live()
	f = c.Expect(t, phoenix.TopicControl, phoenix.EventDoc)
	if !strings.Contains(string(f.Payload), "nope") {
		t.Errorf("resent %s, want only the rejected document", f.Payload)
	}
	select {
	case p := <-ev.data:
		t.Errorf("push after unsubscribe delivered: %s", p)
	default:
	}
}

func TestSubscribeTimeoutReconnects(t *testing.T) {
	h := start(t, nil)
	ev := newSubEvents()
	h.sock.Subscribe(subQuery, []byte(`{"c":"6"}`), ev.handler())
	c := h.live()
	c.Expect(t, phoenix.TopicControl, phoenix.EventDoc) // never answered
	h.advanceTo(10 * time.Second)
	c.WaitClosed(t)
	if s := h.states.Wait(t, phoenix.StateReconnecting); !errors.Is(s.Err, phoenix.ErrTimeout) {
		t.Errorf("reconnecting because %v", s.Err)
	}
}

func TestStop(t *testing.T) {
	h := start(t, nil)
	c := h.live()
	r := h.doc(context.Background(), "q")
	c.Expect(t, phoenix.TopicControl, phoenix.EventDoc)
	h.cancel()
	if err := wait(t, h.ran); !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v", err)
	}
	if res := wait(t, r); !errors.Is(res.err, phoenix.ErrClosed) {
		t.Errorf("pending doc: %v, want ErrClosed", res.err)
	}
	c.WaitClosed(t)
	h.states.Wait(t, phoenix.StateOffline)
	if _, err := h.sock.Doc(context.Background(), "q", nil); !errors.Is(err, phoenix.ErrClosed) {
		t.Errorf("Doc on a stopped socket: %v, want ErrClosed", err)
	}
	h.ran <- nil // for the cleanup
}

// A push waiting for the first join fails as soon as a dial fails, with
// ErrUnreachable wrapping the dial's error: the instance was never
// reached, so waiting for the push's own timeout would tell nothing more.
// A socket that was live once keeps its pushes through failed dials.
func TestPushFailsWhenNeverReached(t *testing.T) {
	srv := phoenixtest.NewServer()
	srv.FailBeforeOpen(1000)
	h := start(t, func(c *phoenix.Config) { c.Dial = srv.Dial })
	r := h.doc(context.Background(), "query first")
	var res docResult
	// The push reaches the loop before some failed dial; each retry waits
	// out its backoff on the fake clock.
	for done, tries := false, 0; !done; tries++ {
		if tries == 100 {
			t.Fatalf("the push still waits after %d failed dials", len(srv.Dials()))
		}
		select {
		case res = <-r:
			done = true
		case <-time.After(20 * time.Millisecond):
			if p := h.clock.Pending(); len(p) > 0 && p[0] < 10*time.Second {
				h.clock.Advance(p[0])
			}
		}
	}
	if !errors.Is(res.err, phoenix.ErrUnreachable) || !errors.Is(res.err, phoenix.ErrClosedBeforeOpen) {
		t.Fatalf("waiting push: %v, want ErrUnreachable wrapping ErrClosedBeforeOpen", res.err)
	}
	if len(srv.Dials()) > 10 {
		t.Errorf("%d dials before the push failed", len(srv.Dials()))
	}

	// Once the instance answers, a push goes through.
	srv.FailBeforeOpen(0)
	later := h.doc(context.Background(), "query later")
	h.clock.WaitUntil(func(p []time.Duration) bool { return len(p) > 0 })
	h.clock.Advance(h.clock.Pending()[0])
	c := srv.Accept(t)
	c.Join(t)
	c.Reply(c.Expect(t, phoenix.TopicControl, phoenix.EventDoc), "ok", `{"data":{}}`)
	if res := wait(t, later); res.err != nil {
		t.Fatalf("push once reached: %v", res.err)
	}

	// Live once, a failed dial is a blip: the push waits for the join.
	c.Drop()
	if !h.clock.WaitFor(250 * time.Millisecond) { // the drop is handled: the retry is armed
		t.Fatalf("no retry after the drop; pending %v", h.clock.Pending())
	}
	srv.FailBeforeOpen(1)
	blip := h.doc(context.Background(), "query blip")
	h.advanceTo(250 * time.Millisecond)
	h.advanceTo(500 * time.Millisecond) // after the failed dial
	c = srv.Accept(t)
	c.Join(t)
	c.Reply(c.Expect(t, phoenix.TopicControl, phoenix.EventDoc), "ok", `{"data":{}}`)
	if res := wait(t, blip); res.err != nil {
		t.Errorf("push through a failed dial after being live: %v", res.err)
	}
}
