package moderation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/phoenix/phoenixtest"
)

// fakeUI records what the Desk did to the page.
type fakeUI struct {
	mu     sync.Mutex
	events []string
}

func (u *fakeUI) add(format string, args ...any) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.events = append(u.events, fmt.Sprintf(format, args...))
}
func (u *fakeUI) Ask(c Click)     { u.add("ask %s", c.Action) }
func (u *fakeUI) Busy(c Click)    { u.add("busy %s", c.Action) }
func (u *fakeUI) Restore(c Click) { u.add("restore %s", c.Action) }
func (u *fakeUI) Report(text string, isErr bool) {
	u.add("report %v %s", isErr, text)
}
func (u *fakeUI) String() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return strings.Join(u.events, "; ")
}

// desk returns a Desk whose steps apply to s at once, and whose instance
// answers with reply (or fails with err).
func desk(s *Screen, ui *fakeUI, reply glimesh.ModerationLog, err error, sent *[]string) *Desk {
	var mu sync.Mutex
	return &Desk{
		Rights: glimesh.Rights{UserID: "3", Delete: true, Ban: true},
		Moderate: func(_ context.Context, a glimesh.Action, target string) (glimesh.ModerationLog, error) {
			*sent = append(*sent, string(a)+" "+target)
			return reply, err
		},
		Deliver: func(st Step) { mu.Lock(); defer mu.Unlock(); st(s) },
		UI:      ui,
	}
}

func click(kind string, a glimesh.Action, msgID, user string) Click {
	return Click{Kind: kind, Action: a, MessageID: msgID, UserID: user, Username: "u" + user}
}

// Delete: ask, then confirm; exactly the message pressed goes, even when
// the time rule would pick another, and the result is said.
func TestDeskDeletes(t *testing.T) {
	s := New(Options{Limit: 10, Clock: phoenixtest.NewClock()})
	s.Add(batch(msg(1, "7", 0), msg(2, "7", time.Second)), true)
	ui := &fakeUI{}
	var sent []string
	d := desk(s, ui, logOf(50, glimesh.DeleteMessage, "7", 2*time.Second), nil, &sent)
	if err := d.Press(click(Ask, glimesh.DeleteMessage, "1", "7")); err != nil {
		t.Fatal(err)
	}
	if err := d.Press(click(Confirm, glimesh.DeleteMessage, "1", "7")); err != nil {
		t.Fatal(err)
	}
	if strings.Join(sent, ",") != "delete_message 1" {
		t.Errorf("sent %v, want one delete of message 1", sent)
	}
	wantIDs(t, "shown", ids(s.Messages()), 2)
	s.Read(read(logOf(50, glimesh.DeleteMessage, "7", 2*time.Second)), time.Time{})
	wantIDs(t, "after the log", ids(s.Messages()), 2)
	want := "ask delete_message; busy delete_message; restore delete_message; report false Deleted the message from u7."
	if ui.String() != want {
		t.Errorf("page:\n got %s\nwant %s", ui, want)
	}
}

// A refused action puts the tools back, says why, and changes nothing.
func TestDeskReportsFailure(t *testing.T) {
	s := New(Options{Limit: 10, Clock: phoenixtest.NewClock()})
	s.Add(batch(msg(1, "7", 0), msg(2, "7", time.Second)), true)
	ui := &fakeUI{}
	var sent []string
	refused := fmt.Errorf("ban: %w", &glimesh.GraphQLError{Messages: []string{"unauthorized"}})
	d := desk(s, ui, glimesh.ModerationLog{}, refused, &sent)
	d.Press(click(Confirm, glimesh.DeleteMessage, "1", "7"))
	d.Press(click(Confirm, glimesh.Ban, "1", "7"))
	wantIDs(t, "shown", ids(s.Messages()), 1, 2)
	if got := ui.String(); !strings.Contains(got, "report true Could not ban u7 from this chat: You are not allowed") ||
		!strings.Contains(got, "report true Could not delete this message from u7") {
		t.Errorf("page: %s", got)
	}
	// The failed delete's claim is gone: a later log goes by the time.
	s.Read(read(logOf(9, glimesh.DeleteMessage, "7", 5*time.Second)), time.Time{})
	wantIDs(t, "after a later log", ids(s.Messages()), 1)
}

// A ban from the page applies at once.
func TestDeskBans(t *testing.T) {
	s := New(Options{Limit: 10, Clock: phoenixtest.NewClock()})
	s.Add(batch(msg(1, "7", 0), msg(2, "8", 0), msg(3, "7", time.Second)), true)
	var sent []string
	d := desk(s, &fakeUI{}, logOf(60, glimesh.Ban, "7", 2*time.Second), nil, &sent)
	d.Press(click(Confirm, glimesh.Ban, "3", "7"))
	if strings.Join(sent, ",") != "ban 7" {
		t.Errorf("sent %v, want a ban of user 7", sent)
	}
	wantIDs(t, "shown", ids(s.Messages()), 2)
}

// What the rights do not allow, or a target that is no target, is refused
// before anything is asked or sent.
func TestDeskRefuses(t *testing.T) {
	s := New(Options{Limit: 10, Clock: phoenixtest.NewClock()})
	ui := &fakeUI{}
	var sent []string
	d := desk(s, ui, glimesh.ModerationLog{}, nil, &sent)
	for _, c := range []Click{
		click(Confirm, glimesh.ShortTimeout, "1", "7"), // not in the rights
		click(Confirm, glimesh.Ban, "1", "3"),          // the viewer themselves
		click(Confirm, glimesh.Ban, "1", "7 OR 1"),
		click(Confirm, glimesh.DeleteMessage, "", "7"),
		click("explode", glimesh.Ban, "1", "7"),
		click(Confirm, glimesh.Unban, "1", "7"),
	} {
		if err := d.Press(c); !errors.Is(err, ErrNotAllowed) {
			t.Errorf("%+v: %v, want ErrNotAllowed", c, err)
		}
	}
	if len(sent) != 0 || ui.String() != "" {
		t.Errorf("sent %v, page %q", sent, ui)
	}
}

// Two confirms of the same action while the first is on its way send it
// once.
func TestDeskSendsOnce(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	var calls int
	var mu sync.Mutex
	d := &Desk{
		Rights: glimesh.Rights{UserID: "3", Ban: true},
		Moderate: func(context.Context, glimesh.Action, string) (glimesh.ModerationLog, error) {
			mu.Lock()
			calls++
			mu.Unlock()
			started <- struct{}{}
			<-release
			return logOf(1, glimesh.Ban, "7", 0), nil
		},
		Deliver: func(Step) {},
		UI:      &fakeUI{},
	}
	done := make(chan struct{})
	go func() { d.Press(click(Confirm, glimesh.Ban, "1", "7")); close(done) }()
	<-started
	d.Press(click(Confirm, glimesh.Ban, "1", "7"))
	close(release)
	<-done
	if calls != 1 {
		t.Errorf("sent %d times, want once", calls)
	}
}

func TestParseClick(t *testing.T) {
	for _, tc := range []struct {
		mod, action string
		kind        string
		a           glimesh.Action
	}{
		{"ban", "", Ask, glimesh.Ban},
		{"confirm", "delete_message", Confirm, glimesh.DeleteMessage},
		{"cancel", "long_timeout", Cancel, glimesh.LongTimeout},
	} {
		if k, a := ParseClick(tc.mod, tc.action); k != tc.kind || a != tc.a {
			t.Errorf("ParseClick(%q, %q) = %s %s", tc.mod, tc.action, k, a)
		}
	}
}
