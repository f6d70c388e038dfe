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
//     by header or token, never by session cookie.
//   - Client-address headers (Forwarded, every X-Forwarded-*, X-Real-IP,
//     True-Client-IP, CF-Connecting-IP, X-Client-IP, Via and the like; see
//     clientHeaders) are neither passed on nor added: client addresses are not
//     the instance's business, and it would not trust them. Path-override
//     headers (X-Original-URL, X-Rewrite-URL) go too: they would slip past
//     Allowed on a framework that honours them.
//   - Response headers that act on the whole origin rather than on one response
//     are dropped (Set-Cookie, Clear-Site-Data, Strict-Transport-Security,
//     Alt-Svc, Refresh, Link, Accept-CH, NEL, Report-To, Service-Worker-Allowed
//     and the like; see originHeaders): on the widget's origin they would set
//     state, wipe its storage or load things the instance chose.
//   - Every answer, the websocket upgrade and the proxy's own errors included,
//     gets Content-Security-Policy: default-src 'none'; sandbox; frame-ancestors
//     'none', X-Content-Type-Options: nosniff and X-Frame-Options: DENY, in place
//     of whatever the instance sent. It runs on the origin that holds the
//     viewer's token, and /uploads/ serves user files (SVG emotes): none of it
//     may run script or be framed. The widget only fetches the API and loads
//     uploads as images, which these headers do not hinder.
//
// These apply to HTTP and to the websocket upgrade alike.
//
// Any other path answers 404, as do non-canonical paths (dot segments, empty
// segments, encoded slashes, backslashes, control characters), so the proxy
// never becomes a general window onto the instance. When the instance cannot be
// reached the answer is 502, 504 when it does not answer within the timeout
// (WithTimeout), and 408 when the client is too slow to send its request
// (http.Server's ReadTimeout), each with a plain-text message; the logged error
// never includes the query string (it may carry token=). A body that stalls for
// the timeout after the headers went out, or a client that leaves, aborts the
// handler (http.ErrAbortHandler): the client sees a broken response rather than
// a complete one, and the access log no 200.
package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultTimeout is how long the instance may take to start answering, and the
// longest it may pause while sending a body.
const DefaultTimeout = 30 * time.Second

// Option configures New.
type Option func(*config)

type config struct {
	logger    *slog.Logger
	transport http.RoundTripper
	timeout   time.Duration
}

// WithLogger sets where upstream failures are logged (default: discarded).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithTransport replaces the transport used to reach the instance.
func WithTransport(rt http.RoundTripper) Option { return func(c *config) { c.transport = rt } }

// WithTimeout replaces DefaultTimeout; d <= 0 keeps it.
func WithTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.timeout = d
		}
	}
}

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

	c := config{logger: slog.New(slog.DiscardHandler), timeout: DefaultTimeout}
	for _, o := range opts {
		o(&c)
	}
	if c.transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
		c.transport = t
	}
	logger := c.logger
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(&target) // also sets Out.Host to the upstream's host
			strip(pr.Out.Header, clientHeader)
		},
		Transport: c.transport,
		ModifyResponse: func(resp *http.Response) error {
			ex := exchangeOf(resp.Request.Context())
			if !ex.timer.Stop() {
				return errUpstreamTimeout
			}
			strip(resp.Header, originHeader)
			protect(resp.Header)
			if resp.StatusCode == http.StatusSwitchingProtocols {
				return nil // the websocket's own heartbeats watch it from here
			}
			if _, ok := resp.Header["Content-Type"]; !ok {
				// Else net/http would sniff one from the body (text/html, say).
				resp.Header.Set("Content-Type", "application/octet-stream")
			}
			ex.bodyStarted.Store(true)
			resp.Body = &upstreamBody{ReadCloser: resp.Body, ex: ex}
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			// r is the outgoing request: its context carries our cause.
			what, status, msg := "upstream request failed", http.StatusBadGateway, "502 Bad Gateway: the Glimesh instance could not be reached\n"
			switch ctx := r.Context(); {
			case errors.Is(context.Cause(ctx), errUpstreamTimeout):
				status, msg = http.StatusGatewayTimeout, "504 Gateway Timeout: the Glimesh instance did not answer in time\n"
			case ctx.Err() != nil:
				// The client's side failed: it was too slow to send its
				// request (the server's ReadTimeout), or it went away.
				if !exchangeOf(ctx).clientTimedOut() {
					// Abort, so that neither net/http nor the access log
					// makes an empty 200 of it.
					panic(http.ErrAbortHandler)
				}
				what = "client request timed out"
				status, msg = http.StatusRequestTimeout, "408 Request Timeout: the request was not sent in time\n"
				w.Header().Set("Connection", "close") // the rest of the body is not coming
			case isTimeout(err):
				status, msg = http.StatusGatewayTimeout, "504 Gateway Timeout: the Glimesh instance did not answer in time\n"
			}
			logger.LogAttrs(r.Context(), slog.LevelWarn, what,
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("upstream", target.Host),
				slog.Int("status", status),
				slog.String("error", redact(err, r)))
			h := w.Header()
			protect(h)
			h.Set("Content-Type", "text/plain; charset=utf-8")
			h.Set("Cache-Control", "no-store")
			w.WriteHeader(status)
			io.WriteString(w, msg)
		},
		// ReverseProxy's own log lines (body copy failures) go to the same logger.
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !Allowed(r) {
			http.NotFound(w, r)
			return
		}
		ctx, cancel := context.WithCancelCause(r.Context())
		defer cancel(nil)
		ex := &exchange{timeout: c.timeout}
		ex.timer = time.AfterFunc(c.timeout, func() { cancel(errUpstreamTimeout) })
		defer ex.timer.Stop()
		r = r.WithContext(context.WithValue(ctx, exchangeKey{}, ex))
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &clientBody{ReadCloser: r.Body, ex: ex}
		}
		rp.ServeHTTP(noInformational{w}, r)
		if ex.bodyStarted.Load() && !ex.bodyDone.Load() {
			// Headers went out but the body did not finish. Under a server
			// ReverseProxy has already panicked; elsewhere it returns quietly.
			panic(http.ErrAbortHandler)
		}
	}), nil
}

