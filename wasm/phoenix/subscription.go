package phoenix

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/glimchat/glimchat/wasm/codec"
)

// SubscriptionHandler receives a subscription's events, in order, on a
// goroutine of the socket's (never inside a JavaScript callback).
type SubscriptionHandler struct {
	// Data gets the raw payload of every subscription:data push,
	// {"result":{"data":…},"subscriptionId":…}: an object whose braces
	// balance, not validated further, since Data decodes it anyway.
	Data func(payload []byte)
	// Active is called after every successful (re)subscribe, with the
	// server's new subscription id. Pushes sent while the subscription was
	// down are lost: this is the moment to backfill.
	Active func(subscriptionID string)
	// Failed is called when the server rejects the subscription document.
	// It is sent again after the next (re)join.
	Failed func(error)
}

// Subscription is a subscription document kept alive across reconnects:
// after every join it is sent again and the new subscriptionId replaces
// the old one.
type Subscription struct {
	s       *Socket
	payload []byte
	h       SubscriptionHandler
	removed atomic.Bool

	// Owned by the loop.
	id       string // the server's current id, "" while down
	pending  bool   // a subscribe doc is in flight
	rejected bool   // refused by the server; retried after the next join
}

// Subscribe registers a subscription document with its variables (a JSON
// object, or nil). It is sent now if the socket is live, and after every
// later (re)join. Subscribe never blocks; it may be called before Run.
func (s *Socket) Subscribe(query string, variables []byte, h SubscriptionHandler) *Subscription {
	sub := &Subscription{s: s, payload: codec.Encode(docPayload{Query: query, Variables: variables}), h: h}
	s.mu.Lock()
	s.newSubs = append(s.newSubs, sub)
	s.mu.Unlock()
	signal(s.nudge)
	return sub
}

// Unsubscribe stops the subscription; the server is told if it is live.
func (sub *Subscription) Unsubscribe() {
	if sub.removed.CompareAndSwap(false, true) {
		signal(sub.s.nudge)
	}
}

// syncSubs takes in new subscriptions, drops removed ones and, when the
// channel is joined, subscribes every subscription that is not up.
func (s *Socket) syncSubs() {
	s.mu.Lock()
	s.subs = append(s.subs, s.newSubs...)
	s.newSubs = nil
	s.mu.Unlock()
	kept := s.subs[:0]
	for _, sub := range s.subs {
		if sub.removed.Load() {
			if sub.id != "" {
				delete(s.byTopic, sub.id)
				s.unsubscribe(sub.id)
				sub.id = ""
			}
			continue
		}
		kept = append(kept, sub)
	}
	clear(s.subs[len(kept):])
	s.subs = kept
	if !s.control.joined {
		return
	}
	for _, sub := range s.subs {
		if !s.control.joined {
			return // a failed send tore the connection down
		}
		if sub.id == "" && !sub.pending && !sub.rejected {
			s.subscribe(sub)
		}
	}
}

func (s *Socket) subscribe(sub *Subscription) {
	sub.pending = true
	gen := s.control.gen
	s.control.push(EventDoc, sub.payload, func(r Reply, err error) {
		if gen != s.control.gen {
			return // a newer join resubscribes
		}
		sub.pending = false
		switch {
		case errors.Is(err, ErrTimeout):
			// Without its subscription the link is useless, even if
			// heartbeats still pass: start over.
			s.linkDead(fmt.Errorf("subscribe: %w", err))
			return
		case err != nil:
			s.failSub(sub, fmt.Errorf("subscribe: %w", err))
			return
		case r.Status != "ok":
			sub.rejected = true
			s.failSub(sub, fmt.Errorf("subscribe: %w", newReplyError(TopicControl, EventDoc, r)))
			return
		}
		var ref subscriptionRef
		if err := codec.Decode(r.Response, &ref); err != nil || ref.SubscriptionID == "" {
			s.failSub(sub, fmt.Errorf("subscribe: reply without a subscriptionId: %s", clip(string(r.Response), 200)))
			return
		}
		if sub.removed.Load() {
			s.unsubscribe(ref.SubscriptionID)
			return
		}
		sub.id = ref.SubscriptionID
		s.byTopic[sub.id] = sub
		if h := sub.h.Active; h != nil {
			id := sub.id
			s.disp.enqueue(func() { h(id) })
		}
	})
}

func (s *Socket) failSub(sub *Subscription, err error) {
	s.log.Warn("phoenix: subscription failed", "err", err)
	if h := sub.h.Failed; h != nil {
		s.disp.enqueue(func() { h(err) })
	}
}

func (s *Socket) unsubscribe(id string) {
	s.control.push(EventUnsubscribe, codec.Encode(subscriptionRef{SubscriptionID: id}), func(Reply, error) {})
}

// forgetSubscriptions drops the server ids: the server lost them with the
// channel or the connection.
func (s *Socket) forgetSubscriptions() {
	for _, sub := range s.subs {
		sub.id = ""
		sub.pending = false
		sub.rejected = false
	}
	clear(s.byTopic)
}
