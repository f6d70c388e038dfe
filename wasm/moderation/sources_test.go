package moderation

import (
	"testing"
	"time"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/phoenix/phoenixtest"
)

// in is m as read from channel on instance.
func in(m glimesh.Message, instance, channel string) glimesh.Message {
	m.Instance, m.Channel = instance, channel
	return m
}

// Each source's moderation applies to its own messages only: a ban in
// alice's channel takes the user's lines there, not in bob's, and not on
// another instance where the same ids name other messages.
func TestModerationPerSource(t *testing.T) {
	s := New(Options{Limit: 20, Clock: phoenixtest.NewClock()})
	aliceMsg := in(msg(1, "7", 0), "", "alice")
	bobMsg := in(msg(2, "7", time.Second), "", "bob")
	other := in(msg(1, "7", 2*time.Second), "https://other.example", "alice") // same id, same user id, another instance
	s.Add([]glimesh.Message{aliceMsg, bobMsg, other}, true)
	if n := len(s.Messages()); n != 3 {
		t.Fatalf("%d messages shown, want 3 (the same id on two instances is two messages)", n)
	}
	s.ReadFrom(SourceKey("", "alice"), read(logOf(1, glimesh.Ban, "7", 10*time.Second)), t0)
	var keys []string
	for _, m := range s.Messages() {
		keys = append(keys, m.Key())
	}
	if len(keys) != 2 || keys[0] != "2" || keys[1] != "https://other.example 1" {
		t.Errorf("after a ban in alice's channel: %v, want bob's line and the other instance's", keys)
	}
	// A new line of the banned user in bob's channel still shows.
	s.Add([]glimesh.Message{in(msg(3, "7", 20*time.Second), "", "bob")}, true)
	if n := len(s.Messages()); n != 3 {
		t.Errorf("%d messages after bob's new line, want 3", n)
	}
}

// A held message waits for a read of its own source's moderation.
func TestHoldGatedPerSource(t *testing.T) {
	clock := phoenixtest.NewClock()
	s := New(Options{Limit: 20, Hold: time.Second, Gated: true, Clock: clock})
	s.Add([]glimesh.Message{in(msg(1, "7", 0), "", "bob")}, false)
	clock.Advance(2 * time.Second)
	s.ReadFrom(SourceKey("", "alice"), glimesh.Moderation{}, clock.Now())
	if len(s.Messages()) != 0 {
		t.Fatal("a read of alice's channel released bob's held message")
	}
	s.ReadFrom(SourceKey("", "bob"), glimesh.Moderation{}, clock.Now())
	if len(s.Messages()) != 1 {
		t.Error("a read of bob's channel did not release his held message")
	}
}