var errUpstreamTimeout = errors.New("the Glimesh instance did not answer in time")

// isTimeout: a deadline passed (ours, the transport's dial or header timeout,
// or the server's read deadline on the client's body).
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, errUpstreamTimeout) || errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout())
}

// exchange is the state of one proxied request. Its timer runs only while the
// proxy waits on the instance: from the request's arrival to the response
// headers, then during each read of the body (not while the client is slow
// to take it). When it fires it cancels the request with errUpstreamTimeout.
type exchange struct {
	timeout     time.Duration
	timer       *time.Timer
	bodyStarted atomic.Bool // the response headers were handed on
	bodyDone    atomic.Bool // the body was read to its end

	clientMu  sync.Mutex // held across each read of the client's body
	clientErr error      // why reading it failed
}

// clientTimedOut reports whether reading the client's request body timed out.
// Call it only once the client's side has failed: it waits for a read in
// flight, which returns promptly then, but could block for long otherwise.
func (e *exchange) clientTimedOut() bool {
	e.clientMu.Lock()
	defer e.clientMu.Unlock()
	return isTimeout(e.clientErr)
}

type exchangeKey struct{}

func exchangeOf(ctx context.Context) *exchange { return ctx.Value(exchangeKey{}).(*exchange) }

type upstreamBody struct {
	io.ReadCloser
	ex *exchange
}

func (b *upstreamBody) Read(p []byte) (int, error) {
	b.ex.timer.Reset(b.ex.timeout)
	n, err := b.ReadCloser.Read(p)
	b.ex.timer.Stop()
	if err == io.EOF {
		b.ex.bodyDone.Store(true)
	}
	return n, err
}

// clientBody notes why reading the client's request body failed, so that a
// client too slow to send it (the server's ReadTimeout) is told 408, not
// blamed on the instance.
type clientBody struct {
	io.ReadCloser
	ex *exchange
}

func (b *clientBody) Read(p []byte) (int, error) {
	b.ex.clientMu.Lock()
	defer b.ex.clientMu.Unlock()
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && b.ex.clientErr == nil {
		b.ex.clientErr = err
	}
	return n, err
}

// noInformational keeps the instance's 1xx answers other than 101 from the
// client: ReverseProxy relays them before ModifyResponse could filter them,
// and 103 Early Hints exist to carry Link fields.
type noInformational struct{ http.ResponseWriter }

func (w noInformational) WriteHeader(code int) {
	if code < 200 && code != http.StatusSwitchingProtocols {
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach Flush and Hijack (the upgrade).
func (w noInformational) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// proxiedCSP forbids proxied content any script, subresource or framing.
const proxiedCSP = "default-src 'none'; sandbox; frame-ancestors 'none'"

// protect sets the headers every proxied answer carries (see the package doc).
func protect(h http.Header) {
	h.Set("Content-Security-Policy", proxiedCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
}

// clientHeaders name the client, its address or the route it took, or
// override the path; all are dropped from requests, as is every X-Forwarded-*.
var clientHeaders = set("cookie", "origin", "forwarded", "via", "x-real-ip", "true-client-ip",
	"cf-connecting-ip", "cf-connecting-ipv6", "cf-ipcountry", "x-client-ip", "x-cluster-client-ip",
	"client-ip", "fastly-client-ip", "x-originating-ip", "x-remote-ip", "x-remote-addr",
	"x-envoy-external-address", "x-proxyuser-ip", "x-host", "x-original-host",
	"x-original-url", "x-rewrite-url")

func clientHeader(name string) bool {
	return clientHeaders[name] || strings.HasPrefix(name, "x-forwarded-")
}

// originHeaders act on the whole origin (its cookies, storage, transport,
// reporting, service workers, client hints) or make the browser fetch or
// navigate on their own (Refresh, Link); all are dropped from responses. The
// instance's own policies give way to protect's.
var originHeaders = set("set-cookie", "set-cookie2", "clear-site-data", "strict-transport-security",
	"alt-svc", "refresh", "link", "accept-ch", "critical-ch", "nel", "report-to",
	"reporting-endpoints", "service-worker-allowed", "origin-agent-cluster",
	"content-security-policy-report-only", "public-key-pins", "public-key-pins-report-only", "expect-ct")

func originHeader(name string) bool { return originHeaders[name] }

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// strip deletes the fields of h that drop names. Names are compared in lower
// case with "_" read as "-", as some servers read them.
func strip(h http.Header, drop func(name string) bool) {
	for k := range h {
		if drop(strings.ReplaceAll(strings.ToLower(k), "_", "-")) {
			delete(h, k)
		}
	}
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
