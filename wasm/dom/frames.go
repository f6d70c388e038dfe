package dom

// frames says when what the View painted has been on screen. After each
// paint a native requestAnimationFrame callback (View.tick) notes the
// next frame's time, with no wake of Go; the View reads that noted time
// and asks frames about it.
type frames struct {
	paintedAt float64 // the noted time when the View last painted
	calledAt  float64 // the time of the View's latest frame callback
}

// rendered reports whether a frame noted at t showed the last paint: it
// began after that paint and after the latest frame callback. A paint
// made in a frame callback is rendered in the frame of that callback,
// whose time t then is, and so not yet.
func (f frames) rendered(t float64) bool { return t > f.paintedAt && t > f.calledAt }

// settled is t while the last paint has been on screen and no Show waits
// for its paint (pending), and 0 otherwise. Only a frame that showed
// everything given to Show raises it: a value read when a batch was handed
// to Show, once exceeded, says that batch has been on screen. The noted
// time alone says less: a frame may begin while a batch waits for the
// next frame callback, and the batch after it would replace it unseen.
func (f frames) settled(t float64, pending bool) float64 {
	if pending || !f.rendered(t) {
		return 0
	}
	return t
}
