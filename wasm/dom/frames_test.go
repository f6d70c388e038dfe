package dom

import "testing"

// A batch painted at once, outside a frame callback, is on screen once a
// later frame is noted: settled grows past the value read as it was shown.
func TestSettledAfterAPaintAtOnce(t *testing.T) {
	f := frames{paintedAt: 50, calledAt: 40}
	before := f.settled(66, false) // the pacer releases a batch
	if before != 66 || !f.rendered(66) {
		t.Fatalf("settled = %v, rendered = %v after a frame; want 66, true", before, f.rendered(66))
	}
	f.paintedAt = 66 // Show paints it at once
	if got := f.settled(66, false); got > before {
		t.Fatalf("settled = %v before the paint's frame, want at most %v", got, before)
	}
	if got := f.settled(83, false); got <= before {
		t.Fatalf("settled = %v once the paint's frame began, want above %v", got, before)
	}
}

// A batch that waits for a frame callback is not on screen when a frame
// is noted before that callback paints it: the frame callbacks of one
// frame run in the order they were asked for, and tick, asked for by an
// earlier paint, may run after the callback whose paint released the
// batch. settled stays where it was until the batch's own frame.
func TestSettledWaitsForAPendingPaint(t *testing.T) {
	f := frames{paintedAt: 84}
	f.calledAt = 100                                  // a frame callback paints, and the pacer releases a batch
	before := f.settled(84, false)                    // tick has not run in this frame yet
	pending := true                                   // Show waits for the next frame callback
	if got := f.settled(100, pending); got > before { // then tick notes this frame
		t.Fatalf("settled = %v while the batch waits for its frame, want at most %v", got, before)
	}
	if got := f.settled(116, pending); got > before { // the next frame's tick runs before the callback
		t.Fatalf("settled = %v before the batch's paint, want at most %v", got, before)
	}
	f.calledAt, f.paintedAt, pending = 116, 116, false // the callback paints it
	if got := f.settled(116, pending); got > before {
		t.Fatalf("settled = %v in the frame of the batch's paint, want at most %v", got, before)
	}
	if got := f.settled(133, pending); got <= before {
		t.Fatalf("settled = %v a frame after the batch's paint, want above %v", got, before)
	}
}
