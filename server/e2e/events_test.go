package e2e

import (
	"fmt"
	"slices"
	"testing"

	"github.com/glimchat/glimchat/server/demo"
)

// Stream events in the chat (events=): a follow is an event line in the
// widget's words; going live, going offline and a new title are status
// lines, pushed on the channel(id) subscription beside the chat.

// follow has follower follow the demo channel and returns the
// announcement's id.
func follow(t *testing.T, d *recordedDemo, follower string) string {
	t.Helper()
	id, err := d.Inst.Follow("demo", follower)
	if err != nil || id == "" {
		t.Fatalf("%s follows demo: announcement %q, %v", follower, id, err)
	}
	return id
}

// statusLinesJS lists the status lines as "change|text".
const statusLinesJS = logJS + `.filter(li => li.dataset.kind === "status").map(li => li.dataset.change + "|" + li.textContent + "|" + (li.dataset.messageId || "") + "|" + li.querySelectorAll("*:not(span)").length)`

func TestFollowLine(t *testing.T) {
	srv, d := startCrossOrigin(t, demo.Options{})
	p := NewPage(t)
	recordAdded(p)
	p.Navigate(srv.Page("overlay.html", crossQuery(d, "history=0")))
	waitState(p, "live")
	id := follow(t, d, "Zofia")
	waitShown(p, id)
	got := Eval[map[string]string](p, fmt.Sprintf(`(() => {
		const li = %s.find(li => li.dataset.messageId === %s);
		return {kind: li.dataset.kind || "", text: li.textContent, badges: String(li.querySelectorAll(".glimchat-badge, .glimchat-name").length)};
	})()`, logJS, jsString(id)))
	if got["kind"] != "follow" || got["text"] != "Zofia followed the channel" || got["badges"] != "0" {
		t.Errorf("the follow line: %v", got)
	}
	// Following again within 6 hours is not announced again.
	if err := d.Inst.Unfollow("demo", "Zofia"); err != nil {
		t.Fatal(err)
	}
	if again, err := d.Inst.Follow("demo", "Zofia"); err != nil || again != "" {
		t.Fatalf("a second follow within 6 h: announcement %q, %v", again, err)
	}
	chat := post(t, d.Inst, "kenji_k", "after the follow")
	waitShown(p, chat)
	if n := countMessages(p, `li => li.dataset.kind === "follow"`); n != 1 {
		t.Errorf("%d follow lines, want 1", n)
	}
	p.AssertNoProblems()
}

func TestStatusLines(t *testing.T) {
	srv, d := startCrossOrigin(t, demo.Options{})
	p := NewPage(t)
	p.Navigate(srv.Page("overlay.html", crossQuery(d, "history=0&events=follows,live,title")))
	waitState(p, "live")
	if err := d.Inst.EndStream("demo"); err != nil {
		t.Fatal(err)
	}
	WaitFor[bool](p, "the offline line", statusLinesJS+`.some(l => l.startsWith("offline|"))`)
	hostile := `<img src=x onerror="window.pwned=1">speedrun`
	if err := d.Inst.SetTitle("demo", hostile); err != nil {
		t.Fatal(err)
	}
	WaitFor[bool](p, "the title line", statusLinesJS+`.some(l => l.startsWith("title|"))`)
	if err := d.Inst.StartStream("demo"); err != nil {
		t.Fatal(err)
	}
	WaitFor[bool](p, "the live line", statusLinesJS+`.some(l => l.startsWith("live|"))`)
	// A push that changes nothing the viewer sees adds no line.
	if err := d.Inst.SetTitle("demo", hostile); err != nil {
		t.Fatal(err)
	}
	chat := post(t, d.Inst, "kenji_k", "after the stream started")
	waitShown(p, chat)
	lines := Eval[[]string](p, statusLinesJS)
	want := []string{"offline|The stream has ended||0", "title|New title: " + hostile + "||0", "live|Live now: " + hostile + "||0"}
	if !slices.Equal(lines, want) {
		t.Errorf("status lines %q, want %q (titles as text, no message id)", lines, want)
	}
	if Eval[bool](p, `window.pwned === 1`) {
		t.Error("a hostile title ran")
	}
	p.AssertNoProblems()
}

// events=none shows no event while the chat goes on; block= hides a
// blocked user's follow as it hides their chat.
func TestEventsNoneAndBlocked(t *testing.T) {
	srv, d := startCrossOrigin(t, demo.Options{})
	none := NewPage(t)
	recordAdded(none)
	none.Navigate(srv.Page("overlay.html", crossQuery(d, "history=0&events=none")))
	blocked := NewPage(t)
	recordAdded(blocked)
	blocked.Navigate(srv.Page("embed.html", crossQuery(d, "history=0&block=noor")))
	waitState(none, "live")
	waitState(blocked, "live")
	noorFollow := follow(t, d, "Noor")
	zofiaFollow := follow(t, d, "Zofia")
	if err := d.Inst.EndStream("demo"); err != nil {
		t.Fatal(err)
	}
	chat := post(t, d.Inst, "kenji_k", "the chat goes on")
	waitShown(none, chat)
	waitShown(blocked, chat, zofiaFollow)
	WaitFor[bool](blocked, "the embed's offline line", statusLinesJS+`.some(l => l.startsWith("offline|"))`)
	for _, id := range []string{noorFollow, zofiaFollow} {
		if n := timesAdded(none, id); n != 0 {
			t.Errorf("events=none showed follow %s", id)
		}
	}
	if n := countMessages(none, `li => li.dataset.kind === "status"`); n != 0 {
		t.Errorf("events=none showed %d status lines", n)
	}
	if n := timesAdded(blocked, noorFollow); n != 0 {
		t.Errorf("a blocked user's follow showed")
	}
	none.AssertNoProblems()
	blocked.AssertNoProblems()
}
