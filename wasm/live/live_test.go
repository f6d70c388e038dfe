package live_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/live"
	"github.com/glimchat/glimchat/wasm/phoenix"
	"github.com/glimchat/glimchat/wasm/phoenix/phoenixtest"
)

func push(id string) string {
	return fmt.Sprintf(`{"data":{"chatMessage":{"id":%q,"message":"msg %s"}}}`, id, id)
}

type answer struct {
	msgs []glimesh.Message
	err  error
}

// history is a Backfill whose every call the test answers by hand.
type history struct{ calls chan chan answer }

func newHistory() *history { return &history{calls: make(chan chan answer)} }

func (h *history) query(ctx context.Context) ([]glimesh.Message, error) {
	reply := make(chan answer, 1)
	select {
	case h.calls <- reply:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case a := <-reply:
		return a.msgs, a.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// answer waits for the next history query and answers it.
func (h *history) answer(t *testing.T, a answer) {
	t.Helper()
	select {
	case reply := <-h.calls:
		reply <- a
	case <-time.After(phoenixtest.Guard):
		t.Fatal("no history query")
	}
}

func (h *history) none(t *testing.T) {
	t.Helper()
	select {
	case <-h.calls:
		t.Fatal("unexpected history query")
	default:
	}
}

func msgs(ids ...string) []glimesh.Message {
	out := make([]glimesh.Message, len(ids))
	for i, id := range ids {
		out[i] = glimesh.Message{ID: id, Text: "msg " + id}
	}
	return out
}

type rig struct {
	t      *testing.T
	clock  *phoenixtest.Clock
	srv    *phoenixtest.Server
	sock   *phoenix.Socket
	hist   *history
	sunk   chan []glimesh.Message
	states phoenixtest.StateLog[live.State]
	cancel context.CancelFunc
	done   chan error
}

func newRig(t *testing.T, mod func(*live.FollowOptions)) *rig {
	t.Helper()
	return newRigOn(t, phoenixtest.NewServer(), mod)
}

// newRigOn follows against srv, which a test prepares first: the first
// dial may come before newRigOn returns.
func newRigOn(t *testing.T, srv *phoenixtest.Server, mod func(*live.FollowOptions)) *rig {
	t.Helper()
	r := &rig{t: t, clock: phoenixtest.NewClock(), srv: srv, hist: newHistory(),
		sunk: make(chan []glimesh.Message, 100), done: make(chan error, 1)}
	sock, err := phoenix.New(phoenix.Config{
		URL: "ws://instance.test/api/graph/websocket?vsn=2.0.0&client_id=x", Dial: r.srv.Dial, Clock: r.clock,
		Backoff: phoenix.Backoff{Base: 500 * time.Millisecond, Cap: 10 * time.Second, Rand: func() float64 { return 0.5 }},
	})
	if err != nil {
		t.Fatal(err)
	}
	r.sock = sock
	o := live.FollowOptions{
		Options: live.Options{
			Backfill: r.hist.query,
			Sink:     func(m []glimesh.Message) { r.sunk <- m },
			OnState:  r.states.Record,
			Clock:    r.clock,
		},
		Socket:    sock,
		Query:     "subscription($c: ID) { chatMessage(channelId: $c) { id message } }",
		Variables: []byte(`{"c":"6"}`),
	}
	if mod != nil {
		mod(&o)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	sockDone := make(chan struct{})
	go func() { sock.Run(ctx); close(sockDone) }()
	go func() { r.done <- live.Follow(ctx, o) }()
	t.Cleanup(func() {
		cancel()
		<-sockDone
		select {
		case <-r.done:
		case <-time.After(phoenixtest.Guard):
			t.Error("Follow did not return")
		}
	})
	return r
}

func (r *rig) expectSunk(ids ...string) {
	r.t.Helper()
	select {
	case got := <-r.sunk:
		var gotIDs []string
		for _, m := range got {
			gotIDs = append(gotIDs, m.ID)
		}
		if strings.Join(gotIDs, ",") != strings.Join(ids, ",") {
			r.t.Fatalf("sink got %v, want %v", gotIDs, ids)
		}
	case <-time.After(phoenixtest.Guard):
		r.t.Fatalf("sink got nothing, want %v", ids)
	}
}

// waitTimers waits until exactly these timers are pending.
func (r *rig) waitTimers(ds ...time.Duration) {
	r.t.Helper()
	if !r.clock.WaitUntil(func(p []time.Duration) bool { return slices.Equal(p, ds) }) {
		r.t.Fatalf("pending timers %v, want %v", r.clock.Pending(), ds)
	}
}

func (r *rig) advanceTo(d time.Duration) {
	r.t.Helper()
	if !r.clock.WaitFor(d) {
		r.t.Fatalf("no timer due in %v; pending %v", d, r.clock.Pending())
	}
	r.clock.Advance(d)
}

// subscribe accepts the subscription doc on c and answers with id.
func subscribe(t *testing.T, c *phoenixtest.Conn, id string) {
	t.Helper()
	f := c.Expect(t, phoenix.TopicControl, phoenix.EventDoc)
	if !strings.Contains(string(f.Payload), "chatMessage") || !strings.Contains(string(f.Payload), `"variables":{"c":"6"}`) {
		t.Fatalf("subscribe payload %s", f.Payload)
	}
	c.Reply(f, "ok", `{"subscriptionId":"`+id+`"}`)
}

func TestFollowBackfillsAfterEveryResubscribe(t *testing.T) {
	r := newRig(t, nil)
	r.states.Wait(t, live.Connecting)
	c := r.srv.Accept(t)
	join := c.Join(t)
	r.hist.none(t) // joined but not subscribed: too early to backfill
	subscribe(t, c, "sub:1")
	r.states.Wait(t, live.Live)
	r.hist.answer(t, answer{msgs: msgs("1", "2")})
	r.expectSunk("1", "2")

	c.Push("sub:1", push("3"))
	r.expectSunk("3")
	c.Push("sub:1", `{"data":{"chatMessage":null}}`) // undecodable: skipped
	c.Push("sub:1", push("4"))
	r.expectSunk("4")

	// A drop: reconnect, resubscribe, backfill what was missed.
	c.Drop()
	r.states.Wait(t, live.Reconnecting)
	r.advanceTo(250 * time.Millisecond)
	c = r.srv.Accept(t)
	join = c.Join(t)
	subscribe(t, c, "sub:2")
	r.states.Wait(t, live.Live)
	r.hist.answer(t, answer{msgs: msgs("4", "5", "6")})
	r.expectSunk("4", "5", "6")
	c.Push("sub:2", push("7"))
	r.expectSunk("7")

	// phx_error: the channel rejoins on the same socket and backfills again.
	c.Write(phoenix.Frame{JoinRef: join.JoinRef, Ref: join.Ref, Topic: phoenix.TopicControl, Event: phoenix.EventError})
	if s := r.states.Wait(t, live.Reconnecting); !errors.Is(s.Err, phoenix.ErrChannelCrashed) {
		t.Errorf("reconnecting because %v", s.Err)
	}
	r.advanceTo(250 * time.Millisecond)
	c.Join(t)
	subscribe(t, c, "sub:3")
	r.states.Wait(t, live.Live)
	r.hist.answer(t, answer{msgs: msgs("8")})
	r.expectSunk("8")
}

func TestFollowRetriesAFailedBackfill(t *testing.T) {
	r := newRig(t, func(o *live.FollowOptions) { o.BackfillRetry = 3 * time.Second; o.BackfillAttempts = 3 })
	c := r.srv.Accept(t)
	c.Join(t)
	subscribe(t, c, "sub:1")
	r.hist.answer(t, answer{err: errors.New("instance unavailable")})
	r.advanceTo(3 * time.Second)
	r.hist.answer(t, answer{msgs: msgs("9")})
	r.expectSunk("9")

	// A new activation gets its own attempts, and they run out.
	c.Drop()
	r.advanceTo(250 * time.Millisecond)
	c = r.srv.Accept(t)
	c.Join(t)
	subscribe(t, c, "sub:2")
	for range 2 {
		r.hist.answer(t, answer{err: errors.New("down")})
		r.advanceTo(3 * time.Second)
	}
	r.hist.answer(t, answer{err: errors.New("down")})
	c.Push("sub:2", push("10"))
	r.expectSunk("10")
	if !r.clock.WaitGone(3 * time.Second) {
		t.Errorf("a fourth attempt is scheduled: %v", r.clock.Pending())
	}
	r.hist.none(t)
}

func TestFollowSubscriptionRejected(t *testing.T) {
	r := newRig(t, nil)
	c := r.srv.Accept(t)
	c.Join(t)
	f := c.Expect(t, phoenix.TopicControl, phoenix.EventDoc)
	c.Reply(f, "error", `{"errors":[{"message":"Argument \"channelId\" has invalid value"}]}`)
	s := r.states.Wait(t, live.Offline)
	if s.Err == nil || !strings.Contains(s.Err.Error(), "channelId") {
		t.Errorf("offline because %v", s.Err)
	}
	r.hist.none(t)
}

func TestFollowFallsBackToPolling(t *testing.T) {
	// Socket tries at 0, 250 ms, 750 ms (refused) and 1750 ms.
	srv := phoenixtest.NewServer()
	srv.Refuse(3)
	r := newRigOn(t, srv, func(o *live.FollowOptions) { o.FallbackAfter = 2; o.PollInterval = time.Second })
	if s := r.states.Wait(t, live.Reconnecting); !errors.Is(s.Err, phoenix.ErrRefused) {
		t.Fatalf("reconnecting because %v", s.Err)
	}
	r.advanceTo(250 * time.Millisecond) // the second refusal starts polling
	r.hist.answer(t, answer{msgs: msgs("1", "2")})
	r.expectSunk("1", "2")
	r.states.Wait(t, live.Live)                     // polling works: messages flow
	r.waitTimers(500*time.Millisecond, time.Second) // the socket's third try, the next poll
	r.advanceTo(500 * time.Millisecond)             // 750 ms: refused again
	r.waitTimers(500*time.Millisecond, time.Second) // the next poll, the socket's fourth try
	r.advanceTo(500 * time.Millisecond)             // 1250 ms: the second poll fails
	r.hist.answer(t, answer{err: errors.New("fetch failed")})
	if s := r.states.Wait(t, live.Reconnecting); s.Err == nil || !strings.Contains(s.Err.Error(), "fetch failed") {
		t.Errorf("poll failure reported as %v", s.Err)
	}
	r.waitTimers(500*time.Millisecond, time.Second) // the socket's fourth try, the next poll

	// The socket comes back: polling stops, the subscription takes over
	// with a backfill.
	r.advanceTo(500 * time.Millisecond)
	c := r.srv.Accept(t)
	c.Join(t)
	subscribe(t, c, "sub:1")
	r.states.Wait(t, live.Live)
	r.hist.answer(t, answer{msgs: msgs("3")})
	r.expectSunk("3")
	if !r.clock.WaitGone(500 * time.Millisecond) {
		t.Fatalf("the poll timer survived the subscription: %v", r.clock.Pending())
	}
	r.clock.Advance(5 * time.Second)
	c.Push("sub:1", push("4"))
	r.expectSunk("4")
	r.hist.none(t)
}

func TestPoll(t *testing.T) {
	clock := phoenixtest.NewClock()
	hist := newHistory()
	sunk := make(chan []glimesh.Message, 10)
	var states phoenixtest.StateLog[live.State]
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- live.Poll(ctx, live.Options{
			Backfill:     hist.query,
			Sink:         func(m []glimesh.Message) { sunk <- m },
			OnState:      states.Record,
			Clock:        clock,
			PollInterval: 5 * time.Second,
		})
	}()
	next := func() phoenixtest.Entry[live.State] { t.Helper(); return states.Next(t) }
	if s := next(); s.State != live.Connecting {
		t.Errorf("first state %v", s.State)
	}
	hist.answer(t, answer{msgs: msgs("1", "2")})
	if got := <-sunk; len(got) != 2 || got[1].ID != "2" {
		t.Errorf("sunk %v", got)
	}
	if s := next(); s.State != live.Live {
		t.Errorf("state %v", s.State)
	}
	hist.none(t) // not before the interval
	for _, ans := range []answer{{err: errors.New("boom")}, {msgs: msgs("2", "3")}} {
		if !clock.WaitFor(5 * time.Second) {
			t.Fatalf("no poll timer: %v", clock.Pending())
		}
		clock.Advance(5 * time.Second)
		hist.answer(t, ans)
	}
	if s := next(); s.State != live.Reconnecting || s.Err == nil || !strings.Contains(s.Err.Error(), "boom") {
		t.Errorf("after a failed poll: %v %v", s.State, s.Err)
	}
	if got := <-sunk; len(got) != 2 || got[1].ID != "3" {
		t.Errorf("sunk %v", got)
	}
	if s := next(); s.State != live.Live {
		t.Errorf("after recovery: %v", s.State)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Poll returned %v", err)
	}
	if s := next(); s.State != live.Offline {
		t.Errorf("after cancel: %v", s.State)
	}
}

// A full push, as the instance sends it, reaches the sink with every field.
func TestFollowDecodesFullPushes(t *testing.T) {
	r := newRig(t, nil)
	c := r.srv.Accept(t)
	c.Join(t)
	subscribe(t, c, "__absinthe__:doc:-576460752298178591:33B2")
	r.hist.answer(t, answer{})
	c.Push("__absinthe__:doc:-576460752298178591:33B2",
		`{"data":{"chatMessage":{"id":"123","message":"hello world!","insertedAt":"2026-01-01T00:00:00","user":{"id":"9","username":"Mytho","displayname":"Mytho","avatarUrl":null},"metadata":{"streamer":true},"tokens":[{"type":"text","text":"hello world!"}]}}}`)
	select {
	case got := <-r.sunk:
		if len(got) != 1 || got[0].ID != "123" || got[0].Text != "hello world!" || got[0].User.Username != "Mytho" || !got[0].Roles.Has(glimesh.RoleStreamer) {
			t.Errorf("decoded %+v", got)
		}
	case <-time.After(phoenixtest.Guard):
		t.Fatal("nothing decoded")
	}
}
