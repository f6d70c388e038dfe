// Package colour gives each chatter a stable name colour and keeps every
// colour readable: the palettes meet WCAG AA contrast (4.5:1) against the
// backdrop of the theme they are used with. The stylesheet holds the
// palettes (web/glimchat.css, checked against Palette by a test), and a
// message carries only its index (data-color), so no inline style is
// needed under the page's CSP.
package colour

import (
	"fmt"
	"hash/fnv"
	"math"
)

// N is the number of name colours.
const N = 12

// AA is WCAG 2's minimum contrast for normal text.
const AA = 4.5

// RGB is an sRGB colour.
type RGB struct{ R, G, B uint8 }

// Hex is #rrggbb.
func (c RGB) Hex() string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// Backdrops are the worst cases a theme's text sits on: the dark themes'
// (clear's text shadow and stroke, dark's panel and bubbles' bubble at
// their most see-through over white video), and the light theme's panel
// over black video.
var (
	DarkBackdrop  = RGB{0x3a, 0x3a, 0x3a}
	LightBackdrop = RGB{0xd8, 0xd8, 0xd8}
)

// Index is the palette index of a user: stable across sessions, from the
// user id.
func Index(userID string) int {
	h := fnv.New32a()
	h.Write([]byte(userID))
	return int(h.Sum32() % N)
}

// Luminance is the WCAG relative luminance.
func (c RGB) Luminance() float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// Contrast is the WCAG contrast ratio of a and b, from 1 to 21.
func Contrast(a, b RGB) float64 {
	la, lb := a.Luminance(), b.Luminance()
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// Palette returns N colours of evenly spread hues, each as vivid as it
// can be while meeting AA against bg: lightened on a dark backdrop,
// darkened on a light one.
func Palette(bg RGB) []RGB {
	dark := bg.Luminance() < 0.18
	out := make([]RGB, N)
	for i := range out {
		hue := float64(i) * 360 / N
		l := 0.5
		for {
			c := hsl(hue, 0.85, l)
			if Contrast(c, bg) >= AA+0.05 || l <= 0 || l >= 1 {
				out[i] = c
				break
			}
			if dark {
				l += 0.01
			} else {
				l -= 0.01
			}
		}
	}
	return out
}

func hsl(h, s, l float64) RGB {
	c := (1 - math.Abs(2*l-1)) * s
	x := c * (1 - math.Abs(math.Mod(h/60, 2)-1))
	m := l - c/2
	var r, g, b float64
	switch {
	case h < 60:
		r, g = c, x
	case h < 120:
		r, g = x, c
	case h < 180:
		g, b = c, x
	case h < 240:
		g, b = x, c
	case h < 300:
		r, b = x, c
	default:
		r, b = c, x
	}
	v := func(f float64) uint8 { return uint8(math.Round(math.Max(0, math.Min(1, f+m)) * 255)) }
	return RGB{v(r), v(g), v(b)}
}

// CSS is the palette as custom property declarations, one a line:
// "  --glimchat-name-0: #rrggbb;".
func CSS(p []RGB) string {
	var s string
	for i, c := range p {
		s += fmt.Sprintf("  --glimchat-name-%d: %s;\n", i, c.Hex())
	}
	return s
}
