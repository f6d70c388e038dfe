package demo

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// transport runs one document as a demo user ("" for the Client-ID) and
// returns what came back as an HTTP result would: over the socket, the
// reply's response is the body, and a crashed control channel (phx_error,
// no reply) has status phxError.
type transport struct {
	name string
	run  func(t *testing.T, h *harness, who, query string, vars map[string]any) result
}

const phxError = -1

var transports = []transport{{"http", runHTTP}, {"socket", runSocket}}

func runHTTP(t *testing.T, h *harness, who, query string, vars map[string]any) result {
	t.Helper()
	auth := clientAuth()
	if who != "" {
		auth = "Bearer " + h.token(t, who)
	}
	return h.gql(t, auth, query, vars)
}

func runSocket(t *testing.T, h *harness, who, query string, vars map[string]any) result {
	t.Helper()
	params := "vsn=2.0.0&client_id=" + ClientID
	if who != "" {
		params = "vsn=2.0.0&token=" + url.QueryEscape(h.token(t, who))
	}
	w := h.dial(t, params)
	defer w.c.CloseNow()
	w.join("1")
	w.send("1", "2", controlTopic, "doc", map[string]any{"query": query, "variables": vars})
	for {
		f := w.read()
		switch {
		case f.event == "phx_error":
			return result{status: phxError, raw: f.raw}
		case f.event == "phx_reply" && f.ref == "2":
			body, _ := f.payload["response"].(map[string]any)
			return result{status: http.StatusOK, raw: f.raw, body: body}
		}
	}
}

// wantRaised checks that the real resolver would have raised: HTTP answers
// with status, the socket's control channel crashes.
func wantRaised(t *testing.T, tr transport, r result, status int) {
	t.Helper()
	if tr.name == "socket" {
		status = phxError
	}
	if r.status != status {
		t.Fatalf("%s: status %d, want %d (a raise): %s", tr.name, r.status, status, r.raw)
	}
}

// fakeClock is a demo clock that tests move on.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: testNow} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func userID(t *testing.T, h *harness, name string) string {
	t.Helper()
	u := h.inst.store.userByName(name)
	if u == nil {
		t.Fatalf("no user %s", name)
	}
	return fmt.Sprint(u.id)
}

const logFields = `id action insertedAt updatedAt channel{ id } moderator{ username } user{ username }`

func modUserDoc(field string) string {
	return `mutation($c: ID!, $u: ID!){ ` + field + `(channelId: $c, userId: $u){ ` + logFields + ` } }`
}

const deleteDoc = `mutation($c: ID!, $m: ID!){ deleteChatMessage(channelId: $c, messageId: $m){ ` + logFields + ` } }`

const sendDoc = `mutation($c: ID!, $m: String){ createChatMessage(channelId: $c, message: {message: $m}){ id } }`

// say posts as who over tr and returns the errors.
func say(t *testing.T, tr transport, h *harness, who, channelID string) []string {
	t.Helper()
	r := tr.run(t, h, who, sendDoc, map[string]any{"c": channelID, "m": "hello"})
	if r.status != http.StatusOK {
		t.Fatalf("%s: post as %s: status %d %s", tr.name, who, r.status, r.raw)
	}
	return errMessages(r)
}

func wantPost(t *testing.T, tr transport, h *harness, who string, want string) {
	t.Helper()
	got := say(t, tr, h, who, "6")
	if (want == "" && len(got) != 0) || (want != "" && (len(got) != 1 || got[0] != want)) {
		t.Fatalf("%s: post as %s: errors %q, want %q", tr.name, who, got, want)
	}
}

