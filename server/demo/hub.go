package demo

import "sync"

// The subscription fields the hub serves, each with its Absinthe topics:
// one for each channel (or streamer) id, and the field's firehose (GT
// chat.ex, streams.ex, account_follows.ex broadcast to both).
const (
	fieldChat      = "chatMessage" // streams:chat:<channel id>, a *message
	fieldChannel   = "channel"     // streams:channel:<channel id>, a channelSnap
	fieldFollowers = "followers"   // accounts:follows:<streamer id>, a *follower
)

// hub fans events out to subscriptions.
type hub struct {
	mu   sync.Mutex
	subs map[*hubSub]struct{}
}

type hubSub struct {
	field  string
	topic  *string // the argument as the client gave it; nil for the firehose
	ch     chan any
	lagged bool // set, under the hub lock, before ch is closed for falling behind
}

func newHub() *hub { return &hub{subs: make(map[*hubSub]struct{})} }

// subscribe listens to field's events of topic, or to all of them when
// topic is nil. Topics match as text, as Absinthe's do: "06" is not "6".
func (h *hub) subscribe(field string, topic *string) *hubSub {
	s := &hubSub{field: field, topic: topic, ch: make(chan any, 1024)}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

// unsubscribe closes the subscription's channel; publish never sends on it
// afterwards because both hold the lock.
func (h *hub) unsubscribe(s *hubSub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.ch)
	}
}

// publish never blocks. A subscriber 1024 events behind is cut off (its
// channel closed with lagged set) rather than silently skipped: Phoenix
// never drops a push on a live socket, so the socket must close and the
// client reconnect and backfill, as when a real server kills an
// overloaded socket.
func (h *hub) publish(field, topic string, v any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if s.field != field || (s.topic != nil && *s.topic != topic) {
			continue
		}
		select {
		case s.ch <- v:
		default:
			s.lagged = true
			delete(h.subs, s)
			close(s.ch)
		}
	}
}
