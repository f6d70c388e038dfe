// Package feed is the model of the visible chat list: messages in id order,
// each shown once, at most Limit of them. Live pushes, history, backfill
// after a reconnect and poll results all go through Add, which only says
// whether the list changed. The page then takes the list itself (Messages)
// and brings the DOM in line with it once per animation frame, so a hidden
// page, which gets no frames, holds one snapshot rather than a queue of edits.
package feed

import (
	"slices"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/idset"
)

// Change counts what Add did with its messages: each one is Added,
// a Duplicate or Dropped.
type Change struct {
	Added     int // new messages now shown
	Pruned    int // shown messages removed to stay within the limit
	Duplicate int // messages skipped because their id was already seen
	Dropped   int // messages not shown: no valid id, or older than everything kept
}

// Empty reports whether the shown list is unchanged.
func (c Change) Empty() bool { return c.Added == 0 && c.Pruned == 0 }

// Feed is the visible list. It is not safe for concurrent use: one
// goroutine owns it.
type Feed struct {
	limit int
	shown []glimesh.Message   // ascending id order, len <= limit
	index map[string]struct{} // ids on screen: the ring alone may forget a long-lived one
	seen  *idset.Ring         // recently shown ids, bounded
}

// MaxLimit bounds Limit; more is useless on screen and costly in the DOM.
const MaxLimit = 1000

// New returns an empty feed showing at most limit messages (clamped to
// 1..MaxLimit). It remembers up to 4*limit ids (at least 256) to drop
// repeats, so memory stays flat however long it runs.
func New(limit int) *Feed {
	limit = max(1, min(limit, MaxLimit))
	return &Feed{
		limit: limit,
		shown: make([]glimesh.Message, 0, limit),
		index: make(map[string]struct{}, limit),
		seen:  idset.New(max(4*limit, 256)),
	}
}

// Len is the number of shown messages.
func (f *Feed) Len() int { return len(f.shown) }

// Limit is the most messages shown.
func (f *Feed) Limit() int { return f.limit }

// Messages returns the shown messages, oldest first (a copy).
func (f *Feed) Messages() []glimesh.Message { return slices.Clone(f.shown) }

// Newest returns where the newest shown item sorts (glimesh.Message.Position), or "".
func (f *Feed) Newest() string {
	if len(f.shown) == 0 {
		return ""
	}
	return f.shown[len(f.shown)-1].Position()
}

// orderable reports whether m can take a place in the list: a message by
// its canonical decimal id, a Status line by the id it came after.
func orderable(m glimesh.Message) bool {
	if m.Stream != nil {
		return m.Stream.After == "" || glimesh.ValidID(m.Stream.After)
	}
	return glimesh.ValidID(m.ID)
}

// Remove takes the shown messages that drop reports true for off the list,
// and returns how many it took. Their ids stay remembered, so the same
// message added again (a backfill brings it back) is a Duplicate.
func (f *Feed) Remove(drop func(glimesh.Message) bool) int {
	kept := f.shown[:0]
	for _, m := range f.shown {
		if drop(m) {
			f.forget(m.Key())
			continue
		}
		kept = append(kept, m)
	}
	n := len(f.shown) - len(kept)
	clear(f.shown[len(kept):]) // let removed messages be collected
	f.shown = kept
	return n
}

// Seen reports whether key (glimesh.Message.Key) is shown or was recently
// shown: adding it again would change nothing.
func (f *Feed) Seen(id string) bool { return f.known(id) }

// known reports whether id is shown or was recently shown.
func (f *Feed) known(id string) bool {
	if _, ok := f.index[id]; ok {
		return true
	}
	return f.seen.Has(id)
}

// Add merges msgs (any order, any source, repeats allowed) into the list by
// id (glimesh.CompareMessages). Messages without a canonical decimal id are
// dropped: they cannot be ordered.
func (f *Feed) Add(msgs ...glimesh.Message) Change {
	var c Change
	fresh := make([]glimesh.Message, 0, len(msgs))
	for _, m := range msgs {
		if !orderable(m) {
			c.Dropped++
			continue
		}
		if f.known(m.Key()) {
			c.Duplicate++
			continue
		}
		fresh = append(fresh, m)
	}
	if len(fresh) == 0 {
		return c
	}
	slices.SortStableFunc(fresh, glimesh.CompareMessages)
	fresh = slices.CompactFunc(fresh, func(a, b glimesh.Message) bool {
		if a.Key() == b.Key() {
			c.Duplicate++
			return true
		}
		return false
	})

	// Fast path: everything is newer than what is shown (live pushes).
	if len(f.shown) == 0 || glimesh.CompareMessages(fresh[0], f.shown[len(f.shown)-1]) > 0 {
		return f.appendNewest(fresh, c)
	}
	return f.merge(fresh, c)
}

// appendNewest handles a batch that sorts entirely after the shown list.
func (f *Feed) appendNewest(fresh []glimesh.Message, c Change) Change {
	if len(fresh) > f.limit {
		c.Dropped += len(fresh) - f.limit
		fresh = fresh[len(fresh)-f.limit:]
	}
	if over := len(f.shown) + len(fresh) - f.limit; over > 0 {
		for _, m := range f.shown[:over] {
			f.forget(m.Key())
		}
		c.Pruned = over
		// Reslicing (not copying) keeps a push O(1); append reallocates
		// once the head has moved far enough, so memory stays bounded.
		clear(f.shown[:over])
		f.shown = f.shown[over:]
	}
	for _, m := range fresh {
		f.remember(m.Key())
	}
	f.shown = append(f.shown, fresh...)
	c.Added = len(fresh)
	return c
}

// merge handles the general case: a sorted merge of shown and fresh that
// keeps the newest limit.
func (f *Feed) merge(fresh []glimesh.Message, c Change) Change {
	type item struct {
		m     glimesh.Message
		isNew bool
	}
	all := make([]item, 0, len(f.shown)+len(fresh))
	i, j := 0, 0
	for i < len(f.shown) || j < len(fresh) {
		if j == len(fresh) || i < len(f.shown) && glimesh.CompareMessages(f.shown[i], fresh[j]) < 0 {
			all = append(all, item{f.shown[i], false})
			i++
		} else {
			all = append(all, item{fresh[j], true})
			j++
		}
	}
	cut := max(0, len(all)-f.limit)
	for _, it := range all[:cut] {
		if it.isNew {
			c.Dropped++
		} else {
			c.Pruned++
			f.forget(it.m.Key())
		}
	}
	kept := all[cut:]
	shown := f.shown[:0]
	for _, it := range kept {
		if it.isNew {
			c.Added++
			f.remember(it.m.Key())
		}
		shown = append(shown, it.m)
	}
	// kept holds copies, so reusing f.shown's array above is safe.
	if n := len(shown); n < len(f.shown) {
		clear(f.shown[n:]) // let pruned messages be collected
	}
	f.shown = shown
	return c
}

// remember marks id as shown and as seen.
func (f *Feed) remember(id string) {
	f.index[id] = struct{}{}
	f.seen.Add(id)
}

// forget unshows id; it stays in the seen ring until it ages out.
func (f *Feed) forget(id string) { delete(f.index, id) }
