package demo

import (
	"reflect"
	"testing"
	"time"
)

// updatedAtsOf reads the newest n messages of demo: id -> [insertedAt,
// updatedAt].
func updatedAtsOf(t *testing.T, tr transport, h *harness, n int) map[string][2]string {
	t.Helper()
	r := tr.run(t, h, "", `query($n: Int){ channel(id: 6){ chatMessages(last: $n){ edges{ node{ id insertedAt updatedAt } } } } }`, map[string]any{"n": n})
	out := make(map[string][2]string)
	for _, e := range at(t, r.body, "data", "channel", "chatMessages", "edges").([]any) {
		n := at(t, e, "node").(map[string]any)
		out[n["id"].(string)] = [2]string{n["insertedAt"].(string), n["updatedAt"].(string)}
	}
	return out
}

// A delete hides the message with Repo.update, so its updatedAt moves to
// the delete's time, the log's insertedAt; every other message keeps
// updatedAt == insertedAt (api.md §3).
func TestDeleteMovesUpdatedAt(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			clock := newClock()
			h := newHarness(t, Options{Now: clock.now})
			var three []string
			for _, text := range []string{"MOD a", "MOD b", "MOD c"} {
				id, err := h.inst.Post("demo", "kenji_k", text)
				if err != nil {
					t.Fatal(err)
				}
				three = append(three, id)
			}
			posted := testNow.Format(naiveLayout)
			clock.advance(2*time.Second + 300*time.Millisecond)
			r := tr.run(t, h, "demo", deleteDoc, map[string]any{"c": "6", "m": three[1]})
			logAt, _ := at(t, r.body, "data", "deleteChatMessage", "insertedAt").(string)
			if want := testNow.Add(2 * time.Second).Format(naiveLayout); logAt != want {
				t.Fatalf("delete log insertedAt %q, want %q: %s", logAt, want, r.raw)
			}
			got := updatedAtsOf(t, tr, h, 10)
			if got[three[1]] != [2]string{posted, logAt} {
				t.Errorf("deleted message: insertedAt, updatedAt = %v, want %s, %s", got[three[1]], posted, logAt)
			}
			for _, id := range []string{three[0], three[2]} {
				if got[id] != [2]string{posted, posted} {
					t.Errorf("message %s beside the deleted one: %v, want both %s", id, got[id], posted)
				}
			}
			for id, ts := range got {
				if id != three[1] && ts[0] != ts[1] {
					t.Errorf("message %s not deleted but updatedAt %s != insertedAt %s", id, ts[1], ts[0])
				}
			}
			// A second delete writes a log row but changes nothing:
			// Repo.update of an empty changeset writes nothing.
			clock.advance(5 * time.Second)
			r = tr.run(t, h, "MartaMod", deleteDoc, map[string]any{"c": "6", "m": three[1]})
			if at(t, r.body, "data", "deleteChatMessage", "action") != "delete_message" {
				t.Fatalf("second delete: %s", r.raw)
			}
			if again := updatedAtsOf(t, tr, h, 10)[three[1]]; again != got[three[1]] {
				t.Errorf("a second delete moved updatedAt: %v, was %v", again, got[three[1]])
			}
		})
	}
}

// Timeouts and bans hide with update_all, which leaves updatedAt alone;
// a message they hid no longer moves on a delete either.
func TestTimeoutsAndBansKeepUpdatedAt(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			clock := newClock()
			h := newHarness(t, Options{Now: clock.now})
			var ids []string
			for _, who := range []string{"Noor", "Noor", "Zofia", "SubSam"} {
				id, err := h.inst.Post("demo", who, "before the moderation")
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			before := updatedAtsOf(t, tr, h, 20)
			clock.advance(3 * time.Second)
			for _, c := range []struct{ field, who string }{
				{"shortTimeoutUser", "Noor"}, {"longTimeoutUser", "Noor"}, {"banUser", "Zofia"},
			} {
				r := tr.run(t, h, "MartaMod", modUserDoc(c.field), map[string]any{"c": "6", "u": userID(t, h, c.who)})
				if r.body["errors"] != nil {
					t.Fatalf("%s %s: %s", c.field, c.who, r.raw)
				}
				clock.advance(time.Second)
			}
			r := tr.run(t, h, "MartaMod", deleteDoc, map[string]any{"c": "6", "m": ids[0]})
			if at(t, r.body, "data", "deleteChatMessage", "action") != "delete_message" {
				t.Fatalf("delete after the timeout: %s", r.raw)
			}
			after := updatedAtsOf(t, tr, h, 20)
			if !reflect.DeepEqual(after, before) {
				t.Errorf("timeouts, a ban and a delete of a hidden message changed timestamps:\nbefore %v\nafter  %v", before, after)
			}
			// The untouched author's message could still be deleted exactly.
			r = tr.run(t, h, "MartaMod", deleteDoc, map[string]any{"c": "6", "m": ids[3]})
			logAt := at(t, r.body, "data", "deleteChatMessage", "insertedAt")
			if got := updatedAtsOf(t, tr, h, 20)[ids[3]]; got[1] != logAt || got[0] == got[1] {
				t.Errorf("delete after the others: %v, log at %v", got, logAt)
			}
		})
	}
}

// The simulated deleter takes down one message that is not its author's
// newest, now and then, and the trace (updatedAt == the log's insertedAt)
// names exactly that message.
func TestSimulatedDeleter(t *testing.T) {
	clock := newClock()
	h := newHarness(t, Options{Seed: 5, ChatRate: 1, Now: clock.now})
	const turns = 400
	msgs, _ := driveChat(t, h, turns, func() { clock.advance(time.Second) })
	s := h.inst.store
	c := s.channelByID(6)
	rows, _ := snapshot(s, &c.modLogs)
	var deletes []*modLog
	for _, l := range rows {
		if l.action == "delete_message" {
			deletes = append(deletes, l)
		}
	}
	// 400 s at 45 to 90 s apart: 4 to 8.
	if len(deletes) < 4 || len(deletes) > 9 {
		t.Fatalf("%d simulated deletes in %d turns", len(deletes), turns)
	}
	for i, l := range deletes {
		if l.moderator.username != simDeleterName {
			t.Errorf("delete by %s", l.moderator.username)
		}
		if i > 0 {
			if gap := l.inserted.Sub(deletes[i-1].inserted); gap < 45*time.Second {
				t.Errorf("deletes %v apart", gap)
			}
		}
		var named []*message
		newer := false
		for _, m := range msgs {
			up := s.updatedAt(m)
			if m.user == l.user && up.Equal(l.inserted) && !up.Equal(m.inserted) {
				named = append(named, m)
			}
			if len(named) == 1 && m.user == l.user && m.id > named[0].id && m.inserted.Before(l.inserted) {
				newer = true
			}
		}
		if len(named) != 1 {
			t.Errorf("delete %d of %s at %v: %d messages carry its trace", i, l.user.username, l.inserted, len(named))
			continue
		}
		if !newer {
			t.Errorf("delete %d took %s's newest message %d: the old rule would have been right", i, l.user.username, named[0].id)
		}
	}
	// Every other message keeps updatedAt == insertedAt.
	var moved int
	for _, m := range msgs {
		if !s.updatedAt(m).Equal(m.inserted) {
			moved++
		}
	}
	if moved != len(deletes) {
		t.Errorf("%d messages moved their updatedAt, %d deletes", moved, len(deletes))
	}
}
