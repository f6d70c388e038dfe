package moderation

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/phoenix/phoenixtest"
)

// t0 is the start of phoenixtest's clock; times in tests are offsets from it.
var t0 = phoenixtest.NewClock().Now()

func stamp(d time.Duration) string { return t0.Add(d).UTC().Format("2006-01-02T15:04:05") }

// msg is message id by user, inserted at t0+d.
func msg(id int, user string, d time.Duration) glimesh.Message {
	return glimesh.Message{ID: strconv.Itoa(id), Text: "m" + strconv.Itoa(id), InsertedAt: stamp(d),
		User: glimesh.User{ID: user, Username: "u" + user}}
}

func logOf(id int, a glimesh.Action, user string, d time.Duration) glimesh.ModerationLog {
	return glimesh.ModerationLog{ID: strconv.Itoa(id), Action: a, UserID: user, ModeratorID: "1", InsertedAt: stamp(d)}
}

func read(logs ...glimesh.ModerationLog) glimesh.Moderation { return glimesh.Moderation{Logs: logs} }

// visible lists the ids of msgs that the rules let through.
func visible(r *Rules, msgs ...glimesh.Message) []string {
	var out []string
	for _, m := range msgs {
		if !r.Hidden(m) {
			out = append(out, m.ID)
		}
	}
	return out
}

