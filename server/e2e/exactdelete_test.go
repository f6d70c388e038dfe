package e2e

import (
	"slices"
	"testing"
	"time"

	"github.com/glimchat/glimchat/server/demo"
)

// A delete log names only the author; the deleted message's updatedAt
// names the message (api.md §3). Three messages of one user, a pause, the
// middle one deleted by the streamer: only it leaves, live, after a
// reconnect and on a fresh load.
func TestModerationDeleteIsExact(t *testing.T) {
	const modPoll = 2 * time.Second
	srv, d := startCrossOrigin(t, demo.Options{})
	query := crossQuery(d, "history=10&mod_poll=2")
	p := NewPage(t)
	recordAdded(p)
	p.Navigate(srv.Page("overlay.html", query))
	waitState(p, "live")
	var three []string
	for _, text := range []string{"MOD a", "MOD b", "MOD c"} {
		three = append(three, post(t, d.Inst, "kenji_k", text))
	}
	waitShown(p, three...)
	time.Sleep(time.Second + 100*time.Millisecond) // the delete's second differs from the posts'

	moderate(t, d, "demo", "deleteChatMessage", three[1])
	deleted := time.Now()
	waitGone(p, three[1])
	took := time.Since(deleted)
	t.Logf("the delete left the screen in %v", took.Round(time.Millisecond))
	if took > modPoll+2*time.Second {
		t.Errorf("the deleted message left after %v, want within mod_poll + 2 s = %v", took, modPoll+2*time.Second)
	}
	keep := []string{three[0], three[2]}
	stillShown := func(when string, p *Page) {
		t.Helper()
		ids := logIDs(p)
		for _, id := range keep {
			if !slices.Contains(ids, id) {
				t.Errorf("%s: the innocent message %s is gone: %v", when, id, ids)
			}
		}
		if slices.Contains(ids, three[1]) {
			t.Errorf("%s: the deleted message %s is shown: %v", when, three[1], ids)
		}
	}
	// Another poll or two must not take an innocent one either.
	time.Sleep(2 * modPoll)
	stillShown("after the delete", p)

	d.Inst.DropSockets()
	waitState(p, "reconnecting")
	gap := post(t, d.Inst, "Zofia", "sent during the gap")
	waitState(p, "live")
	waitShown(p, gap) // only the backfill brings it: the backfill is in
	stillShown("after the reconnect", p)
	if n := timesAdded(p, three[1]); n != 1 {
		t.Errorf("the deleted message was added %d times, want once (before the delete)", n)
	}

	fresh := NewPage(t)
	recordAdded(fresh)
	fresh.Navigate(srv.Page("overlay.html", query))
	waitState(fresh, "live")
	waitShown(fresh, append(keep, gap)...)
	stillShown("on a fresh load", fresh)
	if n := timesAdded(fresh, three[1]); n != 0 {
		t.Errorf("a fresh load showed the deleted message (%d times)", n)
	}
	p.AssertNoPageProblems() // the drop is reported by the browser
	fresh.AssertNoProblems()
}
