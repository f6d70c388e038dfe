package colour

import (
	"strconv"
	"testing"
)

func TestPalettesMeetAA(t *testing.T) {
	for _, bg := range []RGB{DarkBackdrop, LightBackdrop, {0, 0, 0}, {255, 255, 255}} {
		p := Palette(bg)
		seen := map[RGB]bool{}
		for i, c := range p {
			// The dark palette must also hold on anything darker, the
			// light one on anything lighter.
			if got := Contrast(c, bg); got < AA {
				t.Errorf("bg %s: colour %d %s has contrast %.2f < %.1f", bg.Hex(), i, c.Hex(), got, AA)
			}
			seen[c] = true
		}
		if len(seen) < N-1 {
			t.Errorf("bg %s: palette has only %d distinct colours: %v", bg.Hex(), len(seen), p)
		}
	}
	for i, c := range Palette(DarkBackdrop) {
		if Contrast(c, RGB{}) < AA {
			t.Errorf("dark palette colour %d %s fails on black", i, c.Hex())
		}
	}
	for i, c := range Palette(LightBackdrop) {
		if Contrast(c, RGB{255, 255, 255}) < AA {
			t.Errorf("light palette colour %d %s fails on white", i, c.Hex())
		}
	}
}

func TestContrastKnownValues(t *testing.T) {
	if got := Contrast(RGB{}, RGB{255, 255, 255}); got < 20.99 || got > 21.01 {
		t.Errorf("black on white %.3f, want 21", got)
	}
	if got := Contrast(RGB{0x77, 0x77, 0x77}, RGB{255, 255, 255}); got < 4.47 || got > 4.49 {
		t.Errorf("#777 on white %.3f, want 4.48", got)
	}
}

func TestIndexStableAndSpread(t *testing.T) {
	if Index("154") != Index("154") {
		t.Fatal("Index is not stable")
	}
	used := map[int]bool{}
	for i := range 200 {
		n := Index(strconv.Itoa(i))
		if n < 0 || n >= N {
			t.Fatalf("Index out of range: %d", n)
		}
		used[n] = true
	}
	if len(used) != N {
		t.Errorf("200 ids use only %d of %d colours", len(used), N)
	}
}
