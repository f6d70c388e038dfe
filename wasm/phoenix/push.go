package phoenix

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/glimchat/glimchat/wasm/codec"
)

// Reply is the server's phx_reply to a push.
type Reply struct {
	Status   string // "ok" or "error"
	Response []byte // raw JSON
}

// push is one frame waiting for its reply. Its fields are owned by the
// socket's loop; done runs there exactly once.
type push struct {
	ref     string
	topic   string
	event   string
	timeout loopTimer
	done    func(Reply, error)
}

func (s *Socket) nextRef() string {
	s.ref++
	return strconv.FormatUint(s.ref, 10)
}

// cmpRef orders refs numerically: they are decimal counters.
func cmpRef(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// startPush sends a frame on a topic and calls done on the loop with its
// reply, or with ErrTimeout, or with the error that failed it first.
func (s *Socket) startPush(ref, joinRef, topic, event string, payload []byte, done func(Reply, error)) {
	if s.conn == nil {
		done(Reply{}, fmt.Errorf("%s %s: %w", topic, event, ErrNotConnected))
		return
	}
	p := &push{ref: ref, topic: topic, event: event, done: done}
	s.pending[ref] = p
	s.arm(&p.timeout, s.cfg.PushTimeout, func() {
		delete(s.pending, ref)
		p.done(Reply{}, fmt.Errorf("%s %s: %w", topic, event, ErrTimeout))
	})
	// On a failed send, retry has already failed p.
	s.send(Frame{JoinRef: joinRef, Ref: ref, Topic: topic, Event: event, Payload: payload})
}

// reply completes the push that f answers.
func (s *Socket) reply(f Frame) {
	p := s.pending[f.Ref]
	if p == nil || p.topic != f.Topic {
		s.log.Debug("phoenix: reply to no pending push", "topic", f.Topic, "ref", f.Ref)
		return
	}
	delete(s.pending, f.Ref)
	p.timeout.stop()
	var rp replyPayload
	if err := codec.Decode(f.Payload, &rp); err != nil {
		p.done(Reply{}, fmt.Errorf("%s %s: %w: reply payload: %w", p.topic, p.event, ErrMalformedFrame, err))
		return
	}
	p.done(Reply{Status: rp.Status, Response: rp.Response}, nil)
}

// failPending fails the pushes that match with err.
func (s *Socket) failPending(match func(*push) bool, err error) {
	var failed []*push
	for ref, p := range s.pending {
		if match(p) {
			delete(s.pending, ref)
			failed = append(failed, p)
		}
	}
	// Fail in ref order so callers see a deterministic sequence.
	slices.SortFunc(failed, func(a, b *push) int { return cmpRef(a.ref, b.ref) })
	for _, p := range failed {
		p.timeout.stop()
		p.done(Reply{}, err)
	}
}

// maxWaiting bounds the pushes held for a join; past it a push fails with
// ErrNotConnected rather than letting an outage pile up requests.
const maxWaiting = 64

// waitingPush is a push made before the control channel joined. Like the
// Phoenix JS client's push buffer, it is sent once the channel joins,
// unless its caller gave up first.
type waitingPush struct {
	ctx     context.Context
	event   string
	payload []byte
	done    func(Reply, error)
}

// Push sends event with payload (a JSON object) on the control channel and
// waits for the reply. Before the channel has joined (the socket is still
// connecting, or reconnecting), the push waits for the join, bounded by
// ctx: a caller at start-up needs no retry loop of its own. A socket that
// has never joined fails the push with ErrUnreachable at its next failed
// dial.
func (s *Socket) Push(ctx context.Context, event string, payload []byte) (Reply, error) {
	type result struct {
		r   Reply
		err error
	}
	ch := make(chan result, 1)
	done := func(r Reply, err error) { ch <- result{r, err} }
	ok := s.post(ctx, func() {
		if s.control.joined {
			s.control.push(event, payload, done)
			return
		}
		s.waiting = slices.DeleteFunc(s.waiting, func(w waitingPush) bool { return w.ctx.Err() != nil })
		if len(s.waiting) >= maxWaiting {
			done(Reply{}, fmt.Errorf("%s: %w (%d pushes already wait for the join)", event, ErrNotConnected, maxWaiting))
			return
		}
		s.waiting = append(s.waiting, waitingPush{ctx, event, payload, done})
	})
	if !ok {
		if err := ctx.Err(); err != nil {
			return Reply{}, fmt.Errorf("%s: %w", event, err)
		}
		return Reply{}, fmt.Errorf("%s: %w", event, ErrClosed)
	}
	select {
	case res := <-ch:
		return res.r, res.err
	case <-ctx.Done():
		return Reply{}, fmt.Errorf("%s: %w", event, ctx.Err())
	}
}

// sendWaiting sends the pushes that waited for the join, in order.
func (s *Socket) sendWaiting() {
	waiting := s.waiting
	s.waiting = nil
	for _, w := range waiting {
		if w.ctx.Err() == nil {
			s.control.push(w.event, w.payload, w.done)
		}
	}
}

// failWaiting fails the pushes still waiting for a join.
func (s *Socket) failWaiting(err error) {
	for _, w := range s.waiting {
		w.done(Reply{}, fmt.Errorf("%s: %w", w.event, err))
	}
	s.waiting = nil
}

// Doc runs a GraphQL query or mutation over the socket and returns the
// reply's response, a GraphQL result object {"data":…,"errors":…}. A reply
// with status "error" is returned as a *ReplyError.
func (s *Socket) Doc(ctx context.Context, query string, variables []byte) ([]byte, error) {
	r, err := s.Push(ctx, EventDoc, codec.Encode(docPayload{Query: query, Variables: variables}))
	if err != nil {
		return nil, err
	}
	if r.Status != "ok" {
		return nil, newReplyError(TopicControl, EventDoc, r)
	}
	return r.Response, nil
}

// ReplyError is a reply with a status other than "ok".
type ReplyError struct {
	Topic    string
	Event    string
	Status   string
	Response []byte // the raw response JSON

	detail errorResponse
}

func newReplyError(topic, event string, r Reply) *ReplyError {
	e := &ReplyError{Topic: topic, Event: event, Status: r.Status, Response: r.Response}
	if len(r.Response) > 0 {
		// A response of another shape just leaves the detail empty.
		_ = codec.Decode(r.Response, &e.detail)
	}
	return e
}

// Reason is the Phoenix {"reason"} or Absinthe {"error"} text, if any.
func (e *ReplyError) Reason() string {
	if e.detail.Reason != "" {
		return e.detail.Reason
	}
	return e.detail.Error
}

// HasGraphQLErrors reports whether the response carries a GraphQL
// "errors" list (a document that failed to parse or validate).
func (e *ReplyError) HasGraphQLErrors() bool { return len(e.detail.Errors) > 0 }

func (e *ReplyError) Error() string {
	var msg string
	switch {
	case e.Reason() != "":
		msg = e.Reason()
	case len(e.detail.Errors) > 0:
		ms := make([]string, 0, 3)
		for _, ge := range e.detail.Errors[:min(3, len(e.detail.Errors))] {
			ms = append(ms, ge.Message)
		}
		msg = strings.Join(ms, "; ")
	default:
		msg = "no detail"
	}
	return fmt.Sprintf("%s on %s: server replied %q: %s", e.Event, e.Topic, e.Status, msg)
}

func isUnmatchedTopic(err error) bool {
	var re *ReplyError
	return errors.As(err, &re) && re.Reason() == "unmatched topic"
}
