package site

import (
	"bufio"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// AccessLog logs one line per request: method, path, query (credentials
// redacted), status, bytes, duration and remote address. It never logs a
// header (Authorization, Cookie, ...). A websocket is logged when it closes,
// with status 101. A handler that panics (http.ErrAbortHandler included) is
// logged with aborted=true and the status it had sent, 0 if none: net/http
// then cuts the connection instead of completing a response.
func AccessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		returned := false
		defer func() { // deferred so a panicking handler is logged too
			status := rec.status
			if status == 0 && returned {
				status = http.StatusOK // what net/http sends for a handler that wrote nothing
			}
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
			}
			if r.URL.RawQuery != "" {
				attrs = append(attrs, slog.String("query", RedactQuery(r.URL.RawQuery)))
			}
			attrs = append(attrs,
				slog.Int("status", status),
				slog.Int64("bytes", rec.bytes),
				slog.Duration("duration", time.Since(start)),
				slog.String("remote", r.RemoteAddr),
			)
			if !returned {
				attrs = append(attrs, slog.Bool("aborted", true))
			}
			logger.LogAttrs(r.Context(), slog.LevelInfo, "http request", attrs...)
		}()
		next.ServeHTTP(rec, r)
		returned = true
	})
}

// RedactQuery re-encodes a query string with the value of every parameter
// that could be a credential replaced by "REDACTED": any name containing
// token, secret, code, password, key, auth, session or signature, compared
// case-insensitively (token=, access_token=, refresh_token=, code=,
// code_verifier=, client_secret=, ...). A query that does not parse is not
// logged at all.
func RedactQuery(raw string) string {
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return "[unparseable query omitted]"
	}
	for k, vs := range vals {
		if sensitive(k) {
			for i := range vs {
				vs[i] = "REDACTED"
			}
		}
	}
	return vals.Encode()
}

var sensitiveWords = []string{"token", "secret", "code", "password", "key", "auth", "session", "signature"}

func sensitive(name string) bool {
	n := strings.ToLower(name)
	for _, w := range sensitiveWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// recorder notes the status and body size. It keeps Flush and Hijack working
// (websocket upgrades in the demo and through the proxy) and exposes Unwrap for
// http.ResponseController.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Flush() {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(r.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", errNoHijack, err)
	}
	if r.status == 0 {
		r.status = http.StatusSwitchingProtocols
	}
	return c, brw, nil
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
