package demo

import (
	"net/http"
	"testing"
	"time"
)

// stampsDoc reads the newest messages' stamps, as the widget's moderation
// poll does.
const stampsDoc = `query{ channel(id: 6){ chatMessages(last: 50){ edges{ node{ id insertedAt updatedAt } } } } }`

// stamps maps each recent message id to its [insertedAt, updatedAt].
func stamps(t *testing.T, tr transport, h *harness) map[string][2]string {
	t.Helper()
	r := tr.run(t, h, "", stampsDoc, nil)
	if r.status != http.StatusOK || r.body["errors"] != nil {
		t.Fatalf("%s: %s", tr.name, r.raw)
	}
	out := map[string][2]string{}
	for _, e := range at(t, r.body, "data", "channel", "chatMessages", "edges").([]any) {
		n := at(t, e, "node")
		out[at(t, n, "id").(string)] = [2]string{at(t, n, "insertedAt").(string), at(t, n, "updatedAt").(string)}
	}
	return out
}

// A delete hides the message with Repo.update, which moves its updatedAt to
// the delete's time, the log's insertedAt; timeouts and bans hide with
// update_all, which leaves updatedAt alone (api.md §3).
func TestUpdatedAtMovesOnlyOnDelete(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			clock := newClock()
			h := newHarness(t, Options{Now: clock.now})
			post := func(who, text string) string {
				t.Helper()
				r := tr.run(t, h, who, sendDoc, map[string]any{"c": "6", "m": text})
				if r.status != http.StatusOK || r.body["errors"] != nil {
					t.Fatalf("post as %s: %s", who, r.raw)
				}
				return at(t, r.body, "data", "createChatMessage", "id").(string)
			}
			a, b, c := post("kenji_k", "MOD a"), post("kenji_k", "MOD b"), post("kenji_k", "MOD c")
			noor := post("Noor", "about to be timed out")
			posted := testNow.Format(naiveLayout)
			clock.advance(2 * time.Second)

			r := tr.run(t, h, "demo", deleteDoc, map[string]any{"c": "6", "m": b})
			if r.status != http.StatusOK || r.body["errors"] != nil {
				t.Fatalf("delete: %s", r.raw)
			}
			logAt := at(t, r.body, "data", "deleteChatMessage", "insertedAt").(string)
			deleted := clock.now().Format(naiveLayout)
			if logAt != deleted {
				t.Errorf("the delete's log is at %s, want %s", logAt, deleted)
			}
			clock.advance(3 * time.Second)
			for _, who := range []string{"shortTimeoutUser", "banUser"} {
				r := tr.run(t, h, "MartaMod", modUserDoc(who), map[string]any{"c": "6", "u": userID(t, h, "Noor")})
				if r.status != http.StatusOK || r.body["errors"] != nil {
					t.Fatalf("%s: %s", who, r.raw)
				}
			}
			got := stamps(t, tr, h)
			for id, want := range map[string][2]string{
				a: {posted, posted}, b: {posted, deleted}, c: {posted, posted}, noor: {posted, posted},
			} {
				if got[id] != want {
					t.Errorf("message %s: insertedAt, updatedAt = %v, want %v", id, got[id], want)
				}
			}
		})
	}
}

// The simulated moderator deletes a single message now and then, never
// its author's newest, so the preview shows an exact delete.
func TestSimulatedModeratorDeletesOneMessage(t *testing.T) {
	clock := newClock()
	h := newHarness(t, Options{Seed: 3, ChatRate: 1, Now: clock.now})
	msgs, _ := driveChat(t, h, 200, func() { clock.advance(time.Second) })
	var deleted []*message
	for _, m := range msgs {
		if m.updated.Load() != 0 {
			deleted = append(deleted, m)
		}
	}
	if len(deleted) < 2 {
		t.Fatalf("%d messages deleted in 200 turns, want a few", len(deleted))
	}
	for _, d := range deleted {
		if !d.updatedAt().After(d.inserted) {
			t.Errorf("deleted message %d: updatedAt %v not after insertedAt %v", d.id, d.updatedAt(), d.inserted)
		}
		newest := true
		for _, m := range msgs {
			if m.user == d.user && m.id > d.id && m.id < d.id+30 {
				newest = false
			}
		}
		if newest {
			t.Errorf("deleted message %d was its author's newest", d.id)
		}
	}
	var logs int
	for _, e := range modLogs(t, transports[0], h) {
		if at(t, e, "node", "action") == "delete_message" {
			logs++
		}
	}
	if logs != len(deleted) {
		t.Errorf("%d messages deleted, %d delete logs", len(deleted), logs)
	}
}
