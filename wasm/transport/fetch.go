//go:build js && wasm

package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/hack-pad/safejs"

	"github.com/glimchat/glimchat/wasm/guard"
)

// ErrFetchFailed is wrapped by every error where the network failed: no
// response at all, or a response body cut short. Browsers say only "Failed
// to fetch" whether the instance is down or refused the request by CORS, so
// callers explain both. Cancellation wraps the context's error instead.
var ErrFetchFailed = errors.New("fetch failed")

// The fetch() options this transport sets (RequestInit:
// https://fetch.spec.whatwg.org/#requestinit). mode and redirect keep their
// defaults, "cors" and "follow".
const (
	optMethod  = "method"
	optHeaders = "headers" // a Headers object
	optBody    = "body"    // a Uint8Array, set only for a non-empty body
	optSignal  = "signal"  // an AbortController's signal: cancelling the request's context aborts the fetch

	// optCredentials is credentialsOmit: the widget authenticates with an
	// Authorization header only, so an instance's cookies are never sent and
	// a Set-Cookie is ignored.
	optCredentials  = "credentials"
	credentialsOmit = "omit"

	// optCache is cacheNoStore: the HTTP cache is neither read nor written.
	// Every request asks for the instance's state now (a channel's id, the
	// history after a reconnect), and answers fetched with a viewer's token
	// must not be left in the cache of OBS or of a shared browser.
	optCache     = "cache"
	cacheNoStore = "no-store"
)

// MaxBody caps a response body. The body is copied into the wasm heap,
// which never shrinks, so one oversized answer would keep its memory for the
// life of the page. The largest real answer, a history of glimesh.MaxHistory
// messages, is a few megabytes; glimesh.Client gives up at 8 MiB with an
// error of its own, and this cap leaves room for that error to speak first.
const MaxBody = 16 << 20

// Fetch is an http.RoundTripper over the browser's window.fetch, modelled on
// net/http's roundtrip_js.go but written on safejs. Cookies are never sent:
// the widget authenticates with an Authorization header only.
type Fetch struct {
	maxBody int // MaxBody when 0; smaller in tests
}

// RoundTrip implements http.RoundTripper.
func (f Fetch) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := f.roundTrip(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Redacted(), err)
	}
	return resp, nil
}

func (f Fetch) roundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("not sent: %w", err)
	}
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		body = b
	}
	global := safejs.Global()
	ac, err := newObject(global, "AbortController")
	if err != nil {
		return nil, err
	}
	signal, err := ac.Get("signal")
	if err != nil {
		return nil, fmt.Errorf("AbortController.signal: %w", err)
	}
	headers, err := newObject(global, "Headers")
	if err != nil {
		return nil, err
	}
	for key, values := range req.Header {
		for _, v := range values {
			if _, err := headers.Call("append", key, v); err != nil {
				return nil, fmt.Errorf("Headers.append %q: %w", key, err)
			}
		}
	}
	opts := map[string]any{
		optMethod:      req.Method,
		optHeaders:     headers,
		optCredentials: credentialsOmit,
		optCache:       cacheNoStore,
		optSignal:      signal,
	}
	if len(body) > 0 {
		arr, err := newObject(global, "Uint8Array", len(body))
		if err != nil {
			return nil, err
		}
		if _, err := safejs.CopyBytesToJS(arr, body); err != nil {
			return nil, fmt.Errorf("copy request body to a Uint8Array: %w", err)
		}
		opts[optBody] = arr
	}
	promise, err := global.Call("fetch", req.URL.String(), opts)
	if err != nil {
		return nil, fmt.Errorf("%w: fetch: %v", ErrFetchFailed, err)
	}
	abort := func() {
		if _, err := ac.Call("abort"); err != nil {
			slog.Default().Warn("transport: AbortController.abort", "err", err)
		}
	}
	result, err := await(req.Context(), promise, abort)
	if err != nil {
		return nil, failure("", err)
	}
	return f.response(req, result, abort)
}

func (f Fetch) response(req *http.Request, result safejs.Value, abort func()) (*http.Response, error) {
	status, err := getInt(result, "Response", "status")
	if err != nil {
		return nil, err
	}
	header, err := readHeaders(result)
	if err != nil {
		return nil, err
	}
	data, err := f.readBody(req, result, header, abort)
	if err != nil {
		return nil, err
	}
	// The browser has already decoded any Content-Encoding.
	decoded := header.Get("Content-Encoding") != ""
	header.Del("Content-Encoding")
	header.Del("Content-Length")
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          io.NopCloser(bytes.NewReader(data)),
		ContentLength: int64(len(data)),
		Uncompressed:  decoded,
		Request:       req,
	}, nil
}