func TestModerationPermissions(t *testing.T) {
	h := newHarness(t, Options{})
	target := userID(t, h, "Noor")
	// Each caller, and the mutations that must work for it in demo.
	callers := []struct {
		who string
		may map[string]bool
	}{
		{"", nil},           // Client-ID
		{"lurker", nil},     // a token without the chat scope
		{"ViewerVic", nil},  // a plain viewer
		{"quiet", nil},      // another channel's streamer
		{"banned_bob", nil}, // banned, and no moderator anyway
		{"demo", map[string]bool{"shortTimeoutUser": true, "longTimeoutUser": true, "banUser": true, "unbanUser": true, "deleteChatMessage": true}},
		{"MartaMod", map[string]bool{"shortTimeoutUser": true, "longTimeoutUser": true, "banUser": true, "unbanUser": true, "deleteChatMessage": true}},
		{"AdminAda", map[string]bool{"shortTimeoutUser": true, "longTimeoutUser": true, "banUser": true, "unbanUser": true, "deleteChatMessage": true}},
		{"HelperHana", map[string]bool{"shortTimeoutUser": true, "deleteChatMessage": true}},
	}
	for _, tr := range transports {
		for _, c := range callers {
			for _, field := range []string{"shortTimeoutUser", "longTimeoutUser", "banUser", "unbanUser", "deleteChatMessage"} {
				query, vars := modUserDoc(field), map[string]any{"c": "6", "u": target}
				switch field {
				case "deleteChatMessage":
					id, err := h.inst.Post("demo", "SubSam", "delete me")
					if err != nil {
						t.Fatal(err)
					}
					query, vars = deleteDoc, map[string]any{"c": "6", "m": id}
				case "unbanUser":
					// Zofia has one permanent ban to lift, so that only the
					// policy can refuse.
					s := h.inst.store
					c, zofia := s.channelByID(6), s.userByName("Zofia")
					s.mu.RLock()
					b, _ := c.activeBanLocked(zofia, testNow)
					s.mu.RUnlock()
					if b == nil {
						if _, err := h.inst.moderate(c, s.userByName("MartaMod"), zofia, banAction, nil); err != nil {
							t.Fatal(err)
						}
					}
					vars["u"] = userID(t, h, "Zofia")
				}
				r := tr.run(t, h, c.who, query, vars)
				if r.status != http.StatusOK {
					t.Fatalf("%s %s as %q: status %d %s", tr.name, field, c.who, r.status, r.raw)
				}
				if !c.may[field] {
					if got := errMessages(r); len(got) != 1 || got[0] != "unauthorized" || at(t, r.body, "data", field) != nil {
						t.Errorf("%s %s as %q: %s, want unauthorized", tr.name, field, c.who, r.raw)
					}
					continue
				}
				if r.body["errors"] != nil || at(t, r.body, "data", field, "moderator", "username") != c.who {
					t.Errorf("%s %s as %q: %s", tr.name, field, c.who, r.raw)
				}
			}
		}
	}
	// A moderator of demo is nobody in quiet.
	r := h.gql(t, "Bearer "+h.token(t, "MartaMod"), modUserDoc("banUser"), map[string]any{"c": "7", "u": target})
	wantOneError(t, r, "unauthorized")
}

