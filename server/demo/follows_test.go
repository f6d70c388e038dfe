package demo

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

const followFields = `id hasLiveNotifications insertedAt updatedAt streamer{ username } user{ username }`

const followDoc = `mutation($s: ID!, $l: Boolean!){ follow(streamerId: $s, liveNotifications: $l){ ` + followFields + ` } }`

const unfollowDoc = `mutation($s: ID!){ unfollow(streamerId: $s){ ` + followFields + ` } }`

// follow runs the follow mutation as who over tr.
func follow(t *testing.T, tr transport, h *harness, who, streamer string, live bool) result {
	t.Helper()
	return tr.run(t, h, who, followDoc, map[string]any{"s": userID(t, h, streamer), "l": live})
}

// announcements lists the follow announcements in the channel of streamer
// as "user: message".
func announcements(t *testing.T, h *harness, streamer string) []string {
	t.Helper()
	s := h.inst.store
	var out []string
	for _, m := range s.messagesOf(s.channelOf(s.userByName(streamer))) {
		if m.followed {
			out = append(out, m.user.username+":"+m.text)
		}
	}
	return out
}

func TestFollowRules(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			clock := newClock()
			h := newHarness(t, Options{Now: clock.now})
			// The follow scope: not a Client-ID, not a token without it.
			for _, who := range []string{"", "lurker"} {
				wantOneError(t, follow(t, tr, h, who, "demo", false), "unauthorized")
				wantOneError(t, tr.run(t, h, who, unfollowDoc, map[string]any{"s": "154"}), "unauthorized")
			}
			// Accounts.get_user: a miss is not found, an id Ecto cannot
			// cast raises.
			wantOneError(t, tr.run(t, h, "Noor", followDoc, map[string]any{"s": "999", "l": false}), "Could not find resource")
			wantOneError(t, tr.run(t, h, "Noor", unfollowDoc, map[string]any{"s": "999"}), "Could not find resource")
			wantRaised(t, tr, tr.run(t, h, "Noor", followDoc, map[string]any{"s": "demo", "l": false}), 404)
			if got := announcements(t, h, "demo"); len(got) != 0 {
				t.Fatalf("refused follows announced %v", got)
			}

			r := follow(t, tr, h, "Noor", "demo", false)
			now := testNow.Format(naiveLayout)
			f, _ := at(t, r.body, "data", "follow").(map[string]any)
			want := map[string]any{"id": f["id"], "hasLiveNotifications": false, "insertedAt": now, "updatedAt": now,
				"streamer": map[string]any{"username": "demo"}, "user": map[string]any{"username": "Noor"}}
			if r.body["errors"] != nil || !reflect.DeepEqual(f, want) {
				t.Fatalf("follow: %s", r.raw)
			}
			// The announcement, by the follower, leading blank and all.
			q := `{ channel(id: 6){ chatMessages(last: 1){ edges{ node{ message isFollowedMessage isSubscriptionMessage
				user{ username } metadata{ subscriber } tokens{ type text } } } } } }`
			r = tr.run(t, h, "", q, nil)
			node := at(t, r.body, "data", "channel", "chatMessages", "edges", 0, "node")
			if at(t, node, "message") != " just followed the stream!" || at(t, node, "isFollowedMessage") != true ||
				at(t, node, "isSubscriptionMessage") != false || at(t, node, "user", "username") != "Noor" ||
				at(t, node, "metadata", "subscriber") != false ||
				!reflect.DeepEqual(at(t, node, "tokens"), []any{map[string]any{"type": "text", "text": " just followed the stream!"}}) {
				t.Errorf("announcement %v", node)
			}
			// An ordinary message is not one.
			if _, err := h.inst.Post("demo", "Zofia", "hi"); err != nil {
				t.Fatal(err)
			}
			r = tr.run(t, h, "", q, nil)
			if at(t, r.body, "data", "channel", "chatMessages", "edges", 0, "node", "isFollowedMessage") != false {
				t.Errorf("ordinary message: %s", r.raw)
			}

			// The unique index refuses a second follow, and nothing is
			// announced.
			wantOneError(t, follow(t, tr, h, "Noor", "demo", true), "streamer_id: has already been taken")
			if got := announcements(t, h, "demo"); !reflect.DeepEqual(got, []string{"Noor: just followed the stream!"}) {
				t.Errorf("announcements %q", got)
			}

			// Live notifications, as asked.
			r = follow(t, tr, h, "kenji_k", "demo", true)
			if at(t, r.body, "data", "follow", "hasLiveNotifications") != true {
				t.Errorf("live notifications: %s", r.raw)
			}
			// The default is false.
			r = tr.run(t, h, "Zofia", `mutation{ follow(streamerId: 154){ hasLiveNotifications } }`, nil)
			if at(t, r.body, "data", "follow", "hasLiveNotifications") != false {
				t.Errorf("default live notifications: %s", r.raw)
			}

			// A user without a channel can be followed; nothing is
			// announced anywhere.
			before := len(h.inst.store.messagesOf(h.inst.store.channelByID(6)))
			if r = follow(t, tr, h, "Noor", "ViewerVic", false); r.body["errors"] != nil {
				t.Errorf("follow of a user without a channel: %s", r.raw)
			}
			if after := len(h.inst.store.messagesOf(h.inst.store.channelByID(6))); after != before {
				t.Errorf("a follow of ViewerVic posted in demo")
			}

			// Nothing stops the streamer following their own channel, and
			// the announcement is then theirs.
			if r = follow(t, tr, h, "demo", "demo", false); r.body["errors"] != nil {
				t.Errorf("self-follow: %s", r.raw)
			}
			if got := announcements(t, h, "demo"); got[len(got)-1] != "demo: just followed the stream!" {
				t.Errorf("self-follow announcements %q", got)
			}

			// Unfollow answers with the row it deleted; a second one is
			// "Not following".
			clock.advance(time.Minute)
			r = tr.run(t, h, "Noor", unfollowDoc, map[string]any{"s": "154"})
			if got := at(t, r.body, "data", "unfollow").(map[string]any); !reflect.DeepEqual(got, want) {
				t.Errorf("unfollow %v, want %v", got, want)
			}
			wantOneError(t, tr.run(t, h, "Noor", unfollowDoc, map[string]any{"s": "154"}), "Not following")
			// Following again makes a new row.
			r = follow(t, tr, h, "Noor", "demo", false)
			if at(t, r.body, "data", "follow", "id") == want["id"] || at(t, r.body, "data", "follow", "insertedAt") != testNow.Add(time.Minute).Format(naiveLayout) {
				t.Errorf("refollow: %s", r.raw)
			}
		})
	}
}

