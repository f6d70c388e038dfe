package moderation

import (
	"testing"
	"time"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/phoenix/phoenixtest"
)

// deletedAt is m as a read after its delete at t0+d shows it: a delete
// moves updatedAt (api.md §3).
func deletedAt(m glimesh.Message, d time.Duration) glimesh.Message {
	m.UpdatedAt = stamp(d)
	return m
}

// untouched is m as any read shows it before a delete: updatedAt is
// insertedAt.
func untouched(m glimesh.Message) glimesh.Message {
	m.UpdatedAt = m.InsertedAt
	return m
}

// stamped is a moderation read of logs with the stamps of msgs.
func stamped(msgs []glimesh.Message, logs ...glimesh.ModerationLog) glimesh.Moderation {
	st := glimesh.Moderation{Logs: logs, Stamped: true}
	for _, m := range msgs {
		st.Stamps = append(st.Stamps, glimesh.StampOf(m))
	}
	return st
}

// The case a real server showed: three messages in one second, the middle
// one deleted two seconds later. The time rule took the newest; the trace
// names the middle one.
func TestDeleteFindsItsMessageByTrace(t *testing.T) {
	a, b, c := msg(1, "7", 0), msg(2, "7", 0), msg(3, "7", 0)
	shown := []glimesh.Message{untouched(a), untouched(b), untouched(c)} // as pushed
	for _, tc := range []struct {
		name     string
		update   time.Duration // the trace
		log      time.Duration // the log's insertedAt
		held     []glimesh.Message
		wantSeen []int
	}{
		{"on screen", 2 * time.Second, 2 * time.Second, shown, []int{1, 3}},
		{"log a second after the update", 2 * time.Second, 3 * time.Second, shown, []int{1, 3}},
		{"log a second before the update", 3 * time.Second, 2 * time.Second, shown, []int{1, 3}},
		// Still queued by the pacer or held by hold=: only the read knows it.
		{"not yet on screen", 2 * time.Second, 2 * time.Second, []glimesh.Message{untouched(a), untouched(c)}, []int{1, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRules(phoenixtest.NewClock())
			r.Read(stamped([]glimesh.Message{untouched(a), deletedAt(b, tc.update), untouched(c)},
				logOf(1, glimesh.DeleteMessage, "7", tc.log)), tc.held)
			wantIDs(t, "shown", visible(r, a, b, c), tc.wantSeen...)
			// Every later copy of it, from a history or a backfill, stays off.
			if !r.Hidden(deletedAt(b, tc.update)) || r.Hidden(untouched(c)) {
				t.Error("a later copy of the deleted message shows, or of another is hidden")
			}
		})
	}
}

// Deleted in the second it was posted, a message keeps updatedAt ==
// insertedAt: then the time rule is the best there is. It still never
// takes a message the read shows untouched from an earlier second.
func TestDeleteInItsOwnSecondFallsBack(t *testing.T) {
	early, late := untouched(msg(1, "7", 0)), untouched(msg(2, "7", 5*time.Second))
	shown := []glimesh.Message{early, late}
	r := NewRules(phoenixtest.NewClock())
	r.Read(stamped(shown, logOf(1, glimesh.DeleteMessage, "7", 5*time.Second)), shown)
	wantIDs(t, "after the delete in the second of the post", visible(r, shown...), 1)
	// A second log of that second has no message left: the early one was
	// read after it, untouched, so it stays.
	r.Read(stamped(shown, logOf(2, glimesh.DeleteMessage, "7", 5*time.Second)), shown)
	wantIDs(t, "after a second log", visible(r, shown...), 1)

	// Without stamps (an instance that hides its messages from the read),
	// the time rule alone, as before.
	r = NewRules(phoenixtest.NewClock())
	r.Read(read(logOf(1, glimesh.DeleteMessage, "7", 6*time.Second)), shown)
	wantIDs(t, "without stamps", visible(r, shown...), 1)
}

// A delete of a message older than anything the page holds or the read
// covers takes nothing on screen; it waits, and the backfill that brings
// the message back (with its trace) finds it.
func TestDeleteOfAnOlderMessageWaitsForTheBackfill(t *testing.T) {
	old := msg(1, "7", 10*time.Second)                 // scrolled off long ago
	onScreen := untouched(msg(5, "7", 50*time.Second)) // read after the delete: untouched
	window := []glimesh.Message{untouched(msg(4, "8", 40*time.Second)), onScreen}
	r := NewRules(phoenixtest.NewClock())
	r.Read(stamped(window, logOf(1, glimesh.DeleteMessage, "7", time.Minute)), []glimesh.Message{onScreen})
	wantIDs(t, "on screen after the delete", visible(r, onScreen), 5)
	// A late push from inside what the read covered is not it either.
	lagging := untouched(msg(6, "7", 45*time.Second))
	if r.Arrived([]glimesh.Message{lagging}) || r.Hidden(lagging) {
		t.Error("a message the read showed untouched was taken for the deleted one")
	}
	backfill := []glimesh.Message{deletedAt(old, time.Minute), untouched(msg(4, "8", 40*time.Second)), onScreen}
	if !r.Arrived(backfill) {
		t.Fatal("the backfill did not find the deleted message")
	}
	wantIDs(t, "backfill", visible(r, backfill...), 4, 5)
}

// The log and the update are not written at once: a read may list the log
// while the message still looks untouched. The next read's trace settles it.
func TestDeleteSettledByTheNextRead(t *testing.T) {
	a, b := untouched(msg(1, "7", 0)), untouched(msg(2, "7", 0))
	shown := []glimesh.Message{a, b}
	r := NewRules(phoenixtest.NewClock())
	log := logOf(1, glimesh.DeleteMessage, "7", 3*time.Second)
	r.Read(stamped(shown, log), shown)
	wantIDs(t, "before the trace", visible(r, shown...), 1, 2)
	r.Read(stamped([]glimesh.Message{deletedAt(a, 3*time.Second), b}, log), shown)
	wantIDs(t, "after the trace", visible(r, shown...), 2)
}

// The history read at start carries the stamps of the messages it shows:
// a message deleted before the page opened never joins the screen.
func TestStartNeverShowsADeletedMessage(t *testing.T) {
	history := []glimesh.Message{untouched(msg(1, "7", 0)), deletedAt(msg(2, "7", 0), 4*time.Second), untouched(msg(3, "7", 0))}
	s := New(Options{Limit: 10, Clock: phoenixtest.NewClock()})
	s.Read(stamped(history, logOf(1, glimesh.DeleteMessage, "7", 4*time.Second)), t0)
	s.Add(history, true)
	wantIDs(t, "first paint", ids(s.Messages()), 1, 3)
}
