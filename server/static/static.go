// Package static serves the widget's built assets from an fs.FS (the embedded
// web/dist): precompressed .br/.gz representations chosen by Accept-Encoding,
// strong per-representation ETags computed once at start-up, and cache headers
// that let browsers keep content-hashed files forever while HTML and other
// un-hashed files are revalidated on every use (so OBS never runs a stale
// widget).
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/andybalholm/brotli"
)

// Cache-Control values.
const (
	CacheImmutable  = "public, max-age=31536000, immutable"
	CacheRevalidate = "no-cache"
)

// encodings we serve precompressed, in order of preference on equal q-values.
var encodings = []struct {
	name, ext string
	decode    func(io.Reader) (io.Reader, error)
}{
	{"br", ".br", func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil }},
	{"gzip", ".gz", func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }},
}

// Handler serves a fixed set of assets. It is safe for concurrent use.
type Handler struct {
	fsys   fs.FS
	assets map[string]*asset // keyed by the uncompressed fs path
}

type asset struct {
	contentType  string
	cacheControl string
	reps         []rep // identity first
}

// rep is one representation of an asset: the identity bytes or a
// precompressed sibling.
type rep struct {
	encoding string // "" for identity
	file     string // fs path
	etag     string
	size     int64
}

// New indexes every regular file in assets. A file "x.br" or "x.gz" next to
// "x" is a precompressed representation of "x", not a file of its own, and
// must decompress to exactly the bytes of "x" (a stale sibling would serve old
// content under a fresh ETag). Dotfiles are skipped. The files must implement
// io.Seeker, as embed.FS files do, so responses are served without copying.
func New(assets fs.FS) (*Handler, error) {
	if assets == nil {
		return nil, errors.New("static: nil assets")
	}
	var files []string
	err := fs.WalkDir(assets, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("static: list assets: %w", err)
	}
	present := make(map[string]bool, len(files))
	for _, f := range files {
		present[f] = true
	}
	h := &Handler{fsys: assets, assets: make(map[string]*asset)}
	for _, f := range files {
		if isSibling(f, present) {
			continue
		}
		a, err := load(assets, f, present)
		if err != nil {
			return nil, fmt.Errorf("static: %w", err)
		}
		h.assets[f] = a
	}
	if len(h.assets) == 0 {
		return nil, errors.New("static: no assets (was the web bundle built?)")
	}
	return h, nil
}

func isSibling(f string, present map[string]bool) bool {
	for _, e := range encodings {
		if base, ok := strings.CutSuffix(f, e.ext); ok && present[base] {
			return true
		}
	}
	return false
}

func load(fsys fs.FS, name string, present map[string]bool) (*asset, error) {
	identity, err := readSeekable(fsys, name)
	if err != nil {
		return nil, err
	}
	a := &asset{
		contentType:  contentType(name),
		cacheControl: cacheControl(name),
		reps:         []rep{{file: name, etag: etag(identity), size: int64(len(identity))}},
	}
	for _, e := range encodings {
		sib := name + e.ext
		if !present[sib] {
			continue
		}
		enc, err := readSeekable(fsys, sib)
		if err != nil {
			return nil, err
		}
		dr, err := e.decode(bytes.NewReader(enc))
		if err != nil {
			return nil, fmt.Errorf("decode %s: %w", sib, err)
		}
		plain, err := io.ReadAll(dr)
		if err != nil {
			return nil, fmt.Errorf("decode %s: %w", sib, err)
		}
		if !bytes.Equal(plain, identity) {
			return nil, fmt.Errorf("%s does not decompress to the content of %s (stale build?)", sib, name)
		}
		a.reps = append(a.reps, rep{encoding: e.name, file: sib, etag: etag(enc), size: int64(len(enc))})
	}
	return a, nil
}

func readSeekable(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	if _, ok := f.(io.ReadSeeker); !ok {
		return nil, fmt.Errorf("open %s: file is not seekable", name)
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return b, nil
}

// etag is a strong validator over the exact bytes of one representation.
func etag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:]) + `"`
}

// Our own table for the types the widget ships, so the answer never depends
// on the host's /etc/mime.types.
var types = map[string]string{
	".html":  "text/html; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".wasm":  "application/wasm",
	".json":  "application/json",
	".map":   "application/json",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".gif":   "image/gif",
	".webp":  "image/webp",
	".ico":   "image/vnd.microsoft.icon",
	".txt":   "text/plain; charset=utf-8",
	".woff2": "font/woff2",
}

