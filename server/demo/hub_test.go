package demo

import "testing"

// A subscriber that stops reading is cut off, never silently skipped: the
// socket above it then closes and the client backfills.
func TestHubCutsOffLaggingSubscriber(t *testing.T) {
	h := newHub()
	ch := &channel{id: 6}
	slow := h.subscribe(fieldChat, ptr("6"))
	other := h.subscribe(fieldChat, ptr("7"))
	for i := range cap(slow.ch) + 1 {
		h.publish(fieldChat, "6", &message{id: i + 1, channel: ch})
	}
	got := 0
	for range slow.ch {
		got++
	}
	if got != cap(slow.ch) || !slow.lagged {
		t.Fatalf("lagging subscriber: read %d then closed with lagged=%v; want %d and true", got, slow.lagged, cap(slow.ch))
	}
	if other.lagged || len(other.ch) != 0 {
		t.Fatalf("subscriber of another channel: lagged=%v, %d queued; want untouched", other.lagged, len(other.ch))
	}
	h.unsubscribe(slow) // already gone: must not close twice
	h.unsubscribe(other)
}
