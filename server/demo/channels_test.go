package demo

import (
	"fmt"
	"slices"
	"testing"
)

// cohost is a second live channel with a chat, a moderator and a history
// of its own, for merged chats.
func TestSecondChannel(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.gql(t, clientAuth(), `{ channel(streamerUsername: "cohost"){ id title status streamer{ id displayname }
		moderators{ edges{ node{ user{ username } canBan } } }
		chatMessages(last: 100){ edges{ node{ id insertedAt user{ username } } } } } }`, nil)
	ch := at(t, r.body, "data", "channel")
	if at(t, ch, "id") != "8" || at(t, ch, "title") != "Co-streaming with demo" || at(t, ch, "status") != "LIVE" ||
		at(t, ch, "streamer", "id") != "156" || at(t, ch, "streamer", "displayname") != "CoHost" ||
		at(t, ch, "moderators", "edges", 0, "node", "user", "username") != "CyrusMod" {
		t.Fatalf("cohost: %s", r.raw)
	}
	edges := at(t, ch, "chatMessages", "edges").([]any)
	cast := map[string]bool{}
	for _, u := range cohostCast(h.inst.store) {
		cast[u.username] = true
	}
	seen := map[string]bool{}
	for _, e := range edges {
		who := at(t, e, "node", "user", "username").(string)
		if !cast[who] {
			t.Errorf("%s in cohost's history", who)
		}
		seen[who] = true
	}
	if len(edges) < 60 || len(seen) < 5 {
		t.Errorf("cohost's history: %d messages by %d people", len(edges), len(seen))
	}
	// One sequence of ids over every channel, in the order of the times.
	var all []*message
	for _, c := range h.inst.store.channels {
		all = append(all, h.inst.store.messagesOf(c)...)
	}
	slices.SortFunc(all, func(a, b *message) int { return a.id - b.id })
	for i := 1; i < len(all); i++ {
		if all[i].inserted.Before(all[i-1].inserted) {
			t.Fatalf("message %d is older than message %d before it", all[i].id, all[i-1].id)
		}
	}

	// Moderation stays in its channel: cohost's moderator is nobody in
	// demo, and a ban in cohost leaves demo's chat alone.
	wantOneError(t, h.gql(t, "Bearer "+h.token(t, "CyrusMod"), modUserDoc("banUser"), map[string]any{"c": "6", "u": userID(t, h, "Noor")}), "unauthorized")
	if r := h.gql(t, "Bearer "+h.token(t, "CyrusMod"), modUserDoc("banUser"), map[string]any{"c": "8", "u": userID(t, h, "Noor")}); r.body["errors"] != nil {
		t.Fatalf("ban in cohost: %s", r.raw)
	}
	if got := say(t, transports[0], h, "Noor", "8"); len(got) != 1 || got[0] != "You are permanently banned from this channel." {
		t.Errorf("Noor in cohost: %q", got)
	}
	if got := say(t, transports[0], h, "Noor", "6"); len(got) != 0 {
		t.Errorf("Noor in demo: %q", got)
	}
	// demo's emotes are text in cohost.
	id, err := h.inst.Post("cohost", "Ari", ":demowave: :glimsmile:")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := h.inst.store.messageByIDString(id)
	if m.tokens[0].Type != "text" || m.tokens[len(m.tokens)-1].Type != "emote" || !m.meta.subscriber {
		t.Errorf("Ari's message in cohost: %+v %+v", m.tokens, m.meta)
	}
}

// Two instances number their rows alike whatever their seeds, so a test
// of two instances meets the same message ids on both, as on two real
// ones.
func TestInstancesShareIDs(t *testing.T) {
	a := newHarness(t, Options{Seed: 1})
	b := newHarness(t, Options{Seed: 2})
	first := func(h *harness) any {
		r := h.gql(t, clientAuth(), `{ channel(id: 6){ chatMessages(first: 1){ edges{ node{ id } } } } }`, nil)
		return at(t, r.body, "data", "channel", "chatMessages", "edges", 0, "node", "id")
	}
	if fa, fb := first(a), first(b); fa != "1" || fb != "1" {
		t.Errorf("the first messages: %v and %v, want 1 on both", fa, fb)
	}
	for _, c := range []struct{ channel, who string }{{"demo", "Noor"}, {"cohost", "Ari"}, {"demo", "Zofia"}} {
		ia, err := a.inst.Post(c.channel, c.who, "on a")
		if err != nil {
			t.Fatal(err)
		}
		ib, err := b.inst.Post(c.channel, c.who, "on b")
		if err != nil {
			t.Fatal(err)
		}
		if ia != ib {
			t.Errorf("%s's message in %s: id %s on one instance, %s on the other", c.who, c.channel, ia, ib)
		}
	}
}

// The squad's channels are live, each with a chat of its own cast, so an
// overlay of eight channels of one instance has something in each.
func TestSquadChannels(t *testing.T) {
	h := newHarness(t, Options{Seed: 3, ChatRate: 5})
	for i, name := range squad {
		r := h.gql(t, clientAuth(), `query($u: String!){ channel(streamerUsername: $u){ id status streamer{ id username } } }`, map[string]any{"u": name})
		ch := at(t, r.body, "data", "channel")
		if at(t, ch, "id") != fmt.Sprint(squadFirstChannelID+i) || at(t, ch, "status") != "LIVE" ||
			at(t, ch, "streamer", "id") != fmt.Sprint(squadFirstUserID+i) || at(t, ch, "streamer", "username") != name {
			t.Errorf("%s: %s", name, r.raw)
		}
	}
	rec := runSim(t, Options{Seed: 3, ChatOnly: true}, 40)
	seen := map[int]int{}
	for _, m := range rec.all {
		i := m.channel.id - squadFirstChannelID
		if i < 0 || i >= len(squad) {
			continue
		}
		seen[i]++
		cast := map[*user]bool{}
		for _, u := range squadCast(rec.h.inst.store, i) {
			cast[u] = true
		}
		if !cast[m.user] {
			t.Errorf("%s in %s", m.user.username, squad[i])
		}
	}
	for i := range squad {
		if seen[i] != 4 {
			t.Errorf("%d lines in %s in 40 turns, want 4", seen[i], squad[i])
		}
	}
}
