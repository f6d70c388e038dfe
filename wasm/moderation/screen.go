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

// SourceOf names the source (channel on an instance) message m was read
// from: each has its own moderation, which applies to its messages only.
func SourceOf(m glimesh.Message) string { return SourceKey(m.Instance, m.Channel) }

// SourceKey names the source of a channel on an instance ("" the page's).
func SourceKey(instance, channel string) string { return instance + "/" + channel }

// Screen is the visible list under moderation: the feed, the rules that
// keep moderated messages off it, and the messages held back. One
// goroutine owns it (Run); everything else sends it Steps.
type Screen struct {
	feed  *feed.Feed
	rules map[string]*Rules // by source (SourceOf)
	clock phoenix.Clock
	hold  time.Duration
	gated bool
	fresh map[string]time.Time // by source: when its newest moderation read began
	held  []held               // in arrival order, so in order of due time
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
		rules: make(map[string]*Rules),
		fresh: make(map[string]time.Time),
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
	arrived := false
	for src, batch := range bySource(msgs) {
		arrived = s.rulesOf(src).Arrived(batch) || arrived
	}
	changed := arrived && s.purge()
	keep := make([]glimesh.Message, 0, len(msgs))
	for _, m := range msgs {
		if !s.hidden(m) {
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
		if _, dup := s.ids[m.Key()]; !dup && !s.feed.Seen(m.Key()) {
			s.ids[m.Key()] = struct{}{}
			s.held = append(s.held, held{m, due})
		}
	}
	// Held messages beyond what the screen shows would be pruned as soon
	// as they showed.
	if over := len(s.held) - s.feed.Limit(); over > 0 {
		for _, h := range s.held[:over] {
			delete(s.ids, h.m.Key())
		}
		s.held = slices.Delete(s.held, 0, over)
	}
	return changed
}

// Read applies a read of the moderation of the page's one channel (or of
// messages without a source) that began at started, and shows the held
// messages it cleared.
func (s *Screen) Read(st glimesh.Moderation, started time.Time) bool {
	return s.ReadFrom(SourceKey("", ""), st, started)
}

// ReadFrom applies a read of source's moderation (SourceKey) that began at
// started: it applies to that source's messages only.
func (s *Screen) ReadFrom(source string, st glimesh.Moderation, started time.Time) bool {
	var all []glimesh.Message
	for _, m := range s.feed.Messages() {
		if SourceOf(m) == source {
			all = append(all, m)
		}
	}
	for _, h := range s.held {
		if SourceOf(h.m) == source {
			all = append(all, h.m)
		}
	}
	s.rulesOf(source).Read(st, all)
	s.fresh[source] = later(s.fresh[source], started)
	removed := s.purge()
	return s.Release() || removed
}

// The moderator tools act in the page's first channel (SourceKey("", channel)
// of the Desk's page); their steps name it.

// Took applies a timeout or ban that this page's moderator took in source.
func (s *Screen) Took(source string, l glimesh.ModerationLog) bool {
	s.rulesOf(source).Took(l)
	return s.purge()
}

// Claim marks message msg of user as being deleted by this page's
// moderator (Rules.Claim).
func (s *Screen) Claim(source, user, msg string) bool {
	s.rulesOf(source).Claim(user, msg)
	return false
}

// Unclaim drops a claim whose delete failed.
func (s *Screen) Unclaim(source, user, msg string) bool {
	s.rulesOf(source).Unclaim(user, msg)
	return false
}

// Deleted removes exactly message msg, which this page's moderator
// deleted with the log logID.
func (s *Screen) Deleted(source, msg, logID string) bool {
	s.rulesOf(source).Deleted(msg, logID)
	return s.purge()
}

// rulesOf is the rules of source, new ones the first time.
func (s *Screen) rulesOf(source string) *Rules {
	r := s.rules[source]
	if r == nil {
		r = NewRules(s.clock)
		s.rules[source] = r
	}
	return r
}

// hidden reports whether the rules of m's source hide it.
func (s *Screen) hidden(m glimesh.Message) bool {
	r := s.rules[SourceOf(m)]
	return r != nil && r.Hidden(m)
}

// bySource splits msgs by their source, keeping their order.
func bySource(msgs []glimesh.Message) map[string][]glimesh.Message {
	out := make(map[string][]glimesh.Message, 1)
	for _, m := range msgs {
		k := SourceOf(m)
		out[k] = append(out[k], m)
	}
	return out
}

// Release shows the held messages that are due: held for the whole hold
// and, when gated, read against moderation since.
func (s *Screen) Release() bool {
	if len(s.held) == 0 {
		return false
	}
	now := s.clock.Now()
	n := 0
	for n < len(s.held) && !s.held[n].due.After(s.until(s.held[n].m, now)) {
		delete(s.ids, s.held[n].m.Key())
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
	return s.gated && len(s.held) > 0 && !s.held[0].due.After(s.clock.Now()) && s.held[0].due.After(s.fresh[SourceOf(s.held[0].m)])
}

// until is the latest due time at which held message m may show now:
// now, and when gated no later than its source's newest moderation read.
func (s *Screen) until(m glimesh.Message, now time.Time) time.Time {
	if f := s.fresh[SourceOf(m)]; s.gated && f.Before(now) {
		return f
	}
	return now
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
		if s.hidden(h.m) {
			delete(s.ids, h.m.Key())
			return true
		}
		return false
	})
	return s.feed.Remove(s.hidden) > 0
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
