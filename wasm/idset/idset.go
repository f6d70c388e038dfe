// Package idset is a bounded set of ids that forgets the oldest: the
// memory of what was seen or removed, flat however long a page runs.
package idset

// Ring holds at most its capacity of ids; adding beyond it evicts the
// oldest added id. The zero value holds nothing; use New.
type Ring struct {
	ids  []string
	next int
	set  map[string]struct{}
}

// New returns an empty ring of capacity n (at least 1).
func New(n int) *Ring {
	n = max(n, 1)
	return &Ring{ids: make([]string, 0, n), set: make(map[string]struct{}, n)}
}

// Has reports whether id is in the ring.
func (r *Ring) Has(id string) bool {
	_, ok := r.set[id]
	return ok
}

// Add puts id in the ring, evicting the oldest id when full.
func (r *Ring) Add(id string) {
	if r.Has(id) {
		return
	}
	if len(r.ids) < cap(r.ids) {
		r.ids = append(r.ids, id)
	} else {
		delete(r.set, r.ids[r.next])
		r.ids[r.next] = id
		r.next = (r.next + 1) % len(r.ids)
	}
	r.set[id] = struct{}{}
}

// Len is the number of ids held.
func (r *Ring) Len() int { return len(r.set) }
