// Package moderation keeps what a moderator removed off the screen. The
// Glimesh API sends no delete, timeout or ban events, and its history
// still returns removed messages (api.md §3), so the widget reads the
// channel's moderation logs and bans (Poller), turns them into rules
// about which messages may show (Rules), and applies those rules to the
// visible list, to every batch before it joins the list, and to the
// messages held back by hold= (Screen). The moderator tools of the embed
// page (Desk) feed their own results in as well.
package moderation

import (
	"slices"
	"time"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/idset"
	"github.com/glimchat/glimchat/wasm/phoenix"
)

// How long the timeouts last when the bans list does not say (api.md §3).
const (
	ShortTimeout = 5 * time.Minute
	LongTimeout  = 15 * time.Minute
)

// Bounds of what Rules remembers, so memory stays flat on a long stream.
const (
	maxUsers   = 4096 // users with a timeout or ban on record
	maxDeleted = 4096 // messages removed one by one
	maxApplied = 256  // logs of this page's own actions
	maxPending = 64   // delete logs waiting for their message
	maxClaims  = 16   // deletes of this page's moderator on their way
)

// Rules decides which messages may show, from the moderation read so far.
// It is not safe for concurrent use: the Screen's goroutine owns it.
type Rules struct {
	clock   phoenix.Clock
	users   map[string]*userRule
	deleted *idset.Ring // messages removed one by one
	applied *idset.Ring // logs already applied from this page's own actions
	last    string      // the newest log id read
	pending []deleteLog // delete logs whose message has not been seen yet
	claims  []claim     // this page's deletes, sent and not yet matched by a log
}

// userRule is what the timeouts and bans of one user hide. Glimesh hides
// every message a user has sent when it times them out or bans them, so
// their messages up to then stay hidden for good, and a backfill that
// brings them back shows nothing.
type userRule struct {
	through  time.Time // messages inserted at or before: hidden
	until    time.Time // messages inserted before: hidden (a timeout's end)
	banned   bool      // every message hidden, until an unban
	unbanned time.Time // the last unban: ban rows from before it are stale
}

type deleteLog struct {
	user  string
	at    time.Time
	cover cover // what the read that found the log showed in full
}

// covers reports whether the read that found d showed every message
// inserted at t.
func (d deleteLog) covers(t time.Time) bool { return d.cover.covers(t) }

type claim struct{ user, message string }

// NewRules returns rules that hide nothing yet. clock stands in for a
// message's time when the message has none that can be read.
func NewRules(clock phoenix.Clock) *Rules {
	if clock == nil {
		clock = phoenix.SystemClock{}
	}
	return &Rules{
		clock:   clock,
		users:   make(map[string]*userRule),
		deleted: idset.New(maxDeleted),
		applied: idset.New(maxApplied),
	}
}

// Hidden reports whether m must not show.
func (r *Rules) Hidden(m glimesh.Message) bool {
	if r.deleted.Has(m.ID) {
		return true
	}
	u := r.users[m.User.ID]
	if u == nil {
		return false
	}
	if u.banned {
		return true
	}
	at := r.timeOf(m.InsertedAt)
	return !at.After(u.through) || at.Before(u.until)
}

// Read applies one read of the channel's moderation. Logs at or before the
// newest one already read are skipped; bans are applied every time (they
// are the state, not events). held is every message the page holds, on
// screen or held back: the delete logs are matched against them and the
// read's stamps.
func (r *Rules) Read(st glimesh.Moderation, held []glimesh.Message) {
	ends := map[string]time.Time{} // the newest timeout end the bans list gives each user
	for _, b := range st.Bans {
		r.ban(b)
		if e, ok := parseTime(b.ExpiresAt); ok && e.After(ends[b.UserID]) {
			ends[b.UserID] = e
		}
	}
	seen := newSighting(st, held)
	logs := slices.Clone(st.Logs)
	slices.SortStableFunc(logs, func(a, b glimesh.ModerationLog) int { return glimesh.CompareIDs(a.ID, b.ID) })
	for _, l := range logs {
		if !glimesh.ValidID(l.ID) || r.last != "" && glimesh.CompareIDs(l.ID, r.last) <= 0 {
			continue
		}
		r.last = l.ID
		if r.applied.Has(l.ID) {
			continue
		}
		r.apply(l, ends, seen)
	}
	// A read may show the trace an earlier one did not have yet.
	r.rematch(seen)
}