// At most one announcement per user and channel in six hours, counted
// from the last announcement as NaiveDateTime.diff does: more than 21 600
// whole seconds.
func TestFollowAnnouncementThrottle(t *testing.T) {
	clock := newClock()
	h := newHarness(t, Options{Now: clock.now})
	refollow := func(streamer string) string {
		t.Helper()
		if err := h.inst.Unfollow(streamer, "Noor"); err != nil && !strings.Contains(err.Error(), "Not following") {
			t.Fatal(err)
		}
		id, err := h.inst.Follow(streamer, "Noor")
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	if refollow("demo") == "" {
		t.Fatal("the first follow announced nothing")
	}
	for _, step := range []struct {
		after time.Duration
		want  bool
	}{
		{time.Hour, false},
		{5*time.Hour - time.Second, false},          // 6 h less a second since the announcement
		{time.Second + 999*time.Millisecond, false}, // 21 600.999 s: diff is 21 600
		{time.Millisecond, true},                    // 21 601 s
		{time.Minute, false},                        // counted from the new one
	} {
		clock.advance(step.after)
		if got := refollow("demo") != ""; got != step.want {
			t.Fatalf("%v after the last announcement: announced %v, want %v", clock.now().Sub(testNow), got, step.want)
		}
	}
	// Per channel: quiet's first follow by Noor is announced there.
	if refollow("quiet") == "" || len(announcements(t, h, "quiet")) != 1 {
		t.Errorf("follow of quiet: %q", announcements(t, h, "quiet"))
	}
	// Per user: someone else in demo is announced.
	if id, err := h.inst.Follow("demo", "Zofia"); err != nil || id == "" {
		t.Errorf("Zofia's follow: %q %v", id, err)
	}
	if got := len(announcements(t, h, "demo")); got != 3 {
		t.Errorf("%d announcements in demo, want 3: %q", got, announcements(t, h, "demo"))
	}
	// The rule reads the newest announcement even after the history let
	// it go.
	s := h.inst.store
	c := s.channelByID(6)
	s.mu.Lock()
	c.messages.rows = c.messages.rows[len(c.messages.rows)-1:]
	s.mu.Unlock()
	clock.advance(time.Minute)
	if refollow("demo") != "" {
		t.Errorf("announced again once the history forgot the last one")
	}
}

// can_create_chat_message? is a plain ban check: anyone banned or timed
// out in the channel follows without an announcement, the streamer and
// admins included, though they may chat. Two bans at once make its
// Repo.one raise, after the follow is in.
func TestFollowAnnouncementNeedsNoBan(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			h := newHarness(t, Options{})
			c, marta := h.inst.store.channelByID(6), h.inst.store.userByName("MartaMod")
			for _, name := range []string{"demo", "AdminAda"} {
				if _, err := h.inst.moderate(c, marta, h.inst.store.userByName(name), banAction, nil); err != nil {
					t.Fatal(err)
				}
			}
			for _, who := range []string{"banned_bob", "timeout_tim", "demo", "AdminAda"} {
				if r := follow(t, tr, h, who, "demo", false); r.body["errors"] != nil || at(t, r.body, "data", "follow", "user", "username") != who {
					t.Errorf("follow by %s: %s", who, r.raw)
				}
			}
			wantPost(t, tr, h, "AdminAda", "") // who may still chat
			if got := announcements(t, h, "demo"); len(got) != 0 {
				t.Errorf("announced for the banned: %q", got)
			}
			// Elsewhere they are not banned.
			if r := follow(t, tr, h, "banned_bob", "quiet", false); r.body["errors"] != nil || len(announcements(t, h, "quiet")) != 1 {
				t.Errorf("banned_bob in quiet: %s %q", r.raw, announcements(t, h, "quiet"))
			}
			// Two timeouts at once: the check raises, the row stays.
			noor := h.inst.store.userByName("Noor")
			for range 2 {
				if _, err := h.inst.moderate(c, marta, noor, shortTimeout, nil); err != nil {
					t.Fatal(err)
				}
			}
			wantRaised(t, tr, follow(t, tr, h, "Noor", "demo", false), 500)
			wantOneError(t, follow(t, tr, h, "Noor", "demo", false), errTaken)
		})
	}
}

