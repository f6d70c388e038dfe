//go:build js && wasm

package transport

// These tests run inside headless Chromium (wasmbrowsertest) against a
// host-side server that server/e2e's TestWasmPackagesInBrowser starts on
// another origin, so every request is a real cross-origin fetch. The host
// checks the server's side of the /hang ids (package testids) after the run.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/shurcooL/graphql"

	"github.com/glimchat/glimchat/internal/testids"
	"github.com/glimchat/glimchat/wasm/guard"
)

// prompt bounds how long a cancelled RoundTrip may take to return. The
// server holds /hang for 30 s, so a transport that ignored the cancel fails.
const prompt = 5 * time.Second

func server(t *testing.T) string {
	t.Helper()
	u := os.Getenv(testids.FetchServerEnv)
	if u == "" {
		t.Fatal(testids.FetchServerEnv + " is unset: these tests need the host-side server; run them via go test ./server/e2e -run WasmPackagesInBrowser")
	}
	return strings.TrimSuffix(u, "/")
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// echoed mirrors the JSON that the server's /echo answers.
type echoed struct {
	Method  string
	Query   string
	Headers map[string][]string
	Body    []byte
}

func send(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := Fetch{}.RoundTrip(req)
	if err != nil {
		t.Fatalf("RoundTrip: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp, body
}

func TestFetchPassesRequestAndResponse(t *testing.T) {
	base := server(t)
	// Every byte value, so nothing on the way treats the body as text.
	payload := make([]byte, 0, 512)
	for i := range 512 {
		payload = append(payload, byte(i))
	}
	cases := []struct {
		method string
		status int
		body   []byte
	}{
		{http.MethodGet, http.StatusOK, nil},
		{http.MethodPost, http.StatusCreated, payload},
		{http.MethodPut, http.StatusAccepted, []byte(`{"a":1}`)},
		{http.MethodPatch, http.StatusNotFound, []byte("patch")},
		{http.MethodDelete, http.StatusInternalServerError, nil},
	}
	for _, c := range cases {
		t.Run(c.method, func(t *testing.T) {
			var rb io.Reader
			if c.body != nil {
				rb = bytes.NewReader(c.body)
			}
			url := fmt.Sprintf("%s/echo?status=%d&q=%s", base, c.status, c.method)
			req, err := http.NewRequestWithContext(ctxT(t), c.method, url, rb)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/octet-stream")
			req.Header.Set("Authorization", "Client-ID test-"+c.method)
			req.Header.Add("X-Glimchat-Test", "one")
			req.Header.Add("X-Glimchat-Test", "two")

			resp, body := send(t, req)
			// A non-2xx status is a response, not a transport error.
			if resp.StatusCode != c.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, c.status)
			}
			if want := fmt.Sprintf("%d %s", c.status, http.StatusText(c.status)); resp.Status != want {
				t.Errorf("Status = %q, want %q", resp.Status, want)
			}
			if got := resp.Header.Get("X-Glimchat-Reply"); got != "reply-"+c.method {
				t.Errorf("X-Glimchat-Reply = %q, want %q", got, "reply-"+c.method)
			}
			// Fetch joins repeated response headers with ", ".
			if got := resp.Header.Get("X-Glimchat-Multi"); got != "a, b" {
				t.Errorf("X-Glimchat-Multi = %q, want %q", got, "a, b")
			}
			if got := resp.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q", got)
			}
			if resp.ContentLength != int64(len(body)) || resp.Request != req {
				t.Errorf("ContentLength = %d for %d bytes, Request kept = %v", resp.ContentLength, len(body), resp.Request == req)
			}

			var e echoed
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("decode echo %q: %v", body, err)
			}
			if e.Method != c.method || e.Query != c.method {
				t.Errorf("server saw %s with q=%q, want %s", e.Method, e.Query, c.method)
			}
			if !bytes.Equal(e.Body, c.body) {
				t.Errorf("server saw body %q, want %q", e.Body, c.body)
			}
			want := map[string]string{
				"Authorization":   "Client-ID test-" + c.method,
				"X-Glimchat-Test": "one, two",
			}
			if c.body != nil {
				want["Content-Type"] = "application/octet-stream"
			}
			for k, v := range want {
				if got := strings.Join(e.Headers[k], ", "); got != v {
					t.Errorf("server saw %s: %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestFetchDecodedBody(t *testing.T) {
	base := server(t)
	want := make([]byte, 0, 256*64)
	for range 64 {
		for b := range 256 {
			want = append(want, byte(b))
		}
	}
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%v", gz), func(t *testing.T) {
			url := fmt.Sprintf("%s/bytes?n=64&gzip=%v", base, gz)
			req, err := http.NewRequestWithContext(ctxT(t), http.MethodGet, url, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, body := send(t, req)
			if !bytes.Equal(body, want) {
				t.Fatalf("body: %d bytes, want the %d bytes sent", len(body), len(want))
			}
			// The browser decoded the gzip; Go must not see it as still encoded.
			if resp.Header.Get("Content-Encoding") != "" || resp.Uncompressed != gz {
				t.Errorf("Content-Encoding = %q, Uncompressed = %v; want none and %v",
					resp.Header.Get("Content-Encoding"), resp.Uncompressed, gz)
			}
			if resp.Header.Get("X-Glimchat-Encoded") != fmt.Sprint(gz) {
				t.Errorf("server says encoded = %q, want %v", resp.Header.Get("X-Glimchat-Encoded"), gz)
			}
		})
	}
}

// hangState mirrors the server's /state answer for a /hang id.
type hangState struct {
	Arrived   bool
	Cancelled bool
	Finished  bool
}

func state(t *testing.T, base, id string) hangState {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxT(t), http.MethodGet, base+"/state?id="+id, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, body := send(t, req)
	var s hangState
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatalf("decode state %q: %v", body, err)
	}
	return s
}

// waitState polls the server until ok(state of id) holds.
func waitState(t *testing.T, base, id, what string, ok func(hangState) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := state(t, base, id)
		if ok(s) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("server never saw %s %s: %+v", id, what, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type result struct {
	resp *http.Response
	err  error
}

func start(ctx context.Context, t *testing.T, url string) <-chan result {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan result, 1)
	go func() {
		resp, err := Fetch{}.RoundTrip(req)
		out <- result{resp, err}
	}()
	return out
}

// TestFetchCancel cancels while waiting for the response headers and while
// reading the body. Server/e2e checks the server saw both ids cancelled.
func TestFetchCancel(t *testing.T) {
	base := server(t)
	for _, c := range []struct{ id, stage string }{
		{testids.HangBeforeHeaders, "headers"},
		{testids.HangMidBody, "body"},
	} {
		t.Run(c.id, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := start(ctx, t, base+"/hang?id="+c.id+"&stage="+c.stage)
			waitState(t, base, c.id, "arrive", func(s hangState) bool { return s.Arrived })
			select {
			case r := <-done:
				t.Fatalf("RoundTrip returned before the cancel: %v", r.err)
			default:
			}

			cancel()
			began := time.Now()
			var r result
			select {
			case r = <-done:
			case <-time.After(prompt):
				t.Fatalf("RoundTrip still running %v after the cancel", prompt)
			}
			t.Logf("returned %v after the cancel: %v", time.Since(began), r.err)
			if r.resp != nil || !errors.Is(r.err, context.Canceled) {
				t.Fatalf("RoundTrip = %v, %v; want context.Canceled in the chain", r.resp, r.err)
			}
			if errors.Is(r.err, ErrFetchFailed) {
				t.Errorf("a cancel is not a network failure: %v", r.err)
			}
			// The AbortController really went out on the wire.
			waitState(t, base, c.id, "cancelled", func(s hangState) bool { return s.Cancelled })
		})
	}
}

func TestFetchDeadlineAndCancelledBeforehand(t *testing.T) {
	base := server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	r := <-start(ctx, t, base+"/hang?id="+testids.HangDeadline+"&stage=headers")
	if !errors.Is(r.err, context.DeadlineExceeded) {
		t.Fatalf("RoundTrip past its deadline = %v, want context.DeadlineExceeded", r.err)
	}
	waitState(t, base, testids.HangDeadline, "cancelled", func(s hangState) bool { return s.Cancelled })

	gone, cancel := context.WithCancel(context.Background())
	cancel()
	r = <-start(gone, t, base+"/hang?id="+testids.HangNeverSent+"&stage=headers")
	if !errors.Is(r.err, context.Canceled) {
		t.Fatalf("RoundTrip with a dead context = %v, want context.Canceled", r.err)
	}
	if s := state(t, base, testids.HangNeverSent); s.Arrived {
		t.Errorf("a request whose context was already cancelled reached the server: %+v", s)
	}
}

func TestFetchNetworkFailures(t *testing.T) {
	base := server(t)
	req, err := http.NewRequestWithContext(ctxT(t), http.MethodGet, base+"/closed", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, closed := send(t, req)

	cases := []struct {
		name, url, says string
	}{
		{"refused", string(closed) + "/x", "Failed to fetch"},
		{"cors blocked", base + "/nocors", "Failed to fetch"},
		{"body cut short", base + "/truncated", "read response body"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := <-start(ctxT(t), t, c.url)
			if r.resp != nil || r.err == nil {
				t.Fatalf("RoundTrip(%s) = %v, %v; want an error", c.url, r.resp, r.err)
			}
			msg := r.err.Error()
			t.Logf("%s: %v", c.name, r.err)
			if !errors.Is(r.err, ErrFetchFailed) || !strings.Contains(msg, c.says) ||
				!strings.Contains(msg, "GET "+c.url) {
				t.Errorf("error %q: want ErrFetchFailed, the method and URL, and %q", msg, c.says)
			}
			if errors.Is(r.err, context.Canceled) {
				t.Errorf("a network failure is not a cancel: %v", r.err)
			}
		})
	}
}

// A header value fetch refuses is an error, not a panic, and nothing is sent.
func TestFetchRejectsBadHeader(t *testing.T) {
	base := server(t)
	req, err := http.NewRequestWithContext(ctxT(t), http.MethodGet, base+"/hang?id="+testids.HangBadHeader+"&stage=headers", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Glimchat-Test", "line\nbreak")
	resp, err := Fetch{}.RoundTrip(req)
	if resp != nil || err == nil || !strings.Contains(err.Error(), "X-Glimchat-Test") {
		t.Fatalf("RoundTrip = %v, %v; want an error naming the header", resp, err)
	}
	if s := state(t, base, testids.HangBadHeader); s.Arrived {
		t.Errorf("the request was sent anyway: %+v", s)
	}
}

// TestFetchConcurrent runs echoes beside hanging requests that are then
// cancelled. Every promise callback only hands its outcome to a channel; a
// callback that blocked on a goroutine gone after a cancel would stop the Go
// program ("all goroutines are asleep"), and crossed wires would mix bodies.
func TestFetchConcurrent(t *testing.T) {
	base := server(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Chromium opens at most 6 connections per origin; keep two free.
	const hangs, echoes = testids.StormHangs, 10
	var hung []<-chan result
	for i := range hangs {
		hung = append(hung, start(ctx, t, fmt.Sprintf("%s/hang?id=%s&stage=%s", base, testids.StormHang(i), []string{"headers", "body"}[i%2])))
	}
	var wg sync.WaitGroup
	for i := range echoes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			want := fmt.Sprintf("echo %d %s", i, strings.Repeat("x", i*1000))
			req, err := http.NewRequestWithContext(ctxT(t), http.MethodPost, base+"/echo?status=200", strings.NewReader(want))
			if err != nil {
				t.Error(err)
				return
			}
			resp, err := Fetch{}.RoundTrip(req)
			if err != nil {
				t.Errorf("echo %d: %v", i, err)
				return
			}
			var e echoed
			if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || string(e.Body) != want {
				t.Errorf("echo %d: got %d bytes (%v), want its own %d", i, len(e.Body), err, len(want))
			}
		}()
	}
	wg.Wait()
	for i := range hangs {
		waitState(t, base, testids.StormHang(i), "arrive", func(s hangState) bool { return s.Arrived })
	}
	cancel()
	for i, ch := range hung {
		select {
		case r := <-ch:
			if !errors.Is(r.err, context.Canceled) {
				t.Errorf("%s: %v, want context.Canceled", testids.StormHang(i), r.err)
			}
		case <-time.After(prompt):
			t.Fatalf("%s still running %v after the cancel", testids.StormHang(i), prompt)
		}
	}
	for i := range hangs {
		waitState(t, base, testids.StormHang(i), "cancelled", func(s hangState) bool { return s.Cancelled })
	}
}

// While a RoundTrip waits, the browser's event loop stays free: a JS timer
// set after the request went out fires, and its Go callback runs, before the
// response exists.
func TestFetchLeavesEventLoopFree(t *testing.T) {
	base := server(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := start(ctx, t, base+"/hang?id="+testids.HangEventLoop+"&stage=headers")
	waitState(t, base, testids.HangEventLoop, "arrive", func(s hangState) bool { return s.Arrived })

	fired := make(chan struct{}, 1)
	fn, err := guard.FuncOf("test timer", func(safejs.Value, []safejs.Value) any {
		fired <- struct{}{}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer fn.Release()
	if _, err := safejs.Global().Call("setTimeout", fn, 10); err != nil {
		t.Fatal(err)
	}
	select {
	case <-fired:
	case r := <-done:
		t.Fatalf("RoundTrip returned first: %v", r.err)
	case <-time.After(prompt):
		t.Fatal("a JS timer did not fire while a RoundTrip was waiting")
	}
	cancel()
	if r := <-done; !errors.Is(r.err, context.Canceled) {
		t.Fatalf("RoundTrip = %v, want context.Canceled", r.err)
	}
}

// shurcooL/graphql over the transport, against the server's tiny /graphql.
func TestFetchGraphQL(t *testing.T) {
	base := server(t)
	client := graphql.NewClient(base+"/graphql", &http.Client{Transport: Fetch{}})
	var q struct {
		Channel *struct {
			ID       graphql.ID
			Streamer struct {
				Displayname graphql.String
			}
		} `graphql:"channel(streamerUsername: $name)"`
	}
	err := client.Query(ctxT(t), &q, map[string]any{"name": graphql.String("glimchat")})
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	if q.Channel == nil || q.Channel.ID != "channel:glimchat" || q.Channel.Streamer.Displayname != "GLIMCHAT" {
		t.Fatalf("channel = %+v, want the server's answer for glimchat", q.Channel)
	}

	q.Channel = nil
	err = client.Query(ctxT(t), &q, map[string]any{"name": graphql.String(testids.UnknownChannel)})
	if err == nil || err.Error() != fmt.Sprintf("channel %q not found", testids.UnknownChannel) || q.Channel != nil {
		t.Fatalf("Query(%s) = %v, channel %+v; want the GraphQL error", testids.UnknownChannel, err, q.Channel)
	}
}

// A body over the cap is an error that names the cap, whether Content-Length
// shows it (plain) or only the decoded body does (gzip); a body at the cap
// passes whole.
func TestFetchBodyCap(t *testing.T) {
	base := server(t)
	const size = 4 * 256 // /bytes?n=4
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%v", gz), func(t *testing.T) {
			url := fmt.Sprintf("%s/bytes?n=4&gzip=%v", base, gz)
			for _, limit := range []int{size, size - 1} {
				req, err := http.NewRequestWithContext(ctxT(t), http.MethodGet, url, nil)
				if err != nil {
					t.Fatal(err)
				}
				resp, err := Fetch{maxBody: limit}.RoundTrip(req)
				if limit == size {
					if err != nil {
						t.Fatalf("body at the cap: %v", err)
					}
					if b, _ := io.ReadAll(resp.Body); len(b) != size {
						t.Fatalf("body at the cap: %d bytes, want %d", len(b), size)
					}
					continue
				}
				want := fmt.Sprintf("%d-byte cap", limit)
				if resp != nil || err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("RoundTrip = %v, %v; want an error naming the %s", resp, err, want)
				}
				if errors.Is(err, ErrFetchFailed) {
					t.Errorf("an oversized body is not a network failure: %v", err)
				}
				// Unencoded, the length is known before the body is read.
				if early := strings.Contains(err.Error(), "Content-Length"); early == gz {
					t.Errorf("refused from Content-Length = %v, want %v: %v", early, !gz, err)
				}
			}
		})
	}
}
