package idset

import (
	"strconv"
	"testing"
)

func TestRingForgetsTheOldest(t *testing.T) {
	r := New(3)
	for i := range 5 {
		r.Add(strconv.Itoa(i))
		r.Add(strconv.Itoa(i)) // a repeat takes no room
	}
	if r.Len() != 3 {
		t.Fatalf("Len = %d, want 3", r.Len())
	}
	for i, want := range []bool{false, false, true, true, true} {
		if got := r.Has(strconv.Itoa(i)); got != want {
			t.Errorf("Has(%d) = %v, want %v", i, got, want)
		}
	}
	z := New(0)
	z.Add("a")
	if !z.Has("a") || z.Len() != 1 {
		t.Error("a ring of capacity 0 holds nothing, want at least one id")
	}
}