func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := types[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// IsHashed reports whether a file name is content-hashed and so may be cached
// forever. The rule: the base name is "<stem>.<hash>.<ext>" where <hash> is
// 12 to 64 lowercase hex digits and <stem> and <ext> are non-empty, for
// example "glimchat.0123456789ab.wasm". The bundle must change the hash
// whenever the content changes.
func IsHashed(name string) bool {
	parts := strings.Split(path.Base(name), ".")
	if len(parts) < 3 || parts[0] == "" || parts[len(parts)-1] == "" {
		return false
	}
	h := parts[len(parts)-2]
	if len(h) < 12 || len(h) > 64 {
		return false
	}
	for _, c := range h {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func cacheControl(name string) string {
	if IsHashed(name) {
		return CacheImmutable
	}
	return CacheRevalidate
}

// Names lists the servable asset paths (without compressed siblings), sorted.
func (h *Handler) Names() []string {
	names := make([]string, 0, len(h.assets))
	for n := range h.assets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Every answer, errors included: no browser may sniff a type of its own.
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name, ok := assetName(r)
	a := h.assets[name]
	if !ok || a == nil {
		http.NotFound(w, r)
		return
	}
	rp := a.reps[0]
	if len(a.reps) > 1 {
		offered := make([]string, 0, len(a.reps)-1)
		for _, x := range a.reps[1:] {
			offered = append(offered, x.encoding)
		}
		if enc := Negotiate(r.Header.Values("Accept-Encoding"), offered); enc != "" {
			for _, x := range a.reps[1:] {
				if x.encoding == enc {
					rp = x
				}
			}
		}
	}
	f, err := h.fsys.Open(rp.file)
	if err != nil {
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	hd := w.Header()
	// Set from the uncompressed name: ServeContent would otherwise sniff the
	// compressed bytes.
	hd.Set("Content-Type", a.contentType)
	hd.Set("Cache-Control", a.cacheControl)
	hd.Set("ETag", rp.etag)
	if len(a.reps) > 1 {
		hd.Add("Vary", "Accept-Encoding")
	}
	if rp.encoding != "" {
		hd.Set("Content-Encoding", rp.encoding)
		// ServeContent leaves Content-Length out when Content-Encoding is set
		// (for handlers that compress on the fly); ours is exact. It still
		// replaces this for range requests and drops it on 304 and errors.
		hd.Set("Content-Length", strconv.FormatInt(rp.size, 10))
	}
	// ServeContent implements If-None-Match (lists, "*", weak comparison as
	// RFC 9110 §13.1.2 requires), Range and HEAD. Seekability was checked in New.
	http.ServeContent(w, r, "", time.Time{}, f.(io.ReadSeeker))
}

// assetName maps a request path to an fs path. It refuses anything that is
// not a plain, canonical path inside the asset tree: dot segments (also
// percent-encoded), encoded slashes or backslashes, backslashes, NUL and
// other control characters, empty segments, and dotfiles.
func assetName(r *http.Request) (string, bool) {
	esc := strings.ToLower(r.URL.EscapedPath())
	if strings.Contains(esc, "%2f") || strings.Contains(esc, "%5c") {
		return "", false
	}
	p := r.URL.Path
	if !strings.HasPrefix(p, "/") {
		return "", false
	}
	p = p[1:]
	if p == "" || strings.HasSuffix(p, "/") {
		p += "index.html"
	}
	for _, c := range p {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "", false
		}
	}
	if !fs.ValidPath(p) {
		return "", false
	}
	for seg := range strings.SplitSeq(p, "/") {
		if strings.HasPrefix(seg, ".") {
			return "", false
		}
	}
	return p, true
}

// Negotiate picks the content coding to send from the Accept-Encoding field
// values, among offered (in the server's order of preference, used to break
// ties). It returns "" for identity. An explicit q=0 refuses a coding even when
// "*" or another element for the same coding would accept it (a refusal wins
// over an ambiguous header); "x-gzip" counts as "gzip"; malformed elements are
// ignored. With no Accept-Encoding field at all the answer is identity (the
// safe choice, as RFC 9110 §12.5.3 allows).
func Negotiate(fields []string, offered []string) string {
	accepted := map[string]float64{} // highest q per coding, "*" included
	refused := map[string]bool{}
	for _, field := range fields {
		for elem := range strings.SplitSeq(field, ",") {
			coding, q, ok := parseElem(elem)
			if !ok {
				continue
			}
			if coding == "x-gzip" {
				coding = "gzip"
			}
			if q == 0 {
				refused[coding] = true
			} else {
				accepted[coding] = max(accepted[coding], q)
			}
		}
	}
	best, bestQ := "", 0.0
	for _, c := range offered {
		if refused[c] {
			continue
		}
		q, listed := accepted[c]
		if !listed && !refused["*"] {
			q = accepted["*"] // "*" covers the codings not listed
		}
		if q > bestQ {
			best, bestQ = c, q
		}
	}
	return best
}

func parseElem(elem string) (coding string, q float64, ok bool) {
	coding, params, _ := strings.Cut(elem, ";")
	coding = strings.ToLower(strings.TrimSpace(coding))
	if coding == "" || strings.ContainsAny(coding, " \t\"") {
		return "", 0, false
	}
	q = 1
	for p := range strings.SplitSeq(params, ";") {
		k, v, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		var err error
		if q, err = parseQ(strings.TrimSpace(v)); err != nil {
			return "", 0, false
		}
	}
	return coding, q, true
}

// parseQ accepts the RFC 9110 qvalue grammar: 0[.ddd] or 1[.000].
func parseQ(s string) (float64, error) {
	bad := fmt.Errorf("bad qvalue %q", s)
	if s == "" || len(s) > 5 || (s[0] != '0' && s[0] != '1') {
		return 0, bad
	}
	if len(s) == 1 {
		return float64(s[0] - '0'), nil
	}
	if s[1] != '.' {
		return 0, bad
	}
	v := float64(s[0] - '0')
	scale := 0.1
	for _, c := range s[2:] {
		if c < '0' || c > '9' || (s[0] == '1' && c != '0') {
			return 0, bad
		}
		v += float64(c-'0') * scale
		scale /= 10
	}
	return v, nil
}