func TestModerationEffects(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			clock := newClock()
			h := newHarness(t, Options{Now: clock.now})
			mod := func(who, field, target string) map[string]any {
				t.Helper()
				r := tr.run(t, h, who, modUserDoc(field), map[string]any{"c": "6", "u": userID(t, h, target)})
				if r.status != http.StatusOK || r.body["errors"] != nil {
					t.Fatalf("%s %s: %s", field, target, r.raw)
				}
				return at(t, r.body, "data", field).(map[string]any)
			}
			now := testNow.Format(naiveLayout)

			// A short timeout: 5 minutes, counted down on the demo's clock.
			l := mod("MartaMod", "shortTimeoutUser", "Noor")
			want := map[string]any{"id": l["id"], "action": "short_timeout", "insertedAt": now, "updatedAt": now,
				"channel": map[string]any{"id": "6"}, "moderator": map[string]any{"username": "MartaMod"}, "user": map[string]any{"username": "Noor"}}
			if !reflect.DeepEqual(l, want) {
				t.Errorf("log row %v, want %v", l, want)
			}
			wantLatestBan(t, tr, h, "Noor", testNow.Add(5*time.Minute))
			wantPost(t, tr, h, "Noor", "You are banned from this channel for 5 more minutes.")
			clock.advance(4*time.Minute + 30*time.Second)
			wantPost(t, tr, h, "Noor", "You are banned from this channel for 1 more minutes.")
			// unbanUser does not lift a timeout: it raises, and logs nothing.
			logsBefore := len(modLogs(t, tr, h))
			wantRaised(t, tr, tr.run(t, h, "MartaMod", modUserDoc("unbanUser"), map[string]any{"c": "6", "u": userID(t, h, "Noor")}), 500)
			if n := len(modLogs(t, tr, h)); n != logsBefore {
				t.Errorf("a failed unban wrote a log row: %d rows, had %d", n, logsBefore)
			}
			clock.advance(29 * time.Second)
			wantPost(t, tr, h, "Noor", "You are banned from this channel for 1 more minutes.")
			clock.advance(time.Second) // expires_at > now no longer holds
			wantPost(t, tr, h, "Noor", "")

			// A long timeout: 15 minutes.
			mod("HelperHana", "shortTimeoutUser", "kenji_k")
			clock.advance(5 * time.Minute)
			l = mod("demo", "longTimeoutUser", "kenji_k")
			if l["action"] != "long_timeout" {
				t.Errorf("long timeout logged %v", l["action"])
			}
			wantLatestBan(t, tr, h, "kenji_k", clock.now().Add(15*time.Minute))
			wantPost(t, tr, h, "kenji_k", "You are banned from this channel for 15 more minutes.")
			clock.advance(15 * time.Minute)
			wantPost(t, tr, h, "kenji_k", "")

			// A ban lasts until unbanUser, which logs and lifts it.
			l = mod("AdminAda", "banUser", "Zofia")
			if l["action"] != "ban" || at(t, l, "moderator", "username") != "AdminAda" {
				t.Errorf("ban logged %v", l)
			}
			wantLatestBan(t, tr, h, "Zofia", time.Time{})
			clock.advance(365 * 24 * time.Hour)
			wantPost(t, tr, h, "Zofia", "You are permanently banned from this channel.")
			bansBefore := len(bans(t, tr, h))
			if l = mod("MartaMod", "unbanUser", "Zofia"); l["action"] != "unban" || at(t, l, "user", "username") != "Zofia" {
				t.Errorf("unban logged %v", l)
			}
			if n := len(bans(t, tr, h)); n != bansBefore-1 {
				t.Errorf("unban left %d bans, had %d", n, bansBefore)
			}
			wantPost(t, tr, h, "Zofia", "")
			wantRaised(t, tr, tr.run(t, h, "MartaMod", modUserDoc("unbanUser"), map[string]any{"c": "6", "u": userID(t, h, "Zofia")}), 500)

			// Unbanning during a ban and a timeout lifts only the ban.
			mod("MartaMod", "banUser", "Zofia")
			mod("MartaMod", "longTimeoutUser", "Zofia")
			mod("MartaMod", "unbanUser", "Zofia")
			wantPost(t, tr, h, "Zofia", "You are banned from this channel for 15 more minutes.")

			// The streamer and admins post whatever their bans say.
			mod("MartaMod", "banUser", "demo")
			mod("MartaMod", "banUser", "AdminAda")
			wantPost(t, tr, h, "demo", "")
			wantPost(t, tr, h, "AdminAda", "")

			// A deleted message stays in chatMessages; the log names its author.
			id, err := h.inst.Post("demo", "SubSam", "soon deleted")
			if err != nil {
				t.Fatal(err)
			}
			r := tr.run(t, h, "MartaMod", deleteDoc, map[string]any{"c": "6", "m": id})
			if at(t, r.body, "data", "deleteChatMessage", "action") != "delete_message" || at(t, r.body, "data", "deleteChatMessage", "user", "username") != "SubSam" {
				t.Errorf("delete: %s", r.raw)
			}
			r = tr.run(t, h, "", `{ channel(id: 6){ chatMessages(last: 1){ edges{ node{ id message } } } } }`, nil)
			if at(t, r.body, "data", "channel", "chatMessages", "edges", 0, "node", "id") != id {
				t.Errorf("deleted message gone from history: %s", r.raw)
			}
			wantPost(t, tr, h, "SubSam", "")
		})
	}
}

// Two active rows make the real Repo.one in is_banned_until raise.
func TestTwoActiveBansRaise(t *testing.T) {
	for _, tr := range transports {
		h := newHarness(t, Options{})
		vars := map[string]any{"c": "6", "u": userID(t, h, "timeout_tim")}
		if r := tr.run(t, h, "MartaMod", modUserDoc("shortTimeoutUser"), vars); r.body["errors"] != nil {
			t.Fatalf("%s: %s", tr.name, r.raw)
		}
		wantRaised(t, tr, tr.run(t, h, "timeout_tim", sendDoc, map[string]any{"c": "6", "m": "hi"}), 500)
		// Two permanent bans make unbanUser's Repo.one raise too.
		vars["u"] = userID(t, h, "banned_bob")
		tr.run(t, h, "MartaMod", modUserDoc("banUser"), vars)
		wantRaised(t, tr, tr.run(t, h, "MartaMod", modUserDoc("unbanUser"), vars), 500)
	}
}

