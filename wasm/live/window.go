package live

import (
	"context"
	"fmt"
	"sync"

	"github.com/glimchat/glimchat/wasm/glimesh"
)

// Window decides how much history each load asks for. The first load shows
// History messages and remembers the one before them as the floor. Every
// later load (the backfill after a reconnect, a poll) asks for Limit, as
// many as the screen holds, so a gap of any length is filled up to what
// would be on screen anyway, and drops what is not newer than the floor:
// history=0 never brings up chat from before the page opened, however
// often the socket reconnects.
type Window struct {
	History int // messages shown at start, 0 or more
	Limit   int // messages the screen holds, 1 or more
	// Load returns the n most recent messages, oldest first
	// (glimesh.Client.History).
	Load func(ctx context.Context, n int) ([]glimesh.Message, error)

	mu    sync.Mutex
	known bool   // the first load succeeded
	floor string // "" when the whole channel history is in view
}

// Backfill is Options.Backfill; it is safe for concurrent use.
func (w *Window) Backfill(ctx context.Context) ([]glimesh.Message, error) {
	w.mu.Lock()
	known, floor := w.known, w.floor
	w.mu.Unlock()
	if known {
		msgs, err := w.Load(ctx, max(w.Limit, 1))
		if err != nil {
			return nil, err
		}
		return After(msgs, floor), nil
	}
	msgs, err := w.Load(ctx, w.First())
	if err != nil {
		return nil, fmt.Errorf("first load: %w", err)
	}
	return w.Start(msgs), nil
}

// First is how many messages the first load asks for: History and the
// one before them, which becomes the floor.
func (w *Window) First() int { return FirstLoad(w.History) }

// FirstLoad is Window.First for a window of history messages.
func FirstLoad(history int) int { return max(history, 0) + 1 }

// Start takes the result of a first load made elsewhere (First messages,
// oldest first; glimesh.Client.Start) and returns what to show. Only the
// first successful first load sets the floor: a later one (after a failed
// start) keeps the floor it finds, so it never hides messages of the
// window already on screen.
func (w *Window) Start(msgs []glimesh.Message) []glimesh.Message {
	history := max(w.History, 0)
	floor := ""
	if len(msgs) > history {
		cut := len(msgs) - history
		floor = msgs[cut-1].ID
		msgs = msgs[cut:]
	}
	w.mu.Lock()
	if !w.known {
		w.known, w.floor = true, floor
	}
	floor = w.floor
	w.mu.Unlock()
	return After(msgs, floor)
}

// After keeps the messages whose id sorts after floor; "" keeps them all.
func After(msgs []glimesh.Message, floor string) []glimesh.Message {
	if floor == "" {
		return msgs
	}
	out := msgs[:0:0]
	for _, m := range msgs {
		if glimesh.CompareIDs(m.ID, floor) > 0 {
			out = append(out, m)
		}
	}
	return out
}
