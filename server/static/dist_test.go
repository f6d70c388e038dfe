package static

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/glimchat/glimchat/server/internal/reqtest"
	"github.com/glimchat/glimchat/web"
)

// The built bundle serves embed.js, the loader other sites include, as
// JavaScript that is revalidated on every use, with both compressions.
func TestDistServesEmbedJS(t *testing.T) {
	dist := web.Dist()
	if _, err := fs.Stat(dist, "index.html"); errors.Is(err, fs.ErrNotExist) {
		t.Fatal("web/dist is not built: run make build first")
	}
	for _, name := range []string{"embed.js", "embed.js.br", "embed.js.gz"} {
		if _, err := fs.Stat(dist, name); err != nil {
			t.Errorf("web/dist lacks %s: %v", name, err)
		}
	}
	h, err := New(dist)
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range []string{"", "gzip", "br"} {
		w := reqtest.Do(h, "GET", "/embed.js", "Accept-Encoding", enc)
		hd := w.Header()
		if w.Code != 200 || hd.Get("Content-Type") != "text/javascript; charset=utf-8" ||
			hd.Get("Cache-Control") != CacheRevalidate || hd.Get("Content-Encoding") != enc {
			t.Errorf("GET /embed.js (Accept-Encoding %q): %d, Content-Type %q, Cache-Control %q, Content-Encoding %q",
				enc, w.Code, hd.Get("Content-Type"), hd.Get("Cache-Control"), hd.Get("Content-Encoding"))
		}
	}
}