func ids(msgs []glimesh.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

func wantIDs(t *testing.T, what string, got []string, want ...int) {
	t.Helper()
	w := make([]string, len(want))
	for i, id := range want {
		w[i] = strconv.Itoa(id)
	}
	if !slices.Equal(got, w) && !(len(got) == 0 && len(w) == 0) {
		t.Errorf("%s: %v, want %v", what, got, w)
	}
}

// Each action of the logs, on user 7's messages (at 0 s, 50 s, 59 s) and
// on the messages they could send afterwards; user 8 is never touched.
func TestEachLogAction(t *testing.T) {
	const at = time.Minute // the moderation happens one minute in
	before := []glimesh.Message{msg(1, "7", 0), msg(2, "8", 10*time.Second), msg(3, "7", 50*time.Second), msg(4, "7", 59*time.Second)}
	later := func(d time.Duration) glimesh.Message { return msg(100, "7", at+d) }
	tests := []struct {
		name   string
		logs   []glimesh.ModerationLog
		want   []int                  // of before, still shown
		shownD map[time.Duration]bool // a new message of user 7 sent this long after: shown?
	}{
		{"short timeout", []glimesh.ModerationLog{logOf(1, glimesh.ShortTimeout, "7", at)}, []int{2},
			map[time.Duration]bool{time.Minute: false, 5*time.Minute - time.Second: false, 5 * time.Minute: true}},
		{"long timeout", []glimesh.ModerationLog{logOf(1, glimesh.LongTimeout, "7", at)}, []int{2},
			map[time.Duration]bool{5 * time.Minute: false, 15 * time.Minute: true}},
		{"ban", []glimesh.ModerationLog{logOf(1, glimesh.Ban, "7", at)}, []int{2},
			map[time.Duration]bool{time.Minute: false, 24 * time.Hour: false}},
		{"ban then unban", []glimesh.ModerationLog{logOf(1, glimesh.Ban, "7", at), logOf(2, glimesh.Unban, "7", at+time.Hour)}, []int{2},
			map[time.Duration]bool{time.Hour + time.Second: true}},
		{"delete", []glimesh.ModerationLog{logOf(1, glimesh.DeleteMessage, "7", at)}, []int{1, 2, 3},
			map[time.Duration]bool{time.Second: true}},
		{"unban alone", []glimesh.ModerationLog{logOf(1, glimesh.Unban, "7", at)}, []int{1, 2, 3, 4},
			map[time.Duration]bool{time.Second: true}},
		{"unknown action", []glimesh.ModerationLog{logOf(1, "slow_mode", "7", at)}, []int{1, 2, 3, 4},
			map[time.Duration]bool{time.Second: true}},
		{"broken user id", []glimesh.ModerationLog{logOf(1, glimesh.Ban, "7x", at)}, []int{1, 2, 3, 4},
			map[time.Duration]bool{time.Second: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRules(phoenixtest.NewClock())
			r.Read(read(tt.logs...), before)
			wantIDs(t, "shown", visible(r, before...), tt.want...)
			for d, shown := range tt.shownD {
				if got := !r.Hidden(later(d)); got != shown {
					t.Errorf("a message sent %v after: shown = %v, want %v", d, got, shown)
				}
			}
		})
	}
}

// A timeout lasts as long as the bans list says; without a row, the
// API's 5 or 15 minutes from the log.
func TestTimeoutEndsWhenBansSay(t *testing.T) {
	r := NewRules(phoenixtest.NewClock())
	st := read(logOf(1, glimesh.LongTimeout, "7", 0))
	st.Bans = []glimesh.ChannelBan{{UserID: "7", InsertedAt: stamp(0), ExpiresAt: stamp(2 * time.Minute)}}
	r.Read(st, nil)
	if r.Hidden(msg(5, "7", 2*time.Minute)) {
		t.Error("a message sent when the bans list says the timeout ended is hidden")
	}
	if !r.Hidden(msg(5, "7", 2*time.Minute-time.Second)) {
		t.Error("a message sent during the timeout shows")
	}
}

// The bans list alone (moderation older than the logs read) hides the
// banned and the timed out; a stale permanent row from before an unban
// does not ban again.
func TestBansList(t *testing.T) {
	r := NewRules(phoenixtest.NewClock())
	r.Read(glimesh.Moderation{Bans: []glimesh.ChannelBan{
		{UserID: "7", InsertedAt: stamp(-time.Hour)},
		{UserID: "8", InsertedAt: stamp(-time.Minute), ExpiresAt: stamp(9 * time.Minute)},
		{UserID: "bad"},
	}}, nil)
	wantIDs(t, "shown", visible(r, msg(1, "7", time.Hour), msg(2, "8", 8*time.Minute), msg(3, "8", 10*time.Minute), msg(4, "9", 0)), 3, 4)

	r.Read(read(logOf(5, glimesh.Unban, "7", 0)), nil)
	r.Read(glimesh.Moderation{Bans: []glimesh.ChannelBan{{UserID: "7", InsertedAt: stamp(-time.Hour)}}}, nil) // read before the unban landed
	if r.Hidden(msg(6, "7", time.Second)) {
		t.Error("a stale ban row banned the user again after the unban")
	}
	wantIDs(t, "messages from before the ban", visible(r, msg(7, "7", -2*time.Hour)))
	r.Read(glimesh.Moderation{Bans: []glimesh.ChannelBan{{UserID: "7", InsertedAt: stamp(time.Minute)}}}, nil)
	if !r.Hidden(msg(8, "7", 2*time.Minute)) {
		t.Error("a ban after the unban does not hide")
	}
}

// A delete log removes the newest message of its user inserted at or
// before the log, to the second; two logs take two messages.
func TestDeleteMatchesTheRightMessage(t *testing.T) {
	shown := []glimesh.Message{
		msg(1, "7", 0), msg(2, "7", 10*time.Second), msg(3, "8", 20*time.Second),
		msg(4, "7", 30*time.Second), // deleted at 35 s
		msg(5, "7", 40*time.Second), // sent after the delete: stays
	}
	r := NewRules(phoenixtest.NewClock())
	r.Read(read(logOf(1, glimesh.DeleteMessage, "7", 35*time.Second)), shown)
	wantIDs(t, "after one delete", visible(r, shown...), 1, 2, 3, 5)
	r.Read(read(logOf(2, glimesh.DeleteMessage, "7", 35*time.Second)), shown)
	wantIDs(t, "after a second delete at the same time", visible(r, shown...), 1, 3, 5)
	// The same logs read again (every poll returns them) take nothing more.
	r.Read(read(logOf(1, glimesh.DeleteMessage, "7", 35*time.Second), logOf(2, glimesh.DeleteMessage, "7", 35*time.Second)), shown)
	wantIDs(t, "after reading the logs again", visible(r, shown...), 1, 3, 5)
	// Within one second the order cannot be told: the newest is taken.
	same := []glimesh.Message{msg(10, "9", time.Second), msg(11, "9", time.Second)}
	r.Read(read(logOf(3, glimesh.DeleteMessage, "9", time.Second)), same)
	wantIDs(t, "within a second", visible(r, same...), 10)
}

// A delete log read before its message arrived (the logs are read before
// the history they moderate) finds it when it comes.
func TestDeleteWaitsForItsMessage(t *testing.T) {
	r := NewRules(phoenixtest.NewClock())
	r.Read(read(logOf(1, glimesh.DeleteMessage, "7", time.Minute)), nil)
	if r.Arrived([]glimesh.Message{msg(1, "8", 0), msg(2, "7", 2*time.Minute)}) {
		t.Error("a message of another user, or sent after the delete, matched it")
	}
	history := []glimesh.Message{msg(3, "7", 10*time.Second), msg(4, "7", 50*time.Second)}
	if !r.Arrived(history) {
		t.Fatal("the delete did not find its message")
	}
	wantIDs(t, "history", visible(r, history...), 3)
	if r.Arrived([]glimesh.Message{msg(5, "7", 0)}) {
		t.Error("a matched delete matched again")
	}
}

// The page's own delete removes exactly the message it names, and the log
// it causes does not remove another one.
func TestOwnDeleteIsExact(t *testing.T) {
	shown := []glimesh.Message{msg(1, "7", 0), msg(2, "7", 10*time.Second)}
	r := NewRules(phoenixtest.NewClock())
	r.Claim("7", "1") // the older one, which the time rule would not pick
	r.Read(read(logOf(1, glimesh.DeleteMessage, "7", 20*time.Second)), shown)
	wantIDs(t, "log read before the reply", visible(r, shown...), 2)
	r.Deleted("1", "1")
	wantIDs(t, "after the reply", visible(r, shown...), 2)

	// Reply first, then the log: the log is skipped.
	r = NewRules(phoenixtest.NewClock())
	r.Claim("7", "1")
	r.Deleted("1", "9")
	r.Read(read(logOf(9, glimesh.DeleteMessage, "7", 20*time.Second)), shown)
	wantIDs(t, "reply read before the log", visible(r, shown...), 2)

	// A failed delete leaves the time rule to the next log.
	r = NewRules(phoenixtest.NewClock())
	r.Claim("7", "1")
	r.Unclaim("7", "1")
	r.Read(read(logOf(1, glimesh.DeleteMessage, "7", 20*time.Second)), shown)
	wantIDs(t, "after a failed claim", visible(r, shown...), 1)
}

// A timeout taken from this page applies at once; the log read later
// changes nothing.
func TestTookAppliesAtOnce(t *testing.T) {
	r := NewRules(phoenixtest.NewClock())
	shown := []glimesh.Message{msg(1, "7", 0), msg(2, "8", 0)}
	r.Took(logOf(4, glimesh.ShortTimeout, "7", time.Second))
	wantIDs(t, "after the reply", visible(r, shown...), 2)
	r.Took(logOf(5, glimesh.DeleteMessage, "8", time.Second)) // deletes go through Deleted
	wantIDs(t, "after a delete reply", visible(r, shown...), 2)
	r.Read(read(logOf(4, glimesh.ShortTimeout, "7", time.Second)), shown)
	wantIDs(t, "after the log", visible(r, shown...), 2)
}

// A message without a readable time is taken as sent now, by the clock.
func TestUnreadableTimesAreNow(t *testing.T) {
	clock := phoenixtest.NewClock()
	r := NewRules(clock)
	r.Read(read(logOf(1, glimesh.ShortTimeout, "7", 0)), nil)
	m := msg(1, "7", 0)
	m.InsertedAt = "yesterday"
	if !r.Hidden(m) {
		t.Error("an undated message during the timeout shows")
	}
	clock.Advance(ShortTimeout)
	if r.Hidden(m) {
		t.Error("an undated message after the timeout is hidden")
	}
	for _, s := range []string{"2026-01-01T00:00:05.123456", "2026-01-01T00:00:05Z", "2026-01-01T01:00:05+01:00"} {
		if got, ok := parseTime(s); !ok || !got.Equal(t0.Add(5*time.Second)) {
			t.Errorf("parseTime(%q) = %v, %v", s, got, ok)
		}
	}
}

// Memory stays bounded however many users are moderated.
func TestRulesStayBounded(t *testing.T) {
	r := NewRules(phoenixtest.NewClock())
	var logs []glimesh.ModerationLog
	for i := range maxUsers + 100 {
		logs = append(logs, logOf(i+1, glimesh.ShortTimeout, fmt.Sprint(i+1), time.Duration(i)*time.Second))
	}
	r.Read(read(logs...), nil)
	if len(r.users) > maxUsers {
		t.Errorf("%d users remembered, want at most %d", len(r.users), maxUsers)
	}
	// The newest are the ones kept.
	if !r.Hidden(msg(1, fmt.Sprint(maxUsers+100), 0)) {
		t.Error("the newest timeout was forgotten")
	}
	for i := range maxPending + 10 {
		r.Read(read(logOf(100000+i, glimesh.DeleteMessage, "5", 0)), nil)
	}
	if len(r.pending) > maxPending {
		t.Errorf("%d delete logs wait, want at most %d", len(r.pending), maxPending)
	}
}
