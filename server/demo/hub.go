package demo

import (
	"strconv"
	"sync"
)

// hub fans new messages out to chatMessage subscriptions, keyed like the
// Absinthe topics: a channel id, or "" for the firehose.
type hub struct {
	mu   sync.Mutex
	subs map[*hubSub]struct{}
}

type hubSub struct {
	topic  string
	ch     chan *message
	lagged bool // set, under the hub lock, before ch is closed for falling behind
}

func newHub() *hub { return &hub{subs: make(map[*hubSub]struct{})} }

func (h *hub) subscribe(topic string) *hubSub {
	s := &hubSub{topic: topic, ch: make(chan *message, 1024)}
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

// publish never blocks. A subscriber 1024 messages behind is cut off (its
// channel closed with lagged set) rather than silently skipped: Phoenix never
// drops a push on a live socket, so the socket must close and the client
// reconnect and backfill, as when a real server kills an overloaded socket.
func (h *hub) publish(m *message) {
	topic := strconv.Itoa(m.channel.id)
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if s.topic != "" && s.topic != topic {
			continue
		}
		select {
		case s.ch <- m:
		default:
			s.lagged = true
			delete(h.subs, s)
			close(s.ch)
		}
	}
}
