package web

import (
	"flag"
	"os"
	"regexp"
	"testing"

	"github.com/glimchat/glimchat/wasm/colour"
)

var update = flag.Bool("update", false, "rewrite the name palettes in glimchat.css from wasm/colour")

var paletteRe = regexp.MustCompile(`(?s)(/\* palette:(dark|light) \*/\n)(.*?)(/\* end palette \*/)`)

// TestPalette: the name colours in glimchat.css are wasm/colour's palettes,
// which meet WCAG AA against the themes' backdrops (wasm/colour's tests).
func TestPalette(t *testing.T) {
	css, err := os.ReadFile("glimchat.css")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"dark":  colour.CSS(colour.Palette(colour.DarkBackdrop)),
		"light": colour.CSS(colour.Palette(colour.LightBackdrop)),
	}
	blocks := paletteRe.FindAllSubmatch(css, -1)
	if len(blocks) < 2 {
		t.Fatalf("glimchat.css has %d palette blocks, want the dark and the light one", len(blocks))
	}
	for _, b := range blocks {
		if got := string(b[3]); got != want[string(b[2])] {
			if !*update {
				t.Errorf("palette %s in glimchat.css is\n%s\nwant (go test ./web -run TestPalette -update)\n%s", b[2], got, want[string(b[2])])
			}
		}
	}
	if *update {
		out := paletteRe.ReplaceAllFunc(css, func(m []byte) []byte {
			sub := paletteRe.FindSubmatch(m)
			return []byte(string(sub[1]) + want[string(sub[2])] + string(sub[4]))
		})
		if err := os.WriteFile("glimchat.css", out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