// readBody reads the whole body. The cap bounds both the bytes on the wire
// (Content-Length, checked before the download) and the decoded body
// (checked before it is copied into Go).
func (f Fetch) readBody(req *http.Request, result safejs.Value, header http.Header, abort func()) ([]byte, error) {
	limit := f.maxBody
	if limit <= 0 {
		limit = MaxBody
	}
	if n, err := strconv.ParseInt(header.Get("Content-Length"), 10, 64); err == nil && n > int64(limit) {
		abort() // do not download what will be refused
		return nil, fmt.Errorf("response body of %d bytes (Content-Length) is over the %d-byte cap", n, limit)
	}
	bufPromise, err := result.Call("arrayBuffer")
	if err != nil {
		return nil, fmt.Errorf("read response body: Response.arrayBuffer: %w", err)
	}
	buf, err := await(req.Context(), bufPromise, abort)
	if err != nil {
		return nil, failure("read response body: ", err)
	}
	arr, err := newObject(safejs.Global(), "Uint8Array", buf)
	if err != nil {
		return nil, err
	}
	n, err := getInt(arr, "Uint8Array", "byteLength")
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, fmt.Errorf("response body of %d bytes is over the %d-byte cap", n, limit)
	}
	data := make([]byte, n)
	if _, err := safejs.CopyBytesToGo(data, arr); err != nil {
		return nil, fmt.Errorf("copy response body from a Uint8Array: %w", err)
	}
	return data, nil
}

func readHeaders(result safejs.Value) (http.Header, error) {
	h := http.Header{}
	hv, err := result.Get("headers")
	if err != nil {
		return nil, fmt.Errorf("Response.headers: %w", err)
	}
	it, err := hv.Call("entries")
	if err != nil {
		return nil, fmt.Errorf("Headers.entries: %w", err)
	}
	for {
		next, err := it.Call("next")
		if err != nil {
			return nil, fmt.Errorf("Headers.entries next: %w", err)
		}
		done, err := next.Get("done")
		if err == nil {
			var d bool
			if d, err = done.Bool(); d {
				return h, nil
			}
		}
		if err != nil {
			return nil, fmt.Errorf("Headers.entries done: %w", err)
		}
		pair, err := next.Get("value")
		if err != nil {
			return nil, fmt.Errorf("Headers.entries value: %w", err)
		}
		k, err1 := indexString(pair, 0)
		v, err2 := indexString(pair, 1)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("Headers.entries value: %w", err)
		}
		h.Add(k, v)
	}
}

// failure words an await error: cancellation keeps the context's error in the
// chain, anything else is the browser's rejection reason under ErrFetchFailed.
func failure(prefix string, err error) error {
	var c canceled
	if errors.As(err, &c) {
		return fmt.Errorf("%sfetch aborted: %w", prefix, c.err)
	}
	return fmt.Errorf("%s%w: %v", prefix, ErrFetchFailed, err)
}

// canceled marks an await that ended because its context did.
type canceled struct{ err error }

func (c canceled) Error() string { return c.err.Error() }
func (c canceled) Unwrap() error { return c.err }

// await waits for promise without blocking any JavaScript callback: the
// callbacks only hand the outcome to this goroutine. Cancelling ctx aborts.
func await(ctx context.Context, promise safejs.Value, abort func()) (safejs.Value, error) {
	type outcome struct {
		v   safejs.Value
		err error
	}
	// A real promise settles once; a page's replaced fetch may call both
	// callbacks, or one many times. settle never blocks the JS thread:
	// outcomes past the first two are dropped.
	done := make(chan outcome, 2)
	settle := func(o outcome) {
		select {
		case done <- o:
		default:
		}
	}
	onResolve, err := guard.FuncOf("fetch resolve", func(_ safejs.Value, args []safejs.Value) any {
		v := safejs.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		settle(outcome{v: v})
		return nil
	})
	if err != nil {
		return safejs.Value{}, err
	}
	defer onResolve.Release()
	onReject, err := guard.FuncOf("fetch reject", func(_ safejs.Value, args []safejs.Value) any {
		msg := "rejected"
		if len(args) > 0 {
			msg = describe(args[0])
		}
		settle(outcome{err: errors.New(msg)})
		return nil
	})
	if err != nil {
		return safejs.Value{}, err
	}
	defer onReject.Release()
	if _, err := promise.Call("then", onResolve, onReject); err != nil {
		return safejs.Value{}, fmt.Errorf("Promise.then: %w", err)
	}
	select {
	case o := <-done:
		return o.v, o.err
	case <-ctx.Done():
		abort()
		<-done // the abort settles the promise; wait so the callbacks are not released early
		return safejs.Value{}, canceled{ctx.Err()}
	}
}

// describe renders a rejection reason (usually a TypeError) as text.
func describe(v safejs.Value) string {
	s, err := v.Call("toString")
	if err != nil {
		return "unknown error"
	}
	str, err := s.String()
	if err != nil {
		return "unknown error"
	}
	return str
}

func newObject(global safejs.Value, name string, args ...any) (safejs.Value, error) {
	ctor, err := global.Get(name)
	if err != nil {
		return safejs.Value{}, fmt.Errorf("window.%s: %w", name, err)
	}
	v, err := ctor.New(args...)
	if err != nil {
		return safejs.Value{}, fmt.Errorf("new %s: %w", name, err)
	}
	return v, nil
}

// getInt reads v[prop], naming it as iface.prop in errors.
func getInt(v safejs.Value, iface, prop string) (int, error) {
	p, err := v.Get(prop)
	if err == nil {
		var n int
		if n, err = p.Int(); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("%s.%s: %w", iface, prop, err)
}

func indexString(v safejs.Value, i int) (string, error) {
	p, err := v.Index(i)
	if err != nil {
		return "", err
	}
	return p.String()
}
