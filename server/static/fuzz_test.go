package static

import (
	"bufio"
	"bytes"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/glimchat/glimchat/internal/testids"
)

// fuzzTypes is what each extension of testFS must be served as, written out
// independently of the package's table.
var fuzzTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".wasm": "application/wasm",
}

// FuzzServeHTTP sends arbitrary request targets and Accept-Encoding fields
// (split on "\n" into several fields) and checks the answer: no panic; 200
// only for the asset the path names exactly, with its bytes once decoded and
// its content type; 404 otherwise; nosniff always; and a Content-Encoding only
// when the fields do not refuse it.
func FuzzServeHTTP(f *testing.F) {
	fsys := testFS(f)
	h, err := New(fsys)
	if err != nil {
		f.Fatal(err)
	}
	for _, target := range []string{
		"/", "/index.html", "/sub/", "/sub/page.html", "/" + testids.HashedWasm, "/glimchat.css",
		"/notes.br", "/index.html.br", "/.gitkeep", "/sub/.env", "/.hidden/x.html",
		"/../index.html", "/sub/../index.html", "/%2e%2e/index.html", "/sub%2fpage.html", "/sub%5cpage.html",
		"/sub\\page.html", "//index.html", "/index.html%00", "/%2egitkeep", "*", "index.html",
		"http://evil.test/index.html", "/index.html?x=/../.gitkeep", "/sub/page.html/", "/%ff",
	} {
		for _, ae := range []string{"", "br", "gzip", "*", "br;q=0, gzip;q=0", "*;q=0", "br;q=0, *",
			"br, br;q=0", "x-gzip;q=0.5, BR;Q=0.4", "gzip;q=1.5", "br;q=0.000\ngzip", "identity;q=0"} {
			f.Add(target, ae)
		}
	}
	f.Fuzz(func(t *testing.T, target, acceptEncoding string) {
		if len(target) > 256 || len(acceptEncoding) > 256 {
			return // longer inputs reach no new code, and slow the fuzzer's minimizing
		}
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(
			"GET " + target + " HTTP/1.1\r\nHost: glimchat.test\r\n\r\n")))
		if err != nil {
			return // net/http answers 400 before any handler runs
		}
		var fields []string
		if acceptEncoding != "" {
			fields = strings.Split(acceptEncoding, "\n")
			req.Header["Accept-Encoding"] = fields
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		hd := w.Header()
		if got := hd.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("X-Content-Type-Options %q", got)
		}
		switch w.Code {
		case http.StatusNotFound:
			if ct := hd.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("404 with Content-Type %q", ct)
			}
			return
		case http.StatusOK:
		default:
			t.Fatalf("status %d", w.Code)
		}
		name, ok := strings.CutPrefix(req.URL.Path, "/")
		if !ok {
			t.Fatalf("served %q, which is no absolute path", req.URL.Path)
		}
		if name == "" || strings.HasSuffix(name, "/") {
			name += "index.html"
		}
		if !servable(fsys, name) {
			t.Fatalf("path %q served, but %q is not a servable asset", req.URL.Path, name)
		}
		want := fuzzTypes[path.Ext(name)]
		if want == "" {
			want = "application/octet-stream"
		}
		if ct := hd.Get("Content-Type"); ct != want {
			t.Errorf("%s: Content-Type %q, want %q", name, ct, want)
		}
		enc := hd.Get("Content-Encoding")
		if enc != "" && refuses(fields, enc) {
			t.Errorf("%s: Content-Encoding %s, which Accept-Encoding %q refuses", name, enc, fields)
		}
		if !bytes.Equal(decode(t, enc, w.Body.Bytes()), fsys[name].Data) {
			t.Errorf("%s: body is not the asset's content", name)
		}
	})
}

// servable: a file of fsys, with no dot-segment in its path, that is not the
// compressed sibling of another.
func servable(fsys fstest.MapFS, name string) bool {
	if _, ok := fsys[name]; !ok {
		return false
	}
	for seg := range strings.SplitSeq(name, "/") {
		if strings.HasPrefix(seg, ".") {
			return false
		}
	}
	for _, ext := range []string{".br", ".gz"} {
		if base, ok := strings.CutSuffix(name, ext); ok && fsys[base] != nil {
			return false
		}
	}
	return true
}

var zeroQ = regexp.MustCompile(`^[qQ]=0(\.0{0,3})?$`)

// refuses reports whether the Accept-Encoding fields plainly refuse enc: an
// element "enc;q=0", or no element naming enc and none "*" that is not
// "*;q=0". Ambiguous elements count as accepting, so the check never blames
// a reading the RFC allows.
func refuses(fields []string, enc string) bool {
	named, star := false, false
	for _, field := range fields {
		for elem := range strings.SplitSeq(field, ",") {
			coding, params, _ := strings.Cut(elem, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding == "x-gzip" {
				coding = "gzip"
			}
			zero := zeroQ.MatchString(strings.TrimSpace(params))
			switch coding {
			case enc:
				if zero {
					return true
				}
				named = true
			case "*":
				star = star || !zero
			}
		}
	}
	return !named && !star
}