// Nonexistent ids raise in the bang lookups, before the policy is asked.
func TestModerationMissingRecords(t *testing.T) {
	for _, tr := range transports {
		h := newHarness(t, Options{})
		for _, c := range []struct {
			who, query string
			vars       map[string]any
		}{
			{"ViewerVic", modUserDoc("banUser"), map[string]any{"c": "6", "u": "999"}},
			{"MartaMod", modUserDoc("shortTimeoutUser"), map[string]any{"c": "999", "u": "207"}},
			{"MartaMod", modUserDoc("longTimeoutUser"), map[string]any{"c": "6", "u": "nope"}},
			{"MartaMod", deleteDoc, map[string]any{"c": "6", "m": "999999"}},
			{"ViewerVic", deleteDoc, map[string]any{"c": "6", "m": "999999"}},
		} {
			wantRaised(t, tr, tr.run(t, h, c.who, c.query, c.vars), 404)
		}
		// The scope check comes first.
		if r := tr.run(t, h, "", modUserDoc("banUser"), map[string]any{"c": "999", "u": "999"}); len(errMessages(r)) != 1 || errMessages(r)[0] != "unauthorized" {
			t.Errorf("%s: Client-ID with missing ids: %s", tr.name, r.raw)
		}
	}
}

// As on the real server, a message of another channel may be deleted
// through a channel one moderates: only the policy for channelId counts.
func TestDeleteMessageOfAnotherChannel(t *testing.T) {
	h := newHarness(t, Options{})
	id, err := h.inst.Post("quiet", "quiet", "in quiet")
	if err != nil {
		t.Fatal(err)
	}
	r := h.gql(t, "Bearer "+h.token(t, "MartaMod"), deleteDoc, map[string]any{"c": "6", "m": id})
	if at(t, r.body, "data", "deleteChatMessage", "channel", "id") != "6" || at(t, r.body, "data", "deleteChatMessage", "user", "username") != "quiet" {
		t.Errorf("cross-channel delete: %s", r.raw)
	}
}

// modLogs reads demo's moderation log with the Client-ID.
func modLogs(t *testing.T, tr transport, h *harness) []any {
	t.Helper()
	r := tr.run(t, h, "", `{ channel(id: 6){ moderationLogs(last: 1000){ edges{ node{ id action moderator{ username } user{ username } } } } } }`, nil)
	return at(t, r.body, "data", "channel", "moderationLogs", "edges").([]any)
}

func bans(t *testing.T, tr transport, h *harness) []any {
	t.Helper()
	r := tr.run(t, h, "", `{ channel(id: 6){ bans(last: 1000){ edges{ node{ id expiresAt reason user{ username } } } } } }`, nil)
	return at(t, r.body, "data", "channel", "bans", "edges").([]any)
}

// wantLatestBan checks the newest bans row: its user, and its expiresAt
// (null for a zero time).
func wantLatestBan(t *testing.T, tr transport, h *harness, who string, expires time.Time) {
	t.Helper()
	all := bans(t, tr, h)
	b := at(t, all[len(all)-1], "node")
	var want any
	if !expires.IsZero() {
		want = expires.UTC().Format(naiveLayout)
	}
	if at(t, b, "user", "username") != who || at(t, b, "expiresAt") != want || at(t, b, "reason") != nil {
		t.Errorf("newest ban %v, want %s until %v", b, who, want)
	}
}

