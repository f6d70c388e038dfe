package dom

import (
	"errors"
	"math/bits"
	"testing"
)

func TestFirstFit(t *testing.T) {
	for n := 0; n <= 40; n++ {
		for want := 0; want <= n; want++ {
			for guess := -1; guess <= n; guess++ {
				probes := 0
				got, err := firstFit(n, guess, func(i int) (bool, error) {
					if i < 0 || i >= n {
						t.Fatalf("n=%d: measured line %d", n, i)
					}
					probes++
					return i < want, nil
				})
				if err != nil || got != want {
					t.Fatalf("n=%d want=%d guess=%d: got %d, %v", n, want, guess, got, err)
				}
				// The end moved by a line or two since the last look: a few
				// lines measured, however many there are; cold, a bisection.
				d := max(want-guess, guess-want)
				most := 2*bits.Len(uint(n)) + 1 // galloping from afar, then bisecting
				if guess >= 0 && guess < n && d <= 2 {
					most = 3 + 2*max(d-1, 0)
				}
				if probes > most {
					t.Errorf("n=%d want=%d guess=%d: %d lines measured, want at most %d", n, want, guess, probes, most)
				}
			}
		}
	}
}

func TestFirstFitError(t *testing.T) {
	boom := errors.New("boom")
	for _, guess := range []int{-1, 0, 5, 9} {
		if _, err := firstFit(10, guess, func(int) (bool, error) { return false, boom }); !errors.Is(err, boom) {
			t.Errorf("guess %d: err %v, want boom", guess, err)
		}
	}
}
