//go:build js && wasm

package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/hack-pad/safejs"

	"github.com/glimchat/glimchat/wasm/guard"
)

// ErrFetchFailed is wrapped by every error where the network failed: no
// response at all, or a response body cut short. Browsers say only "Failed
// to fetch" whether the instance is down or refused the request by CORS, so
// callers explain both. Cancellation wraps the context's error instead.
var ErrFetchFailed = errors.New("fetch failed")

// Fetch is an http.RoundTripper over the browser's window.fetch, modelled on
// net/http's roundtrip_js.go but written on safejs. Cookies are never sent:
// the widget authenticates with an Authorization header only.
type Fetch struct{}

// RoundTrip implements http.RoundTripper.
func (Fetch) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := roundTrip(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Redacted(), err)
	}
	return resp, nil
}

func roundTrip(req *http.Request) (*http.Response, error) {
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
		return nil, err
	}
	headers, err := newObject(global, "Headers")
	if err != nil {
		return nil, err
	}
	for key, values := range req.Header {
		for _, v := range values {
			if _, err := headers.Call("append", key, v); err != nil {
				return nil, fmt.Errorf("header %q: %w", key, err)
			}
		}
	}
	opts := map[string]any{
		"method":      req.Method,
		"headers":     headers,
		"credentials": "omit",
		"cache":       "no-store",
		"signal":      signal,
	}
	if len(body) > 0 {
		arr, err := newObject(global, "Uint8Array", len(body))
		if err != nil {
			return nil, err
		}
		if _, err := safejs.CopyBytesToJS(arr, body); err != nil {
			return nil, err
		}
		opts["body"] = arr
	}
	promise, err := global.Call("fetch", req.URL.String(), opts)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFetchFailed, err)
	}
	abort := func() { _, _ = ac.Call("abort") }
	result, err := await(req.Context(), promise, abort)
	if err != nil {
		return nil, failure("", err)
	}
	return response(req, result, abort)
}

func response(req *http.Request, result safejs.Value, abort func()) (*http.Response, error) {
	status, err := getInt(result, "status")
	if err != nil {
		return nil, err
	}
	header, err := readHeaders(result)
	if err != nil {
		return nil, err
	}
	bufPromise, err := result.Call("arrayBuffer")
	if err != nil {
		return nil, fmt.Errorf("read response body: %w", err)
	}
	buf, err := await(req.Context(), bufPromise, abort)
	if err != nil {
		return nil, failure("read response body: ", err)
	}
	arr, err := newObject(safejs.Global(), "Uint8Array", buf)
	if err != nil {
		return nil, err
	}
	n, err := getInt(arr, "byteLength")
	if err != nil {
		return nil, err
	}
	data := make([]byte, n)
	if _, err := safejs.CopyBytesToGo(data, arr); err != nil {
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

func readHeaders(result safejs.Value) (http.Header, error) {
	h := http.Header{}
	hv, err := result.Get("headers")
	if err != nil {
		return nil, err
	}
	it, err := hv.Call("entries")
	if err != nil {
		return nil, err
	}
	for {
		next, err := it.Call("next")
		if err != nil {
			return nil, err
		}
		done, err := next.Get("done")
		if err != nil {
			return nil, err
		}
		if d, _ := done.Bool(); d {
			return h, nil
		}
		pair, err := next.Get("value")
		if err != nil {
			return nil, err
		}
		k, err1 := indexString(pair, 0)
		v, err2 := indexString(pair, 1)
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
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
	done := make(chan outcome, 2)
	onResolve, err := guard.FuncOf("fetch resolve", func(_ safejs.Value, args []safejs.Value) any {
		v := safejs.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		done <- outcome{v: v}
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
		done <- outcome{err: errors.New(msg)}
		return nil
	})
	if err != nil {
		return safejs.Value{}, err
	}
	defer onReject.Release()
	if _, err := promise.Call("then", onResolve, onReject); err != nil {
		return safejs.Value{}, err
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
		return safejs.Value{}, err
	}
	v, err := ctor.New(args...)
	if err != nil {
		return safejs.Value{}, fmt.Errorf("new %s: %w", name, err)
	}
	return v, nil
}

func getInt(v safejs.Value, prop string) (int, error) {
	p, err := v.Get(prop)
	if err != nil {
		return 0, err
	}
	return p.Int()
}

func indexString(v safejs.Value, i int) (string, error) {
	p, err := v.Index(i)
	if err != nil {
		return "", err
	}
	return p.String()
}
