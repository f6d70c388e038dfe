package moderation

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/phoenix/phoenixtest"
)

func batch(msgs ...glimesh.Message) []glimesh.Message { return msgs }

// A moderated message never comes back: not through a backfill that brings
// the history again, not after the timeout ended, not as a repeated push.
func TestNoResurrectionThroughBackfill(t *testing.T) {
	clock := phoenixtest.NewClock()
	s := New(Options{Limit: 10, Clock: clock})
	history := batch(msg(1, "7", 0), msg(2, "8", time.Second), msg(3, "9", 2*time.Second), msg(4, "9", 3*time.Second))
	s.Add(history, true)
	changed := s.Read(read(
		logOf(1, glimesh.ShortTimeout, "7", 10*time.Second),
		logOf(2, glimesh.DeleteMessage, "9", 10*time.Second),
	), clock.Now())
	if !changed {
		t.Error("Read removed messages but reported no change")
	}
	wantIDs(t, "after the moderation", ids(s.Messages()), 2, 3)

	clock.Advance(time.Hour) // the timeout is long over
	backfill := append(history, msg(5, "7", time.Hour))
	if !s.Add(backfill, false) {
		t.Error("the new message did not change the list")
	}
	wantIDs(t, "after the backfill", ids(s.Messages()), 2, 3, 5)
	s.Add(batch(msg(4, "9", 3*time.Second)), false)
	wantIDs(t, "after a repeated push", ids(s.Messages()), 2, 3, 5)
	if s.Read(read(logOf(1, glimesh.ShortTimeout, "7", 10*time.Second), logOf(2, glimesh.DeleteMessage, "9", 10*time.Second)), clock.Now()) {
		t.Error("reading the same logs again changed the list")
	}
	wantIDs(t, "after reading the logs again", ids(s.Messages()), 2, 3, 5)
}

// The page's own delete removes exactly its message from the screen.
func TestScreenOwnDelete(t *testing.T) {
	s := New(Options{Limit: 10, Clock: phoenixtest.NewClock()})
	s.Add(batch(msg(1, "7", 0), msg(2, "7", time.Second)), true)
	s.Claim(SourceKey("", ""), "7", "1")
	if !s.Deleted(SourceKey("", ""), "1", "40") {
		t.Error("Deleted did not report the change")
	}
	wantIDs(t, "shown", ids(s.Messages()), 2)
	s.Took(SourceKey("", ""), logOf(41, glimesh.Ban, "7", 5*time.Second))
	wantIDs(t, "after a ban from the page", ids(s.Messages()))
}

// With a hold, a message shows only after it, and once a moderation read
// that began after it fell due. One banned meanwhile never shows; one not
// moderated shows on time.
func TestHoldDropsModeratedShowsTheRest(t *testing.T) {
	clock := phoenixtest.NewClock()
	s := New(Options{Limit: 10, Hold: 3 * time.Second, Gated: true, Clock: clock})
	if s.Add(batch(msg(1, "7", 0), msg(2, "8", 0)), false) {
		t.Error("held messages changed the list")
	}
	clock.Advance(2 * time.Second)
	s.Read(read(), clock.Now()) // a read before they fall due clears nothing
	wantIDs(t, "within the hold", ids(s.Messages()))
	clock.Advance(time.Second)
	if s.Release() {
		t.Error("messages showed before a read began after they fell due")
	}
	if !s.waiting() {
		t.Error("the screen does not ask for a read")
	}
	// The ban happened within the hold; the read that sees it began after.
	if !s.Read(read(logOf(1, glimesh.Ban, "7", 2*time.Second)), clock.Now()) {
		t.Error("the read released nothing")
	}
	wantIDs(t, "after the read", ids(s.Messages()), 2)
	if s.Held() != 0 {
		t.Errorf("%d messages still held", s.Held())
	}

	// Without moderation reads, the hold alone times the release.
	s = New(Options{Limit: 10, Hold: 3 * time.Second, Clock: clock})
	s.Add(batch(msg(3, "8", 0)), false)
	clock.Advance(3*time.Second - time.Millisecond)
	if s.Release() {
		t.Error("released before the hold")
	}
	clock.Advance(time.Millisecond)
	if !s.Release() {
		t.Error("not released after the hold")
	}
	// History shown at start is not held.
	if !s.Add(batch(msg(1, "9", 0)), true) {
		t.Error("history was held")
	}
}

