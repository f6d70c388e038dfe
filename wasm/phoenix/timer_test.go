package phoenix

import (
	"math"
	"testing"
	"time"
)

func TestBackoffBounds(t *testing.T) {
	b := Backoff{Base: 500 * time.Millisecond, Cap: 10 * time.Second}
	wantCeil := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	for n, want := range wantCeil {
		if got := b.Ceiling(n); got != want {
			t.Errorf("Ceiling(%d) = %v, want %v", n, got, want)
		}
	}
	// Never overflows into a negative or a tiny delay, however many retries.
	for _, n := range []int{62, 63, 64, 1000, math.MaxInt32} {
		if got := b.Ceiling(n); got != b.Cap {
			t.Errorf("Ceiling(%d) = %v, want the cap", n, got)
		}
	}

	// Full jitter: the extremes of the random source map to 0 and the ceiling.
	for n := range 8 {
		lo := Backoff{Base: b.Base, Cap: b.Cap, Rand: func() float64 { return 0 }}.Delay(n)
		if lo != 0 {
			t.Errorf("Delay(%d) with rand 0 = %v, want 0", n, lo)
		}
		hi := Backoff{Base: b.Base, Cap: b.Cap, Rand: func() float64 { return math.Nextafter(1, 0) }}.Delay(n)
		if hi > b.Ceiling(n) || hi < b.Ceiling(n)-time.Microsecond {
			t.Errorf("Delay(%d) with rand ~1 = %v, want just under %v", n, hi, b.Ceiling(n))
		}
		half := Backoff{Base: b.Base, Cap: b.Cap, Rand: func() float64 { return 0.5 }}.Delay(n)
		if half != b.Ceiling(n)/2 {
			t.Errorf("Delay(%d) with rand 0.5 = %v, want %v", n, half, b.Ceiling(n)/2)
		}
	}

	// A broken source still stays inside [0, ceiling].
	for _, r := range []float64{-1, 2, math.NaN(), math.Inf(1), math.Inf(-1)} {
		d := Backoff{Base: b.Base, Cap: b.Cap, Rand: func() float64 { return r }}.Delay(3)
		if d < 0 || d > b.Ceiling(3) {
			t.Errorf("Delay with rand %v = %v, outside [0, %v]", r, d, b.Ceiling(3))
		}
	}

	// The default source: many draws, all in bounds, and not all the same.
	seen := map[time.Duration]bool{}
	for range 200 {
		d := b.Delay(4)
		if d < 0 || d > b.Ceiling(4) {
			t.Fatalf("Delay(4) = %v, outside [0, %v]", d, b.Ceiling(4))
		}
		seen[d] = true
	}
	if len(seen) < 50 {
		t.Errorf("default jitter produced only %d distinct delays in 200 draws", len(seen))
	}
}