func TestModerationReadsAndPagination(t *testing.T) {
	h := newHarness(t, Options{})
	c, marta := h.inst.store.channelByID(6), h.inst.store.userByName("MartaMod")
	for _, name := range []string{"Noor", "kenji_k", "Zofia", "ViewerVic", "SubSam"} {
		if _, err := h.inst.moderate(c, marta, h.inst.store.userByName(name), shortTimeout, nil); err != nil {
			t.Fatal(err)
		}
	}
	// Fixtures: bob's ban and tim's long timeout, then the five above.
	q := `query($f: Int, $l: Int, $a: String, $b: String){ channel(id: 6){
		bans(first: $f, last: $l, after: $a, before: $b){ count edges{ cursor node{ id user{ username } } } pageInfo{ hasPreviousPage hasNextPage startCursor endCursor } }
		moderationLogs(first: $f, last: $l, after: $a, before: $b){ count edges{ cursor node{ id action user{ username } } } pageInfo{ hasPreviousPage hasNextPage startCursor endCursor } } } }`
	for _, tr := range transports {
		page := func(vars map[string]any) (bans, logs map[string]any) {
			r := tr.run(t, h, "", q, vars)
			if r.body["errors"] != nil {
				t.Fatalf("%s %v: %s", tr.name, vars, r.raw)
			}
			ch := at(t, r.body, "data", "channel")
			return at(t, ch, "bans").(map[string]any), at(t, ch, "moderationLogs").(map[string]any)
		}
		users := func(conn map[string]any) string {
			var out []string
			for _, e := range conn["edges"].([]any) {
				out = append(out, at(t, e, "node", "user", "username").(string))
			}
			return strings.Join(out, " ")
		}
		b, l := page(map[string]any{"f": 3})
		for _, conn := range []map[string]any{b, l} {
			if users(conn) != "banned_bob timeout_tim Noor" || conn["count"] != float64(3) ||
				at(t, conn, "pageInfo", "hasNextPage") != true || at(t, conn, "pageInfo", "endCursor") != offsetToCursor(2) {
				t.Errorf("%s first 3: %v", tr.name, conn)
			}
		}
		if at(t, l, "edges", 0, "node", "action") != "ban" || at(t, l, "edges", 1, "node", "action") != "long_timeout" || at(t, l, "edges", 2, "node", "action") != "short_timeout" {
			t.Errorf("%s log actions %v", tr.name, l["edges"])
		}
		b, l = page(map[string]any{"f": 3, "a": offsetToCursor(2)})
		for _, conn := range []map[string]any{b, l} {
			if users(conn) != "kenji_k Zofia ViewerVic" || at(t, conn, "pageInfo", "hasPreviousPage") != true {
				t.Errorf("%s after 2: %v", tr.name, conn)
			}
		}
		b, l = page(map[string]any{"l": 2, "b": offsetToCursor(6)})
		for _, conn := range []map[string]any{b, l} {
			if users(conn) != "Zofia ViewerVic" || at(t, conn, "edges", 0, "cursor") != offsetToCursor(4) {
				t.Errorf("%s last 2 before 6: %v", tr.name, conn)
			}
		}
		r := tr.run(t, h, "", q, map[string]any{"f": 1, "a": "garbage"})
		if got := errMessages(r); len(got) != 2 || got[0] != "Invalid cursor provided as `after` argument" {
			t.Errorf("%s bad cursor: %s", tr.name, r.raw)
		}
	}

	// Moderators and the streamer, with the Client-ID: enough for a widget
	// to tell whether the signed-in viewer (myself) may moderate.
	r := h.gql(t, clientAuth(), `{ channel(id: 6){ streamer{ id username } moderators{ count edges{ node{ id insertedAt updatedAt channel{ id } user{ username }
		canShortTimeout canLongTimeout canUnTimeout canBan canUnban canDelete } } } } }`, nil)
	if at(t, r.body, "data", "channel", "streamer", "username") != "demo" || at(t, r.body, "data", "channel", "moderators", "count") != float64(2) {
		t.Fatalf("moderators: %s", r.raw)
	}
	flags := func(i int) string {
		n := at(t, r.body, "data", "channel", "moderators", "edges", i, "node").(map[string]any)
		s := fmt.Sprint(at(t, n, "user", "username"))
		for _, f := range []string{"canShortTimeout", "canLongTimeout", "canUnTimeout", "canBan", "canUnban", "canDelete"} {
			if n[f] == true {
				s += " " + f
			}
		}
		return s
	}
	if flags(0) != "MartaMod canShortTimeout canLongTimeout canUnTimeout canBan canUnban canDelete" || flags(1) != "HelperHana canShortTimeout canDelete" {
		t.Errorf("moderator flags %q, %q", flags(0), flags(1))
	}
	r = h.gql(t, "Bearer "+h.token(t, "MartaMod"), `{ myself{ id username } }`, nil)
	if at(t, r.body, "data", "myself", "id") != userID(t, h, "MartaMod") {
		t.Errorf("myself: %s", r.raw)
	}
	r = h.gql(t, clientAuth(), `{ channel(id: 7){ moderators{ count } bans{ count } moderationLogs{ count } } }`, nil)
	for _, f := range []string{"moderators", "bans", "moderationLogs"} {
		if at(t, r.body, "data", "channel", f, "count") != float64(0) {
			t.Errorf("quiet %s: %s", f, r.raw)
		}
	}
}

