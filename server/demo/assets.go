package demo

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"html"
	"image"
	"image/color"
	"image/gif"
	"net/http"
	"path"
	"strings"
)

// asset is one file under /uploads/.
type asset struct {
	typ  string
	body []byte
}

var emoteSVGs = map[string]string{
	"glimsmile": `<circle cx="16" cy="16" r="14" fill="#ffcc4d"/><circle cx="11" cy="13" r="2" fill="#664500"/><circle cx="21" cy="13" r="2" fill="#664500"/><path d="M9 19q7 7 14 0" stroke="#664500" stroke-width="2" fill="none"/>`,
	"glimwow":   `<circle cx="16" cy="16" r="14" fill="#ffcc4d"/><circle cx="11" cy="12" r="2.5" fill="#664500"/><circle cx="21" cy="12" r="2.5" fill="#664500"/><ellipse cx="16" cy="22" rx="3.5" ry="4.5" fill="#664500"/>`,
	"glimheart": `<path d="M16 28 4 16a7 7 0 0 1 12-9 7 7 0 0 1 12 9z" fill="#e0245e"/>`,
	"demowave":  `<circle cx="16" cy="16" r="14" fill="#3b88c3"/><path d="M9 17q3-6 6 0t6 0" stroke="#fff" stroke-width="2.5" fill="none"/>`,
	"demohype":  `<path d="M16 2 20 12 30 12 22 19 25 30 16 23 7 30 10 19 2 12 12 12z" fill="#f4900c"/>`,
}

func svgDoc(inner string) []byte {
	return []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">` + inner + `</svg>`)
}

// buildAssets makes the emote images (SVG, and one animated GIF) and an
// SVG avatar per user.
func buildAssets(s *store) (map[string]asset, error) {
	out := make(map[string]asset)
	for name, inner := range emoteSVGs {
		out["emotes/"+name+".svg"] = asset{"image/svg+xml", svgDoc(inner)}
	}
	g, err := danceGIF()
	if err != nil {
		return nil, err
	}
	out["emotes/glimdance.gif"] = asset{"image/gif", g}
	// Every emote a token can point to must exist.
	for _, e := range s.global {
		if _, ok := out["emotes/"+e.file]; !ok {
			return nil, fmt.Errorf("emote %s has no image", e.code)
		}
	}
	for _, c := range s.channels {
		for _, e := range c.emotes {
			if _, ok := out["emotes/"+e.file]; !ok {
				return nil, fmt.Errorf("emote %s has no image", e.code)
			}
		}
	}
	for _, u := range s.users {
		h := fnv.New32a()
		h.Write([]byte(u.username))
		hue := h.Sum32() % 360
		initial := html.EscapeString(strings.ToUpper(u.displayname[:1]))
		inner := fmt.Sprintf(`<rect width="32" height="32" rx="6" fill="hsl(%d,55%%,45%%)"/><text x="16" y="22" font-family="sans-serif" font-size="16" text-anchor="middle" fill="#fff">%s</text>`, hue, initial)
		out["avatars/"+u.username+".svg"] = asset{"image/svg+xml", svgDoc(inner)}
	}
	return out, nil
}

// danceGIF is a small looping animation: a dot bouncing on a floor.
func danceGIF() ([]byte, error) {
	pal := color.Palette{color.Transparent, color.RGBA{0xf4, 0x90, 0x0c, 0xff}, color.RGBA{0x3b, 0x88, 0xc3, 0xff}}
	anim := &gif.GIF{LoopCount: 0}
	for _, y := range []int{22, 16, 10, 16} {
		img := image.NewPaletted(image.Rect(0, 0, 32, 32), pal)
		for py := 0; py < 32; py++ {
			for px := 0; px < 32; px++ {
				dx, dy := px-16, py-y
				switch {
				case dx*dx+dy*dy <= 25:
					img.SetColorIndex(px, py, 1)
				case py >= 28:
					img.SetColorIndex(px, py, 2)
				}
			}
		}
		anim.Image = append(anim.Image, img)
		anim.Delay = append(anim.Delay, 12)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, anim); err != nil {
		return nil, fmt.Errorf("encode dance gif: %w", err)
	}
	return buf.Bytes(), nil
}

// serveUploads serves /uploads/ like Plug.Static: no CORS headers (images
// need none), long-lived caching since avatar URLs carry a version.
func (inst *Instance) serveUploads(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.NotFound(w, r)
		return
	}
	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/uploads/")
	a, ok := inst.assets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.typ)
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	if r.Method == http.MethodHead {
		return
	}
	w.Write(a.body)
}