// subscribeDoc subscribes to doc over w and returns the subscription id.
func (w *wsClient) subscribeDoc(joinRef, ref, doc string, vars map[string]any) string {
	w.t.Helper()
	w.send(joinRef, ref, controlTopic, "doc", map[string]any{"query": doc, "variables": vars})
	f := w.replyTo(ref, nil)
	id, _ := at(w.t, f.payload, "response", "subscriptionId").(string)
	if f.payload["status"] != "ok" || !subIDRe.MatchString(id) {
		w.t.Fatalf("subscribe reply %s", f.raw)
	}
	return id
}

// pushesWithin collects the subscription pushes that arrive within d.
func (w *wsClient) pushesWithin(d time.Duration) map[string][]map[string]any {
	w.t.Helper()
	out := make(map[string][]map[string]any)
	deadline := time.Now().Add(d)
	for {
		f, err := w.readWithin(time.Until(deadline))
		if err != nil {
			return out
		}
		if f.event == "subscription:data" {
			data, _ := at(w.t, f.payload, "result", "data").(map[string]any)
			out[f.topic] = append(out[f.topic], data)
		}
	}
}

// Follows are pushed on followers(streamerId) of the streamer and on the
// firehose; the announcement on chatMessage like any message.
func TestFollowPushes(t *testing.T) {
	h := newHarness(t, Options{})
	w := h.dial(t, "vsn=2.0.0&client_id="+ClientID)
	w.join("1")
	fdoc := `subscription($s: ID){ followers(streamerId: $s){ id hasLiveNotifications streamer{ username } user{ username } } }`
	demoSub := w.subscribeDoc("1", "2", fdoc, map[string]any{"s": "154"})
	allSub := w.subscribeDoc("1", "3", `subscription{ followers{ user{ username } streamer{ username } } }`, nil)
	padded := w.subscribeDoc("1", "4", fdoc, map[string]any{"s": "0154"}) // topics match as text
	chat := w.subscribeDoc("1", "5", `subscription{ chatMessage(channelId: 6){ message isFollowedMessage user{ username } } }`, nil)

	r := h.gql(t, "Bearer "+h.token(t, "Noor"), followDoc, map[string]any{"s": "154", "l": true})
	if r.body["errors"] != nil {
		t.Fatalf("follow: %s", r.raw)
	}
	if _, err := h.inst.Follow("quiet", "Zofia"); err != nil {
		t.Fatal(err)
	}
	got := w.pushesWithin(500 * time.Millisecond)
	want := map[string][]map[string]any{
		demoSub: {{"followers": map[string]any{"id": at(t, r.body, "data", "follow", "id"), "hasLiveNotifications": true,
			"streamer": map[string]any{"username": "demo"}, "user": map[string]any{"username": "Noor"}}}},
		allSub: {
			{"followers": map[string]any{"user": map[string]any{"username": "Noor"}, "streamer": map[string]any{"username": "demo"}}},
			{"followers": map[string]any{"user": map[string]any{"username": "Zofia"}, "streamer": map[string]any{"username": "quiet"}}},
		},
		chat: {{"chatMessage": map[string]any{"message": " just followed the stream!", "isFollowedMessage": true, "user": map[string]any{"username": "Noor"}}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pushes\n got %v\nwant %v", got, want)
	}
	if len(got[padded]) != 0 {
		t.Errorf("a streamerId of 0154 got %v", got[padded])
	}
	// A refused follow pushes nothing.
	h.gql(t, "Bearer "+h.token(t, "Noor"), followDoc, map[string]any{"s": "154", "l": true})
	if got := w.pushesWithin(300 * time.Millisecond); len(got) != 0 {
		t.Errorf("a refused follow pushed %v", got)
	}
}