func TestModerationRowsLimit(t *testing.T) {
	h := newTunedHarness(t, Options{}, func(inst *Instance) { inst.lim.messagesPerRequest = 3 })
	r := h.gql(t, clientAuth(), `{ channel(id: 6){ a: moderators{ count } b: bans{ count } } }`, nil)
	wantOneError(t, r, "Too many moderation rows (bans, moderators, log entries): the demo returns at most 3 per request")
	// Chat messages keep their own tally.
	r = h.gql(t, clientAuth(), `{ channel(id: 6){ bans{ count } chatMessages(last: 3){ count } } }`, nil)
	if r.body["errors"] != nil {
		t.Errorf("bans and messages: %s", r.raw)
	}
}

func TestModerationTablesBounded(t *testing.T) {
	h := newHarness(t, Options{})
	s := h.inst.store
	c, marta, noor := s.channelByID(6), s.userByName("MartaMod"), s.userByName("Noor")
	rows, _ := snapshot(s, &c.bans)
	total := len(rows)
	for ; total < maxHistory+historySlack+10; total++ {
		if _, err := h.inst.moderate(c, marta, noor, shortTimeout, nil); err != nil {
			t.Fatal(err)
		}
	}
	rows, oldest := snapshot(s, &c.bans)
	if len(rows) != maxHistory || oldest != total-maxHistory || cap(rows) > maxHistory+historySlack {
		t.Errorf("bans: %d rows from %d (cap %d)", len(rows), oldest, cap(rows))
	}
	logs, oldest := snapshot(s, &c.modLogs)
	if len(logs) != maxHistory || oldest != total-maxHistory {
		t.Errorf("logs: %d rows from %d", len(logs), oldest)
	}
}

// The simulated moderator times the spammer out through moderate, so the
// log shows it; the spammer comes back once the timeout has run out.
func TestSimulatedModerator(t *testing.T) {
	clock := newClock()
	h := newHarness(t, Options{Seed: 3, ChatRate: 1, Now: clock.now})
	const turns = 800
	msgs, _ := driveChat(t, h, turns, func() { clock.advance(time.Second) })
	var spam []int
	for i, m := range msgs {
		if m.user.username != spammerName {
			continue
		}
		spam = append(spam, i)
		if i+1 >= len(msgs) {
			break
		}
		if next := msgs[i+1]; next.user.username != simModeratorName || !strings.Contains(next.text, spammerName) {
			t.Errorf("turn after the spam: %s: %s", next.user.username, next.text)
		}
	}
	if len(spam) < 2 || spam[0] < 29 || spam[0] > 60 {
		t.Fatalf("spam at turns %v of %d", spam, turns)
	}
	for i := 1; i < len(spam); i++ {
		if gap := spam[i] - spam[i-1]; gap < 300 {
			t.Errorf("spam %d turns after the last, within its 5-minute timeout", gap)
		}
	}
	t.Logf("spam at turns %v", spam)
	logs := modLogs(t, transports[0], h)
	var timeouts int
	for _, e := range logs {
		n := at(t, e, "node")
		if at(t, n, "user", "username") == spammerName {
			timeouts++
			if at(t, n, "action") != "short_timeout" || at(t, n, "moderator", "username") != simModeratorName {
				t.Errorf("spammer's log row %v", n)
			}
		}
	}
	if timeouts != len(spam) {
		t.Errorf("%d spams, %d timeouts logged", len(spam), timeouts)
	}
	// The same seed gives the same spam.
	clock2 := newClock()
	h2 := newHarness(t, Options{Seed: 3, ChatRate: 1, Now: clock2.now})
	again, _ := driveChat(t, h2, turns, func() { clock2.advance(time.Second) })
	for i := range msgs {
		if msgs[i].user.username != again[i].user.username || msgs[i].text != again[i].text {
			t.Fatalf("turn %d differs with the same seed", i)
		}
	}
}