// Took applies the log of a timeout or ban that this page's moderator
// took, at once, without waiting for the next read (which then skips it).
func (r *Rules) Took(l glimesh.ModerationLog) {
	if !glimesh.ValidID(l.ID) || l.Action == glimesh.DeleteMessage {
		return
	}
	r.applied.Add(l.ID)
	r.apply(l, nil, sighting{})
}

// Claim records that this page's moderator is deleting message msg of
// user: the delete log that comes for that user names this message, not
// the best guess from the time.
func (r *Rules) Claim(user, msg string) {
	r.claims = append(r.claims, claim{user, msg})
	if len(r.claims) > maxClaims {
		r.claims = slices.Delete(r.claims, 0, len(r.claims)-maxClaims)
	}
}

// Unclaim drops a claim whose delete failed.
func (r *Rules) Unclaim(user, msg string) {
	r.claims = slices.DeleteFunc(r.claims, func(c claim) bool { return c == claim{user, msg} })
}

// Deleted removes message msg, which this page's moderator deleted; logID
// is the log the delete wrote, which later reads skip.
func (r *Rules) Deleted(msg, logID string) {
	r.deleted.Add(msg)
	if glimesh.ValidID(logID) {
		r.applied.Add(logID)
	}
	r.claims = slices.DeleteFunc(r.claims, func(c claim) bool { return c.message == msg })
}

// Arrived matches the delete logs still waiting for their message against
// newly arrived messages, and reports whether any found one.
func (r *Rules) Arrived(msgs []glimesh.Message) bool {
	n := len(r.pending)
	if n == 0 {
		return false
	}
	r.rematch(newSighting(glimesh.Moderation{}, msgs))
	return len(r.pending) < n
}

// rematch matches the waiting delete logs against seen.
func (r *Rules) rematch(seen sighting) {
	r.pending = slices.DeleteFunc(r.pending, func(d deleteLog) bool { return r.match(d, seen) })
}

func (r *Rules) apply(l glimesh.ModerationLog, ends map[string]time.Time, seen sighting) {
	if !glimesh.ValidID(l.UserID) {
		return
	}
	at := r.timeOf(l.InsertedAt)
	switch l.Action {
	case glimesh.ShortTimeout, glimesh.LongTimeout:
		u := r.user(l.UserID)
		u.through = later(u.through, at)
		end, ok := ends[l.UserID]
		if !ok || end.Before(at) {
			end = at.Add(ShortTimeout)
			if l.Action == glimesh.LongTimeout {
				end = at.Add(LongTimeout)
			}
		}
		u.until = later(u.until, end)
	case glimesh.Ban:
		u := r.user(l.UserID)
		u.through = later(u.through, at)
		u.banned = true
	case glimesh.Unban:
		u := r.user(l.UserID)
		u.banned = false
		u.unbanned = later(u.unbanned, at)
	case glimesh.DeleteMessage:
		d := deleteLog{user: l.UserID, at: at, cover: seen.cover}
		if i := slices.IndexFunc(r.claims, func(c claim) bool { return c.user == d.user }); i >= 0 {
			r.deleted.Add(r.claims[i].message)
			r.claims = slices.Delete(r.claims, i, i+1)
			return
		}
		if !r.match(d, seen) {
			r.pending = append(r.pending, d)
			if len(r.pending) > maxPending {
				r.pending = slices.Delete(r.pending, 0, len(r.pending)-maxPending)
			}
		}
	}
	// Other actions (an instance may add some) change nothing.
}

// ban applies one row of the bans list: a permanent ban, or a timeout
// with its end. A permanent row from before the user's last unban is a
// stale read.
func (r *Rules) ban(b glimesh.ChannelBan) {
	if !glimesh.ValidID(b.UserID) {
		return
	}
	ins, dated := parseTime(b.InsertedAt)
	if b.ExpiresAt == "" {
		if u := r.users[b.UserID]; u != nil && !u.unbanned.IsZero() && (!dated || !ins.After(u.unbanned)) {
			return
		}
		r.user(b.UserID).banned = true
	} else if end, ok := parseTime(b.ExpiresAt); ok {
		u := r.user(b.UserID)
		u.until = later(u.until, end)
	}
	if dated {
		u := r.user(b.UserID)
		u.through = later(u.through, ins)
	}
}