// Held messages are bounded by the screen's limit, and a repeat of a held
// message is held once.
func TestHoldIsBounded(t *testing.T) {
	s := New(Options{Limit: 3, Hold: time.Second, Clock: phoenixtest.NewClock()})
	for i := range 10 {
		s.Add(batch(msg(i+1, "8", 0), msg(i+1, "8", 0)), false)
	}
	if s.Held() != 3 {
		t.Errorf("%d held, want 3", s.Held())
	}
	// What is on screen already is not held again (a backfill repeats it).
	s = New(Options{Limit: 3, Hold: time.Second, Clock: phoenixtest.NewClock()})
	s.Add(batch(msg(1, "8", 0), msg(2, "8", 0)), true)
	s.Add(batch(msg(1, "8", 0), msg(2, "8", 0), msg(3, "8", 0)), false)
	if s.Held() != 1 {
		t.Errorf("%d held after a backfill, want only the new message", s.Held())
	}
}

// recorder is a show callback that keeps every list it was given.
type recorder struct {
	mu    sync.Mutex
	shows [][]string
	seen  chan struct{}
}

func newRecorder() *recorder { return &recorder{seen: make(chan struct{}, 100)} }

func (r *recorder) show(msgs []glimesh.Message) {
	r.mu.Lock()
	r.shows = append(r.shows, ids(msgs))
	r.mu.Unlock()
	r.seen <- struct{}{}
}

func (r *recorder) wait(t *testing.T) []string {
	t.Helper()
	select {
	case <-r.seen:
	case <-time.After(phoenixtest.Guard):
		t.Fatal("nothing was shown")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.shows[len(r.shows)-1]
}

// The logs read with the history apply before it is first shown: a
// deleted message is never in any list shown, not even for a frame.
func TestRunAppliesLogsBeforeFirstShow(t *testing.T) {
	clock := phoenixtest.NewClock()
	s := New(Options{Limit: 10, Clock: clock})
	in := make(chan Step, 4)
	rec := newRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx, in, rec.show, nil)
	}()
	// What Poller.Wrap delivers: the read first, then the messages.
	in <- func(s *Screen) bool {
		return s.Read(read(logOf(1, glimesh.DeleteMessage, "7", 5*time.Second)), clock.Now())
	}
	in <- func(s *Screen) bool { return s.Add(batch(msg(1, "7", 0), msg(2, "8", 0)), true) }
	wantIDs(t, "first show", rec.wait(t), 2)
	cancel()
	<-done
	for _, shown := range rec.shows {
		for _, id := range shown {
			if id == "1" {
				t.Errorf("the deleted message was shown: %v", rec.shows)
			}
		}
	}
}

// Run releases held messages on time, asks for a read when they wait for
// one, and shows them once the read clears them.
func TestRunReleasesHeld(t *testing.T) {
	clock := phoenixtest.NewClock()
	s := New(Options{Limit: 10, Hold: 3 * time.Second, Gated: true, Clock: clock})
	in := make(chan Step, 4)
	rec := newRecorder()
	kicks := make(chan struct{}, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx, in, rec.show, func() { kicks <- struct{}{} })

	in <- func(s *Screen) bool { return s.Add(batch(msg(1, "7", 0), msg(2, "8", 0)), false) }
	if !clock.WaitFor(3 * time.Second) {
		t.Fatal("no timer for the hold")
	}
	clock.Advance(3 * time.Second)
	select {
	case <-kicks:
	case <-time.After(phoenixtest.Guard):
		t.Fatal("Run did not ask for a read when the messages fell due")
	}
	in <- func(s *Screen) bool {
		return s.Read(read(logOf(1, glimesh.ShortTimeout, "7", time.Second)), clock.Now())
	}
	wantIDs(t, "after the read", rec.wait(t), 2)

	// Ungated: the timer alone.
	s = New(Options{Limit: 10, Hold: 2 * time.Second, Clock: clock})
	in = make(chan Step, 4)
	rec = newRecorder()
	go s.Run(ctx, in, rec.show, nil)
	in <- func(s *Screen) bool { return s.Add(batch(msg(3, "8", 0)), false) }
	if !clock.WaitFor(2 * time.Second) {
		t.Fatal("no timer for the hold")
	}
	clock.Advance(2 * time.Second)
	wantIDs(t, "after the hold", rec.wait(t), 3)
}

// A timed-out user's messages show again once the timeout is over (new
// ones), while the old ones stay hidden.
func TestTimeoutExpiry(t *testing.T) {
	clock := phoenixtest.NewClock()
	s := New(Options{Limit: 10, Clock: clock})
	s.Add(batch(msg(1, "7", 0)), true)
	st := read(logOf(1, glimesh.ShortTimeout, "7", time.Second))
	st.Bans = []glimesh.ChannelBan{{UserID: "7", InsertedAt: stamp(time.Second), ExpiresAt: stamp(time.Second + ShortTimeout)}}
	s.Read(st, clock.Now())
	wantIDs(t, "during the timeout", ids(s.Messages()))
	clock.Advance(ShortTimeout + time.Second)
	s.Add(batch(msg(2, "7", ShortTimeout+time.Second)), false)
	wantIDs(t, "after the timeout", ids(s.Messages()), 2)
}
