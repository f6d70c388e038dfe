package moderation

import (
	"context"
	"slices"
	"time"

	"github.com/glimchat/glimchat/wasm/feed"
	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/phoenix"
)

// Options configure a Screen.
type Options struct {
	Limit int           // most messages on screen (feed.New)
	Hold  time.Duration // how long a message is held back before it shows; 0 shows at once
	// Gated: moderation is read (mod_poll is on), so a held message shows
	// only after a read begun once it fell due. A moderation within the
	// hold then always drops it, however the reads and the hold line up.
	Gated bool
	Clock phoenix.Clock // default phoenix.SystemClock
}

// Screen is the visible list under moderation: the feed, the rules that
// keep moderated messages off it, and the messages held back. One
// goroutine owns it (Run); everything else sends it Steps.
type Screen struct {
	feed  *feed.Feed
	rules *Rules
	clock phoenix.Clock
	hold  time.Duration
	gated bool
	fresh time.Time // when the newest moderation read began
	held  []held    // in arrival order, so in order of due time
	ids   map[string]struct{}
}

type held struct {
	m   glimesh.Message
	due time.Time
}

// New returns an empty screen.
func New(o Options) *Screen {
	if o.Clock == nil {
		o.Clock = phoenix.SystemClock{}
	}
	return &Screen{
		feed:  feed.New(o.Limit),
		rules: NewRules(o.Clock),
		clock: o.Clock,
		hold:  max(o.Hold, 0),
		gated: o.Gated,
		ids:   make(map[string]struct{}),
	}
}

// Step is one change to the screen, applied by Run's goroutine; it reports
// whether the visible list changed.
type Step func(*Screen) bool

// Messages returns the visible list, oldest first (a copy).
func (s *Screen) Messages() []glimesh.Message { return s.feed.Messages() }

// Held is the number of messages held back.
func (s *Screen) Held() int { return len(s.held) }

// Add takes messages from any source (pushes, history, backfill, polls, a
// sent message's reply). Moderated ones are dropped; the rest show, after
// the hold unless now is set (the history shown at start, already read
// against the moderation of the moment).
func (s *Screen) Add(msgs []glimesh.Message, now bool) bool {
	// A delete log may find its message in a repeat of one already shown.
	changed := s.rules.Arrived(msgs) && s.purge()
	keep := make([]glimesh.Message, 0, len(msgs))
	for _, m := range msgs {
		if !s.rules.Hidden(m) {
			keep = append(keep, m)
		}
	}
	if s.hold == 0 || now {
		return !s.feed.Add(keep...).Empty() || changed
	}
	due := s.clock.Now().Add(s.hold)
	for _, m := range keep {
		// A backfill repeats what is on screen: holding it again could
		// crowd out what is new.
		if _, dup := s.ids[m.ID]; !dup && !s.feed.Seen(m.ID) {
			s.ids[m.ID] = struct{}{}
			s.held = append(s.held, held{m, due})
		}
	}
	// Held messages beyond what the screen shows would be pruned as soon
	// as they showed.
	if over := len(s.held) - s.feed.Limit(); over > 0 {
		for _, h := range s.held[:over] {
			delete(s.ids, h.m.ID)
		}
		s.held = slices.Delete(s.held, 0, over)
	}
	return changed
}

// Read applies a read of the channel's moderation that began at started,
// and shows the held messages it cleared.
func (s *Screen) Read(st glimesh.Moderation, started time.Time) bool {
	all := s.feed.Messages()
	for _, h := range s.held {
		all = append(all, h.m)
	}
	s.rules.Read(st, all)
	s.fresh = later(s.fresh, started)
	removed := s.purge()
	return s.Release() || removed
}

// Took applies a timeout or ban that this page's moderator took.
func (s *Screen) Took(l glimesh.ModerationLog) bool {
	s.rules.Took(l)
	return s.purge()
}

// Claim marks message msg of user as being deleted by this page's
// moderator (Rules.Claim).
func (s *Screen) Claim(user, msg string) bool {
	s.rules.Claim(user, msg)
	return false
}

// Unclaim drops a claim whose delete failed.
func (s *Screen) Unclaim(user, msg string) bool {
	s.rules.Unclaim(user, msg)
	return false
}

// Deleted removes exactly message msg, which this page's moderator
// deleted with the log logID.
func (s *Screen) Deleted(msg, logID string) bool {
	s.rules.Deleted(msg, logID)
	return s.purge()
}

// Release shows the held messages that are due: held for the whole hold
// and, when gated, read against moderation since.
func (s *Screen) Release() bool {
	if len(s.held) == 0 {
		return false
	}
	until := s.clock.Now()
	if s.gated && s.fresh.Before(until) {
		until = s.fresh
	}
	n := 0
	for n < len(s.held) && !s.held[n].due.After(until) {
		delete(s.ids, s.held[n].m.ID)
		n++
	}
	if n == 0 {
		return false
	}
	out := make([]glimesh.Message, n)
	for i, h := range s.held[:n] {
		out[i] = h.m
	}
	s.held = slices.Delete(s.held, 0, n)
	return !s.feed.Add(out...).Empty()
}

// waiting reports whether held messages are due and wait for a read.
func (s *Screen) waiting() bool {
	return s.gated && len(s.held) > 0 && !s.held[0].due.After(s.clock.Now()) && s.held[0].due.After(s.fresh)
}

// nextDue is when the next held message falls due, after now.
func (s *Screen) nextDue() (time.Time, bool) {
	now := s.clock.Now()
	for _, h := range s.held {
		if h.due.After(now) {
			return h.due, true
		}
	}
	return time.Time{}, false
}

// purge drops every held or shown message the rules now hide, and reports
// whether the visible list changed.
func (s *Screen) purge() bool {
	s.held = slices.DeleteFunc(s.held, func(h held) bool {
		if s.rules.Hidden(h.m) {
			delete(s.ids, h.m.ID)
			return true
		}
		return false
	})
	return s.feed.Remove(s.rules.Hidden) > 0
}

// Run applies the steps sent on in, one at a time, and calls show with the
// visible list whenever it changed. Steps that queued up meanwhile are
// applied first, so a flood costs one show per pass. Held messages are
// released as they fall due; when they wait for a moderation read, Run
// calls read (Poller.Kick). Run returns when ctx ends or in is closed.
func (s *Screen) Run(ctx context.Context, in <-chan Step, show func([]glimesh.Message), read func()) {
	tick := make(chan struct{}, 1)
	var timer phoenix.Timer
	var armed time.Time
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		changed := false
		select {
		case <-ctx.Done():
			return
		case step, ok := <-in:
			if !ok {
				return
			}
			changed = step(s)
			for queued := len(in); queued > 0; queued-- {
				if step, ok = <-in; ok {
					changed = step(s) || changed
				}
			}
		case <-tick:
			armed = time.Time{}
			changed = s.Release()
		}
		if changed {
			show(s.feed.Messages())
		}
		if s.waiting() && read != nil {
			read()
		}
		if due, ok := s.nextDue(); ok && (armed.IsZero() || due.Before(armed)) {
			if timer != nil {
				timer.Stop()
			}
			armed = due
			timer = s.clock.AfterFunc(due.Sub(s.clock.Now()), func() {
				select {
				case tick <- struct{}{}:
				default:
				}
			})
		}
	}
}
