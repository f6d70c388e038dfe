// Package site composes the widget host: the static assets with their page
// security headers, the Glimesh API (demo instance or upstream proxy) mounted
// at the instance's own paths, /healthz, and an access log.
package site

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/glimchat/glimchat/server/static"
)

// Config is what New composes.
type Config struct {
	// Assets are the built widget files (web.Dist()).
	Assets fs.FS
	// API serves /api/graph (and /api/graph/websocket), /api/oauth/ and
	// /uploads/: a demo instance or the upstream proxy. Nil means none (404).
	API http.Handler
	// Instances are further instance origins ("https://glimesh.tv") the pages
	// may connect to and load images from.
	Instances []string
	// Logger receives the access log; nil discards it.
	Logger *slog.Logger
	// FrameAncestors are the sites that may frame overlay.html and
	// embed.html, as CSP frame-ancestors sources; "" means "*" (any).
	FrameAncestors string
}

// Pages any site may frame (OBS docks, streamers' own sites); every other
// response forbids framing.
var framable = map[string]bool{"/embed.html": true, "/overlay.html": true}

// New returns the site handler.
func New(cfg Config) (http.Handler, error) {
	st, err := static.New(cfg.Assets)
	if err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	csp, err := CSP(cfg.Instances)
	if err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	ancestors, err := ParseFrameAncestors(cfg.FrameAncestors)
	if err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	ancestors = withSelf(ancestors)
	api := cfg.API
	if api == nil {
		api = http.NotFoundHandler()
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case p == "/healthz":
			Healthz(w, r)
		case IsAPIPath(p):
			// Untouched: the API must look exactly like the instance.
			api.ServeHTTP(w, r)
		default:
			hd := w.Header()
			if framable[p] {
				hd.Set("Content-Security-Policy", csp+"; frame-ancestors "+ancestors)
			} else if p == "/" || p == "/index.html" {
				// The generator previews the overlay in a frame of its own origin.
				hd.Set("Content-Security-Policy", csp+"; frame-src 'self'; frame-ancestors 'none'")
				hd.Set("X-Frame-Options", "DENY")
			} else {
				hd.Set("Content-Security-Policy", csp+"; frame-ancestors 'none'")
				hd.Set("X-Frame-Options", "DENY")
			}
			hd.Set("Referrer-Policy", "no-referrer")
			st.ServeHTTP(w, r) // sets X-Content-Type-Options on every answer
		}
	})
	return AccessLog(logger, h), nil
}

// ParseFrameAncestors checks a space-separated list of frame-ancestors
// sources ("" is "*"): '*', 'self', 'none', or a host source such as
// https://mysite.example or https://*.example.com:443. Nothing else, so
// the value cannot end the directive or add one.
func ParseFrameAncestors(v string) (string, error) {
	fields := strings.Fields(v)
	if len(fields) == 0 {
		return "*", nil
	}
	for _, f := range fields {
		switch strings.ToLower(f) {
		case "*", "'self'", "'none'":
			if strings.ToLower(f) == "'none'" && len(fields) > 1 {
				return "", fmt.Errorf("frame-ancestors: 'none' must stand alone")
			}
			continue
		}
		scheme, host, ok := strings.Cut(f, "://")
		if !ok || (scheme != "http" && scheme != "https") || host == "" {
			return "", fmt.Errorf("frame-ancestors source %q: want *, 'self', 'none' or an origin like https://mysite.example", f)
		}
		for _, c := range strings.ToLower(host) {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.ContainsRune(".-:*[]", c)) {
				return "", fmt.Errorf("frame-ancestors source %q: only an origin (scheme://host[:port]), without path", f)
			}
		}
	}
	return strings.Join(fields, " "), nil
}

// withSelf adds 'self' to a restricted frame-ancestors list: the generator
// (index.html) previews overlay.html in a frame of its own origin.
func withSelf(ancestors string) string {
	switch {
	case ancestors == "*" || strings.Contains(strings.ToLower(ancestors), "'self'"):
		return ancestors
	case ancestors == "'none'":
		return "'self'"
	}
	return "'self' " + ancestors
}

// IsAPIPath reports whether p belongs to the instance: /api/graph and below
// (the websocket is /api/graph/websocket), /oauth/authorize (the demo's
// consent page, with its own headers; the proxy answers 404, as a real
// instance signs users in on its own origin), /api/oauth/..., /uploads/...,
// and /_demo/... (the demo instance's fault hooks; an instance without them,
// or the proxy, answers 404).
func IsAPIPath(p string) bool {
	return p == "/api/graph" || p == "/oauth/authorize" ||
		strings.HasPrefix(p, "/api/graph/") ||
		strings.HasPrefix(p, "/api/oauth/") ||
		strings.HasPrefix(p, "/uploads/") ||
		strings.HasPrefix(p, "/_demo/")
}

// Healthz answers GET and HEAD with 200 "ok".
func Healthz(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", "2")
	if r.Method == http.MethodGet {
		io.WriteString(w, "ok")
	}
}

// CSP returns the Content-Security-Policy for the pages, without
// frame-ancestors (which differs per page). It allows exactly what the widget
// needs: its own scripts and the wasm compile ('wasm-unsafe-eval', not
// 'unsafe-eval'), its stylesheet, images (avatars, emotes) and connections
// (fetch, websocket) to this origin and the given instances. 'self' covers
// same-origin ws:/wss: in CSP Level 3.
func CSP(instances []string) (string, error) {
	img := []string{"'self'", "data:"}
	conn := []string{"'self'"}
	seen := map[string]bool{}
	for _, raw := range instances {
		o, err := ParseOrigin(raw)
		if err != nil {
			return "", err
		}
		if seen[o] {
			continue
		}
		seen[o] = true
		ws := "ws" + strings.TrimPrefix(o, "http")
		img = append(img, o)
		conn = append(conn, o, ws)
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self' 'wasm-unsafe-eval'",
		"style-src 'self'",
		"img-src " + strings.Join(img, " "),
		"connect-src " + strings.Join(conn, " "),
		"base-uri 'none'",
		"form-action 'none'",
	}, "; "), nil
}

// ParseOrigin checks and normalizes an instance origin: http or https, a
// host, optionally a port, nothing else (a trailing "/" is tolerated). The
// result is safe to place in a CSP header.
func ParseOrigin(raw string) (string, error) {
	bad := func(why string) error { return fmt.Errorf("instance origin %q: %s", raw, why) }
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("instance origin %q: %w", raw, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", bad("must start with http:// or https://")
	case u.Host == "" || u.Opaque != "":
		return "", bad("must name a host")
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || (u.Path != "" && u.Path != "/"):
		return "", bad("must be an origin only (scheme://host[:port]), without path, query or credentials")
	}
	host := strings.ToLower(u.Host)
	for _, c := range host {
		ok := 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.ContainsRune(".-:[]", c)
		if !ok {
			return "", bad("host has characters a CSP source cannot carry")
		}
	}
	if u.Hostname() == "" {
		return "", bad("must name a host")
	}
	return u.Scheme + "://" + host, nil
}

var errNoHijack = errors.New("site: response writer cannot hijack")
