package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/andybalholm/brotli"

	"github.com/glimchat/glimchat/internal/testids"
	"github.com/glimchat/glimchat/server/internal/reqtest"
)

var (
	indexHTML = []byte("<!doctype html><title>glimchat</title>" + strings.Repeat("<p>padding</p>", 50))
	embedHTML = []byte("<!doctype html><title>embed</title>")
	wasmBytes = append([]byte("\x00asm\x01\x00\x00\x00"), bytes.Repeat([]byte("wasm body "), 200)...)
	cssBytes  = []byte(".glimchat{color:red}" + strings.Repeat(" ", 100))
	jsBytes   = []byte("console.log('loader')")
)

func brEncode(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := brotli.NewWriterLevel(&buf, brotli.BestCompression)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzEncode(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func testFS(t testing.TB) fstest.MapFS {
	m := fstest.MapFS{
		".gitkeep":                 {Data: []byte("secret-dotfile")},
		".hidden/x.html":           {Data: []byte("hidden dir")},
		"sub/.env":                 {Data: []byte("TOKEN=dotfile")},
		"sub/index.html":           {Data: []byte("sub index")},
		"sub/page.html":            {Data: []byte("sub page")},
		"glimchat.css":             {Data: cssBytes},
		"glimchat.css.gz":          {Data: gzEncode(t, cssBytes)},
		"loader.js":                {Data: jsBytes},
		"index.html":               {Data: indexHTML},
		"index.html.br":            {Data: brEncode(t, indexHTML)},
		"index.html.gz":            {Data: gzEncode(t, indexHTML)},
		"embed.html":               {Data: embedHTML},
		testids.HashedWasm:         {Data: wasmBytes},
		testids.HashedWasm + ".br": {Data: brEncode(t, wasmBytes)},
		testids.HashedWasm + ".gz": {Data: gzEncode(t, wasmBytes)},
		"unknown.weirdext":         {Data: []byte("x")},
		"notes.br":                 {Data: []byte("a file that merely ends in .br")},
		"glimchat.abc.wasm":        {Data: []byte("not hashed: hash too short")},
		"app.0123456789AB.js":      {Data: []byte("not hashed: uppercase")},
	}
	return m
}

func newHandler(t testing.TB) *Handler {
	t.Helper()
	h, err := New(testFS(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h
}

func decode(t *testing.T, enc string, b []byte) []byte {
	t.Helper()
	var r io.Reader = bytes.NewReader(b)
	switch enc {
	case "br":
		r = brotli.NewReader(r)
	case "gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatalf("gzip body: %v", err)
		}
		r = zr
	case "":
	default:
		t.Fatalf("unexpected Content-Encoding %q", enc)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decode %s body: %v", enc, err)
	}
	return out
}

func TestContentTypes(t *testing.T) {
	h := newHandler(t)
	for _, tc := range []struct{ path, want string }{
		{"/" + testids.HashedWasm, "application/wasm"},
		{"/index.html", "text/html; charset=utf-8"},
		{"/", "text/html; charset=utf-8"},
		{"/glimchat.css", "text/css; charset=utf-8"},
		{"/loader.js", "text/javascript; charset=utf-8"},
		{"/unknown.weirdext", "application/octet-stream"},
		{"/notes.br", "application/octet-stream"},
	} {
		for _, ae := range []string{"", "br", "gzip"} {
			w := reqtest.Do(h, "GET", tc.path, "Accept-Encoding", ae)
			if w.Code != 200 {
				t.Fatalf("GET %s (%q): status %d", tc.path, ae, w.Code)
			}
			if got := w.Header().Get("Content-Type"); got != tc.want {
				t.Errorf("GET %s (Accept-Encoding %q): Content-Type %q, want %q", tc.path, ae, got, tc.want)
			}
			if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("GET %s (Accept-Encoding %q): X-Content-Type-Options %q", tc.path, ae, got)
			}
		}
	}
}

func TestEncodingNegotiation(t *testing.T) {
	h := newHandler(t)
	for _, tc := range []struct {
		accept []string
		want   string
	}{
		{nil, ""},
		{[]string{""}, ""},
		{[]string{"identity"}, ""},
		{[]string{"gzip, deflate, br, zstd"}, "br"},
		{[]string{"gzip, deflate"}, "gzip"},
		{[]string{"br;q=0, gzip"}, "gzip"},
		{[]string{"br; q=0 , gzip"}, "gzip"},
		{[]string{"br;q=0, gzip;q=0"}, ""},
		{[]string{"br;q=0.000, gzip;Q=0"}, ""},
		{[]string{"*"}, "br"},
		{[]string{"*;q=0"}, ""},
		{[]string{"br;q=0, *"}, "gzip"},
		{[]string{"*;q=0, gzip"}, "gzip"},
		{[]string{"gzip;q=1, br;q=0.5"}, "gzip"},
		{[]string{"gzip;q=0.5, br;q=0.5"}, "br"},
		{[]string{"BR"}, "br"},
		{[]string{"x-gzip"}, "gzip"},
		{[]string{"br;q=abc, gzip"}, "gzip"},
		{[]string{"br;q=1.5, gzip"}, "gzip"},
		{[]string{"gzip;q=0.1", "br;q=0.2"}, "br"},
		{[]string{"br", "br;q=0"}, ""},
		{[]string{"gzip;q=0, gzip, br;q=0.5"}, "br"},
		{[]string{"*;q=0, *"}, ""},
		{[]string{"deflate, zstd"}, ""},
	} {
		r := httptest.NewRequest("GET", "/"+testids.HashedWasm, nil)
		for _, v := range tc.accept {
			r.Header.Add("Accept-Encoding", v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			t.Fatalf("Accept-Encoding %q: status %d", tc.accept, w.Code)
		}
		got := w.Header().Get("Content-Encoding")
		if got != tc.want {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tc.accept, got, tc.want)
		}
		if v := w.Header().Values("Vary"); len(v) != 1 || v[0] != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Vary %q, want [Accept-Encoding]", tc.accept, v)
		}
		if w.Header().Get("Content-Type") != "application/wasm" {
			t.Errorf("Accept-Encoding %q: Content-Type %q", tc.accept, w.Header().Get("Content-Type"))
		}
		body := w.Body.Bytes()
		if cl := w.Header().Get("Content-Length"); cl != strconv.Itoa(len(body)) {
			t.Errorf("Accept-Encoding %q: Content-Length %s, body %d bytes", tc.accept, cl, len(body))
		}
		if !bytes.Equal(decode(t, got, body), wasmBytes) {
			t.Errorf("Accept-Encoding %q: body does not decode to the asset", tc.accept)
		}
	}
}

func TestOnlyExistingSiblings(t *testing.T) {
	h := newHandler(t)
	// glimchat.css has only a .gz sibling.
	w := reqtest.Do(h, "GET", "/glimchat.css", "Accept-Encoding", "br")
	if ce := w.Header().Get("Content-Encoding"); ce != "" || !bytes.Equal(w.Body.Bytes(), cssBytes) {
		t.Errorf("br-only client got Content-Encoding %q for a file without .br", ce)
	}
	w = reqtest.Do(h, "GET", "/glimchat.css", "Accept-Encoding", "br, gzip")
	if ce := w.Header().Get("Content-Encoding"); ce != "gzip" {
		t.Errorf("Content-Encoding %q, want gzip", ce)
	}
	// loader.js has no siblings: no encoding and no Vary needed.
	w = reqtest.Do(h, "GET", "/loader.js", "Accept-Encoding", "br, gzip")
	if ce := w.Header().Get("Content-Encoding"); ce != "" {
		t.Errorf("loader.js: Content-Encoding %q", ce)
	}
	if v := w.Header().Get("Vary"); v != "" {
		t.Errorf("loader.js: Vary %q although it has one representation", v)
	}
}

func TestETags(t *testing.T) {
	h := newHandler(t)
	tags := map[string]string{}
	for _, enc := range []string{"", "br", "gzip"} {
		w := reqtest.Do(h, "GET", "/"+testids.HashedWasm, "Accept-Encoding", enc)
		tag := w.Header().Get("ETag")
		if !strings.HasPrefix(tag, `"`) || !strings.HasSuffix(tag, `"`) || len(tag) < 10 {
			t.Fatalf("%q: ETag %q is not a strong entity-tag", enc, tag)
		}
		// The tag is the hash of exactly the bytes sent.
		sum := sha256.Sum256(w.Body.Bytes())
		if want := `"` + base64.RawURLEncoding.EncodeToString(sum[:]) + `"`; tag != want {
			t.Errorf("%q: ETag %s, want sha256 of the representation %s", enc, tag, want)
		}
		tags[enc] = tag
	}
	if tags[""] == tags["br"] || tags[""] == tags["gzip"] || tags["br"] == tags["gzip"] {
		t.Errorf("representations share an ETag: %v", tags)
	}

	br := tags["br"]
	for _, tc := range []struct {
		inm    string
		accept string
		want   int
	}{
		{br, "br", 304},
		{`"nope", ` + br, "br", 304},
		{`"nope",` + br + `,"other"`, "br", 304},
		{"W/" + br, "br", 304}, // If-None-Match uses the weak comparison
		{"*", "br", 304},
		{`"nope"`, "br", 200},
		{br, "gzip", 200}, // a different representation
		{br, "", 200},
		{tags[""], "", 304},
		{strings.Trim(br, `"`), "br", 200}, // unquoted: not a match
	} {
		w := reqtest.Do(h, "GET", "/"+testids.HashedWasm, "Accept-Encoding", tc.accept, "If-None-Match", tc.inm)
		if w.Code != tc.want {
			t.Errorf("If-None-Match %s, Accept-Encoding %q: status %d, want %d", tc.inm, tc.accept, w.Code, tc.want)
			continue
		}
		if tc.want == 304 {
			if w.Body.Len() != 0 {
				t.Errorf("304 with a body")
			}
			if w.Header().Get("ETag") == "" || w.Header().Get("Vary") != "Accept-Encoding" || w.Header().Get("Cache-Control") == "" {
				t.Errorf("304 lacks ETag/Vary/Cache-Control: %v", w.Header())
			}
		}
	}

	// Computed once from the content: a second handler over the same files agrees.
	h2 := newHandler(t)
	if got := reqtest.Do(h2, "GET", "/"+testids.HashedWasm, "Accept-Encoding", "br").Header().Get("ETag"); got != br {
		t.Errorf("ETag not stable across start-ups: %s vs %s", got, br)
	}
}

func TestCacheControl(t *testing.T) {
	h := newHandler(t)
	for _, tc := range []struct{ path, want string }{
		{"/" + testids.HashedWasm, "public, max-age=31536000, immutable"},
		{"/", "no-cache"},
		{"/index.html", "no-cache"},
		{"/embed.html", "no-cache"},
		{"/glimchat.css", "no-cache"},
		{"/loader.js", "no-cache"},
		{"/glimchat.abc.wasm", "no-cache"},
		{"/app.0123456789AB.js", "no-cache"},
	} {
		for _, enc := range []string{"", "br"} {
			if got := reqtest.Do(h, "GET", tc.path, "Accept-Encoding", enc).Header().Get("Cache-Control"); got != tc.want {
				t.Errorf("%s (%q): Cache-Control %q, want %q", tc.path, enc, got, tc.want)
			}
		}
	}
}

func TestIsHashed(t *testing.T) {
	for name, want := range map[string]bool{
		"glimchat.0123456789ab.wasm":                    true,
		"dir/glimchat.0123456789ab.wasm":                true,
		"a.b.0123456789abcdef0123.js":                   true,
		"glimchat.wasm":                                 false,
		"glimchat.0123456789a.wasm":                     false, // 11 digits
		"glimchat.0123456789AB.wasm":                    false,
		"glimchat.0123456789ag.wasm":                    false,
		".0123456789ab.wasm":                            false,
		"glimchat.0123456789ab.":                        false,
		"0123456789ab.wasm":                             false,
		"glimchat." + strings.Repeat("a", 65) + ".wasm": false,
	} {
		if got := IsHashed(name); got != want {
			t.Errorf("IsHashed(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestRootAndDirectoryIndex(t *testing.T) {
	h := newHandler(t)
	w := reqtest.Do(h, "GET", "/")
	if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), indexHTML) {
		t.Errorf("GET /: %d %q", w.Code, w.Body.String())
	}
	w = reqtest.Do(h, "GET", "/sub/")
	if w.Code != 200 || w.Body.String() != "sub index" {
		t.Errorf("GET /sub/: %d %q", w.Code, w.Body.String())
	}
	w = reqtest.Do(h, "GET", "/sub/page.html")
	if w.Code != 200 || w.Body.String() != "sub page" {
		t.Errorf("GET /sub/page.html: %d %q", w.Code, w.Body.String())
	}
}

func TestNotFound(t *testing.T) {
	h := newHandler(t)
	for _, p := range []string{
		"/nope.html",
		"/index.htm",
		"/index.html.br", // siblings are representations, not URLs
		"/" + testids.HashedWasm + ".gz",
		"/.gitkeep",
		"/.hidden/x.html",
		"/sub/.env",
		"/%2egitkeep",
		"/sub", // no redirect games: not a file
		"/sub/../index.html",
		"/./index.html",
		"//index.html",
		"/%2e%2e/index.html",
		"/sub/%2e%2e/index.html",
		"/sub%2fpage.html",
		"/sub%2Fpage.html",
		"/sub%5cpage.html",
		"/%00index.html",
		"/index.html%00",
		"/sub/page.html/",
	} {
		w := reqtest.Do(h, "GET", p)
		if w.Code != 404 {
			t.Errorf("GET %s: status %d, want 404 (body %q)", p, w.Code, w.Body.String())
		}
		if strings.Contains(w.Body.String(), "dotfile") || strings.Contains(w.Body.String(), "hidden dir") {
			t.Errorf("GET %s leaked a dotfile", p)
		}
	}
}

func TestBackslashTarget(t *testing.T) {
	h := newHandler(t)
	r := httptest.NewRequest("GET", "/", nil)
	r.URL.Path = `/sub\page.html`
	r.URL.RawPath = ""
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 404 {
		t.Errorf(`GET /sub\page.html: status %d, want 404`, w.Code)
	}
}

// TestTraversalDoesNotEscape serves a real directory whose parent holds a
// secret, and tries to reach it.
func TestTraversalDoesNotEscape(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("TOPSECRET"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "index.html"), []byte("home"), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := New(os.DirFS(root))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, p := range []string{
		"/../secret.txt",
		"/%2e%2e/secret.txt",
		"/%2E%2E/secret.txt",
		"/..%2fsecret.txt",
		"/%2e%2e%2fsecret.txt",
		"/..%5csecret.txt",
		"/.%2e/secret.txt",
		"/x/../../secret.txt",
		"/..\\secret.txt",
		"/%00/../secret.txt",
	} {
		// A target refused before any response (by the client or the
		// server's parser) escaped nothing either.
		resp, err := reqtest.RawGet(t, srv.URL, p)
		if err == nil && (resp.Status == 200 || strings.Contains(resp.Body, "TOPSECRET")) {
			t.Errorf("GET %s: %d %q — escaped the asset root", p, resp.Status, resp.Body)
		}
	}
	if resp, err := reqtest.RawGet(t, srv.URL, "/"); err != nil || resp.Status != 200 || resp.Body != "home" {
		t.Fatalf("control request failed: %d %q (%v)", resp.Status, resp.Body, err)
	}
}

func TestHEAD(t *testing.T) {
	h := newHandler(t)
	get := reqtest.Do(h, "GET", "/"+testids.HashedWasm, "Accept-Encoding", "gzip")
	head := reqtest.Do(h, "HEAD", "/"+testids.HashedWasm, "Accept-Encoding", "gzip")
	if head.Code != 200 || head.Body.Len() != 0 {
		t.Fatalf("HEAD: %d with %d body bytes", head.Code, head.Body.Len())
	}
	for _, k := range []string{"Content-Type", "Content-Length", "Content-Encoding", "ETag", "Cache-Control", "Vary"} {
		if head.Header().Get(k) == "" || head.Header().Get(k) != get.Header().Get(k) {
			t.Errorf("HEAD %s = %q, GET has %q", k, head.Header().Get(k), get.Header().Get(k))
		}
	}
}

func TestMethodNotAllowed(t *testing.T) {
	h := newHandler(t)
	for _, m := range []string{"POST", "PUT", "DELETE", "OPTIONS"} {
		w := reqtest.Do(h, m, "/index.html")
		if w.Code != 405 || w.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: %d Allow=%q", m, w.Code, w.Header().Get("Allow"))
		}
	}
}

func TestRange(t *testing.T) {
	h := newHandler(t)
	w := reqtest.Do(h, "GET", "/loader.js", "Range", "bytes=0-6")
	if w.Code != 206 || w.Body.String() != string(jsBytes[:7]) {
		t.Errorf("Range: %d %q", w.Code, w.Body.String())
	}
}

func TestNewRejectsBadInput(t *testing.T) {
	if _, err := New(nil); err == nil {
		t.Error("New(nil) succeeded")
	}
	if _, err := New(fstest.MapFS{".gitkeep": {Data: nil}}); err == nil {
		t.Error("New(empty) succeeded")
	}
	stale := testFS(t)
	stale[testids.HashedWasm+".br"] = &fstest.MapFile{Data: brEncode(t, []byte("old wasm"))}
	if _, err := New(stale); err == nil || !strings.Contains(err.Error(), testids.HashedWasm+".br") {
		t.Errorf("stale .br accepted: %v", err)
	}
	corrupt := testFS(t)
	corrupt["index.html.gz"] = &fstest.MapFile{Data: []byte("not gzip")}
	if _, err := New(corrupt); err == nil {
		t.Error("corrupt .gz accepted")
	}
	if _, err := New(noSeekFS{testFS(t)}); err == nil || !strings.Contains(err.Error(), "seekable") {
		t.Errorf("non-seekable files accepted: %v", err)
	}
}

type noSeekFS struct{ fs.FS }

func (n noSeekFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(n.FS, name) }

func (n noSeekFS) Open(name string) (fs.File, error) {
	f, err := n.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return struct{ fs.File }{f}, nil
}

func TestNames(t *testing.T) {
	got := strings.Join(newHandler(t).Names(), " ")
	for _, want := range []string{"index.html", testids.HashedWasm, "sub/page.html", "notes.br"} {
		if !strings.Contains(" "+got+" ", " "+want+" ") {
			t.Errorf("Names() = %s, missing %s", got, want)
		}
	}
	for _, bad := range []string{".gitkeep", "index.html.br", "sub/.env", ".hidden"} {
		if strings.Contains(" "+got+" ", " "+bad+" ") || strings.Contains(got, bad+" ") {
			t.Errorf("Names() = %s, includes %s", got, bad)
		}
	}
}
