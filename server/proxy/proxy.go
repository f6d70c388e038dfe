// Package proxy forwards the Glimesh API paths the widget uses (/api/graph
// over HTTP and its websocket upgrade, /api/oauth/, /uploads/) to a real
// Glimesh instance, so a widget served by glimchat can talk to it same-origin.
//
// What crosses the proxy, and why:
//   - Host is rewritten to the upstream's host (virtual hosting, TLS SNI).
//   - Authorization is kept: it is how the API authenticates (Client-ID or
//     Bearer), and the websocket's token= query parameter is kept as well.
//   - Hop-by-hop headers (Connection and the fields it names, Keep-Alive,
//     Proxy-*, TE, Trailer, Transfer-Encoding; Upgrade except on an upgrade)
//     are dropped by httputil.ReverseProxy.
//   - Origin is dropped. The browser's Origin names the widget host, which is
//     not an origin of the instance: forwarding it would make an instance that
//     checks origins refuse every request, and rewriting it to the instance's
//     own origin would forge a same-site claim. Without Origin the request looks
//     like any non-browser client (the native apps, the OBS plugin), which Glimesh
//     accepts: its API socket runs with check_origin: false and Phoenix passes a
//     request that carries no Origin; the HTTP API has no CSRF check.
//   - Cookie is dropped: the widget host's cookies belong to the widget host (on
//     127.0.0.1 possibly to unrelated local apps) and the new API authenticates
//     by header or token, never by session cookie. Likewise Set-Cookie,
//     Strict-Transport-Security and Alt-Svc are dropped from responses: they
//     would set state on the widget host's origin, not the instance's.
//   - X-Forwarded-* and Forwarded are neither passed on nor added: client
//     addresses are not the instance's business, and it would not trust them.
//
// Any other path answers 404, as do non-canonical paths (dot segments, empty
// segments, encoded slashes, backslashes, control characters), so the proxy
// never becomes a general window onto the instance. When the instance cannot be
// reached the answer is 502 with a plain-text message; the logged error never
// includes the query string (it may carry token=).
package proxy

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"
)

// Option configures New.
type Option func(*config)

type config struct {
	logger    *slog.Logger
	transport http.RoundTripper
}

// WithLogger sets where upstream failures are logged (default: discarded).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithTransport replaces the transport used to reach the instance.
func WithTransport(rt http.RoundTripper) Option { return func(c *config) { c.transport = rt } }

// ParseUpstream parses and checks an -upstream flag value: an absolute http or
// https URL with a host and no user info, query or fragment. A path is kept as
// a prefix (an instance served under a sub-path).
func ParseUpstream(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("upstream %q: %w", raw, err)
	}
	if err := checkUpstream(u); err != nil {
		return nil, fmt.Errorf("upstream %q: %w", raw, err)
	}
	return u, nil
}

func checkUpstream(u *url.URL) error {
	switch {
	case u == nil:
		return errors.New("no URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("must be an absolute http:// or https:// URL")
	case u.Host == "" || u.Opaque != "":
		return errors.New("must name a host, like https://glimesh.tv")
	case u.User != nil:
		return errors.New("must not contain user info (credentials do not belong in URLs)")
	case u.RawQuery != "" || u.ForceQuery:
		return errors.New("must not contain a query")
	case u.Fragment != "":
		return errors.New("must not contain a fragment")
	}
	if _, err := url.Parse(u.Scheme + "://" + u.Host); err != nil {
		return fmt.Errorf("bad host: %w", err)
	}
	return nil
}

// New returns a handler proxying the API paths to upstream.
func New(upstream *url.URL, opts ...Option) (http.Handler, error) {
	if err := checkUpstream(upstream); err != nil {
		return nil, fmt.Errorf("proxy: upstream: %w", err)
	}
	target := *upstream
	target.Path = strings.TrimSuffix(target.Path, "/")
	target.RawPath = ""

	c := config{logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(&c)
	}
	if c.transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
		t.ResponseHeaderTimeout = 30 * time.Second
		c.transport = t
	}
	logger := c.logger
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(&target) // also sets Out.Host to the upstream's host
			pr.Out.Header.Del("Origin")
			pr.Out.Header.Del("Cookie")
		},
		Transport: c.transport,
		ModifyResponse: func(resp *http.Response) error {
			for _, k := range []string{"Set-Cookie", "Strict-Transport-Security", "Alt-Svc"} {
				resp.Header.Del(k)
			}
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if r.Context().Err() != nil {
				// The client went away; nobody is listening for a 502.
				return
			}
			logger.LogAttrs(r.Context(), slog.LevelWarn, "upstream request failed",
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("upstream", target.Host),
				slog.String("error", redact(err, r)))
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "502 Bad Gateway: the Glimesh instance could not be reached\n")
		},
		// ReverseProxy's own log lines (body copy failures) go to the same logger.
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !Allowed(r) {
			http.NotFound(w, r)
			return
		}
		rp.ServeHTTP(w, r)
	}), nil
}

// Allowed reports whether r targets one of the proxied API paths in
// canonical form.
func Allowed(r *http.Request) bool {
	p := r.URL.Path
	esc := strings.ToLower(r.URL.EscapedPath())
	if strings.Contains(esc, "%2f") || strings.Contains(esc, "%5c") {
		return false
	}
	for _, c := range p {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return false
		}
	}
	if !strings.HasPrefix(p, "/") {
		return false
	}
	segs := strings.Split(p[1:], "/")
	for i, s := range segs {
		if s == "." || s == ".." || (s == "" && i != len(segs)-1) {
			return false
		}
	}
	return p == "/api/graph" ||
		strings.HasPrefix(p, "/api/graph/") ||
		strings.HasPrefix(p, "/api/oauth/") ||
		strings.HasPrefix(p, "/uploads/")
}

// redact renders err without any URL query (transport errors quote the full
// URL, and the websocket's token= parameter is a credential).
func redact(err error, r *http.Request) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	if q := r.URL.RawQuery; q != "" {
		msg = strings.ReplaceAll(msg, q, "[query redacted]")
	}
	return msg
}