// match removes the message a delete log took, and reports whether it
// found one. The delete moved that message's updatedAt to the log's time
// (api.md §3): the message of the log's user with that trace is the one.
// The log and the update are written a moment apart, so a trace a second
// off the log's counts too, when none is at the log's second itself.
// Only when no message carries the trace (deleted within the second it
// was posted, or never read since the delete) is the best guess left: the
// newest message of the user inserted at or before the log's time, among
// those no read has shown untouched.
func (r *Rules) match(d deleteLog, seen sighting) bool {
	var exact, near, guess *sighted
	for i := range seen.stamps {
		s := &seen.stamps[i]
		if s.user != d.user || r.deleted.Has(s.id) || s.inserted.After(d.at) {
			continue
		}
		switch gap := s.updated.Sub(d.at); {
		case s.traced && gap == 0:
			exact = newest(exact, s)
		case s.traced && (gap == time.Second || gap == -time.Second):
			near = newest(near, s)
		case s.traced: // deleted at another time, by another log
		case s.inserted.Before(d.at) && (s.proven || d.covers(s.inserted)):
			// read after the delete, untouched: not this log's message
		default:
			guess = newest(guess, s)
		}
	}
	for _, s := range []*sighted{exact, near, guess} {
		if s != nil {
			r.deleted.Add(s.id)
			return true
		}
	}
	return false
}

// newest is the later of two messages, by time and then id.
func newest(best, s *sighted) *sighted {
	if best == nil || s.inserted.After(best.inserted) ||
		s.inserted.Equal(best.inserted) && glimesh.CompareIDs(s.id, best.id) > 0 {
		return s
	}
	return best
}

// sighting is every message a delete log may have taken, as the page
// knows it: what it holds and what the moderation read saw.
type sighting struct {
	stamps []sighted
	cover  cover
}

// cover is the span a moderation read showed in full: every message
// inserted after from. A delete log keeps the cover of the read that
// found it, so a message that arrives later from inside it is known to
// be untouched.
type cover struct {
	from time.Time
	ok   bool
}

func (c cover) covers(t time.Time) bool { return c.ok && t.After(c.from) }

type sighted struct {
	id, user          string
	inserted, updated time.Time
	traced            bool // updatedAt differs from insertedAt: deleted then
	proven            bool // read with the logs, so after the deletes they list
}

// newSighting joins the read's stamps (which are the newer news) and the
// messages the page holds.
func newSighting(st glimesh.Moderation, held []glimesh.Message) sighting {
	var out sighting
	at := make(map[string]int, len(st.Stamps)+len(held))
	add := func(s glimesh.Stamp, proven bool) {
		ins, ok := parseTime(s.InsertedAt)
		if !ok || s.UserID == "" {
			return
		}
		if _, dup := at[s.ID]; dup {
			return
		}
		upd, dated := parseTime(s.UpdatedAt)
		at[s.ID] = len(out.stamps)
		out.stamps = append(out.stamps, sighted{id: s.ID, user: s.UserID, inserted: ins, updated: upd,
			traced: dated && !upd.Equal(ins), proven: proven})
	}
	for _, s := range st.Stamps {
		add(s, true)
	}
	if st.Stamped && len(out.stamps) > 0 {
		out.cover = cover{from: out.stamps[0].inserted, ok: true} // oldest first
		for _, s := range out.stamps {
			out.cover.from = earlier(out.cover.from, s.inserted)
		}
	}
	for _, m := range held {
		add(glimesh.StampOf(m), false)
	}
	return out
}

// user returns the rule of id, making room when the map is full by
// forgetting the user whose rule ends first (never a banned one).
func (r *Rules) user(id string) *userRule {
	if u := r.users[id]; u != nil {
		return u
	}
	if len(r.users) >= maxUsers {
		var oldest *userRule
		var key string
		for k, u := range r.users {
			switch {
			case oldest == nil, oldest.banned && !u.banned,
				oldest.banned == u.banned && later(u.through, u.until).Before(later(oldest.through, oldest.until)):
				oldest, key = u, k
			}
		}
		delete(r.users, key)
	}
	u := &userRule{}
	r.users[id] = u
	return u
}

// timeOf reads a message's or log's time; one that cannot be read is
// taken as now.
func (r *Rules) timeOf(s string) time.Time {
	if t, ok := parseTime(s); ok {
		return t
	}
	return r.clock.Now().UTC().Truncate(time.Second)
}

// parseTime reads a NaiveDateTime ("2006-01-02T15:04:05", UTC, perhaps
// with fractions of a second or a zone) to the second, which is as
// precise as the logs are.
func parseTime(s string) (time.Time, bool) {
	if s == "" || len(s) > 64 {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02T15:04:05", s)
	if err != nil {
		if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return time.Time{}, false
		}
	}
	return t.UTC().Truncate(time.Second), true
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
