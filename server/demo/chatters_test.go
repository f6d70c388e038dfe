package demo

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode"
)

// runChat drives Run with a fake ticker for n ticks and returns what was
// published in demo, in order.
func runChat(t *testing.T, seed int64, n int) ([]*message, time.Duration) {
	t.Helper()
	return driveChat(t, newHarness(t, Options{Seed: seed, ChatRate: 5}), n, nil)
}

// driveChat is runChat on h, calling beforeTick (when set) before each tick.
func driveChat(t *testing.T, h *harness, n int, beforeTick func()) ([]*message, time.Duration) {
	t.Helper()
	ticks := make(chan time.Time)
	var asked time.Duration
	h.inst.ticker = func(d time.Duration) (<-chan time.Time, func()) {
		asked = d
		return ticks, func() {}
	}
	sub := h.inst.hub.subscribe(fieldChat, ptr("6"))
	defer h.inst.hub.unsubscribe(sub)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.inst.Run(ctx); close(done) }()
	var got []*message
	for range n {
		if beforeTick != nil {
			beforeTick()
		}
		ticks <- testNow
		select {
		case m := <-sub.ch:
			got = append(got, m.(*message))
		case <-time.After(5 * time.Second):
			t.Fatalf("no message after %d ticks", len(got))
		}
	}
	cancel()
	<-done
	return got, asked
}

func TestChattersVariedAndComplete(t *testing.T) {
	msgs, interval := runChat(t, 42, 80)
	if interval != 200*time.Millisecond {
		t.Errorf("ChatRate 5 asked for a %v ticker", interval)
	}
	roles := map[string]bool{}
	var emote, url, rtl, cjk, emoji, long bool
	for _, m := range msgs {
		if m.meta == nil {
			t.Fatalf("live message %d has no metadata", m.id)
		}
		for name, on := range map[string]bool{"streamer": m.meta.streamer, "moderator": m.meta.moderator, "subscriber": m.meta.subscriber,
			"founder": m.meta.founder, "supporter": m.meta.supporter, "admin": m.meta.admin} {
			roles[name] = roles[name] || on
		}
		if *m.meta == (metadata{}) {
			roles["viewer"] = true
		}
		for _, tk := range m.tokens {
			emote = emote || tk.Type == "emote"
			url = url || tk.Type == "url"
		}
		for _, r := range m.text {
			rtl = rtl || unicode.In(r, unicode.Arabic, unicode.Hebrew)
			cjk = cjk || unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Hangul)
			emoji = emoji || r >= 0x1F300
		}
		for _, w := range strings.Fields(m.text) {
			long = long || len(w) >= 40
		}
	}
	for _, role := range []string{"streamer", "moderator", "subscriber", "founder", "supporter", "admin", "viewer"} {
		if !roles[role] {
			t.Errorf("no %s among %d simulated messages", role, len(msgs))
		}
	}
	for name, ok := range map[string]bool{"emote": emote, "url": url, "rtl": rtl, "cjk": cjk, "emoji": emoji, "long word": long} {
		if !ok {
			t.Errorf("no %s among %d simulated messages", name, len(msgs))
		}
	}
}

func TestChattersDeterministic(t *testing.T) {
	key := func(ms []*message) string {
		var b strings.Builder
		for _, m := range ms {
			b.WriteString(m.user.username + ":" + m.text + "\n")
		}
		return b.String()
	}
	a, _ := runChat(t, 7, 30)
	b, _ := runChat(t, 7, 30)
	c, _ := runChat(t, 8, 30)
	if key(a) != key(b) {
		t.Errorf("same seed, different chat")
	}
	if key(a) == key(c) {
		t.Errorf("different seeds, same chat")
	}
	ha := newHarness(t, Options{Seed: 7})
	hb := newHarness(t, Options{Seed: 7})
	if key(ha.inst.store.messagesOf(ha.inst.store.channelByID(6))) != key(hb.inst.store.messagesOf(hb.inst.store.channelByID(6))) {
		t.Errorf("same seed, different history")
	}
}

func TestChatRateZeroIsOff(t *testing.T) {
	h := newHarness(t, Options{ChatRate: 0})
	h.inst.ticker = func(time.Duration) (<-chan time.Time, func()) {
		t.Error("a ticker was started with ChatRate 0")
		return nil, func() {}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	before := len(h.inst.store.messagesOf(h.inst.store.channelByID(6)))
	h.inst.Run(ctx)
	if after := len(h.inst.store.messagesOf(h.inst.store.channelByID(6))); after != before {
		t.Errorf("%d messages posted with chat off", after-before)
	}
}

func TestTokensAndPost(t *testing.T) {
	h := newHarness(t, Options{})
	toks := h.inst.Tokens()
	seen := map[string]bool{}
	for _, tk := range toks {
		if len(tk.Token) < 32 || seen[tk.Token] {
			t.Errorf("weak or repeated token for %s", tk.Username)
		}
		seen[tk.Token] = true
		chat := strings.Contains(strings.Join(tk.Scopes, " "), "chat")
		if chat == (tk.Username == "lurker") {
			t.Errorf("%s scopes %v", tk.Username, tk.Scopes)
		}
	}
	toks[0].Scopes[0] = "mutated"
	if h.inst.Tokens()[0].Scopes[0] == "mutated" {
		t.Errorf("Tokens exposes internal state")
	}
	if _, err := h.inst.Post("demo", "banned_bob", "hi"); err == nil || !strings.Contains(err.Error(), "permanently banned") {
		t.Errorf("banned Post: %v", err)
	}
	if _, err := h.inst.Post("nochannel", "demo", "hi"); err == nil {
		t.Errorf("Post to a missing channel succeeded")
	}
	if _, err := h.inst.Post("demo", "ghost", "hi"); err == nil {
		t.Errorf("Post as a missing user succeeded")
	}
	if _, err := h.inst.Post("ViewerVic", "demo", "hi"); err == nil {
		t.Errorf("Post to a user without a channel succeeded")
	}
}

func TestAvatarsServed(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.gql(t, clientAuth(), `{ user(username: "noor") { avatarUrl } }`, nil)
	av := at(t, r.body, "data", "user", "avatarUrl").(string)
	path := strings.TrimPrefix(av, h.srv.URL)
	if path == av {
		t.Fatalf("avatarUrl %s is not on this instance", av)
	}
	res := h.do(t, "GET", path, nil, "")
	if res.status != 200 || res.header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(res.raw, ">N</text>") {
		t.Errorf("avatar: %d %s %s", res.status, res.header.Get("Content-Type"), res.raw)
	}
	// Behind a TLS-terminating proxy the URL is https.
	res = h.do(t, "POST", "/api/graph", map[string]string{"Authorization": clientAuth(), "Content-Type": "application/json", "X-Forwarded-Proto": "https"},
		`{"query":"{ user(username: \"noor\") { avatarUrl } }"}`)
	if got := at(t, res.body, "data", "user", "avatarUrl").(string); !strings.HasPrefix(got, "https://") {
		t.Errorf("forwarded https avatarUrl %s", got)
	}
}
