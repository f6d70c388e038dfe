package proxy

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// blockingUpstream answers nothing, or sends its headers and part of a body,
// and then stalls until the test ends or for 3s at most (longer than any
// timeout the tests set, and bounding them should the proxy not time out).
func blockingUpstream(t *testing.T, partial string) *httptest.Server {
	t.Helper()
	release := make(chan struct{})
	up, _ := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if partial != "" {
			w.Header().Set("Content-Type", "image/png")
			io.WriteString(w, partial)
			http.NewResponseController(w).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
			return
		case <-time.After(3 * time.Second):
		}
		io.WriteString(w, "-rest")
	})
	t.Cleanup(func() { close(release) }) // runs before up.Close
	return up
}

// serveLikeSite serves h as site.NewServer does, with a short ReadTimeout.
func serveLikeSite(t *testing.T, h http.Handler, readTimeout time.Duration) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ReadTimeout = readTimeout
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func checkGatewayTimeout(t *testing.T, what string, resp *http.Response) {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusGatewayTimeout || !strings.Contains(string(b), "did not answer in time") {
		t.Errorf("%s: %d %q, want 504 Gateway Timeout", what, resp.StatusCode, b)
	}
	protected(t, what, resp.Header)
}

// TestSlowUpstreamIs504: an instance that does not answer in time is a 504,
// whichever timeout notices it; the server's own ReadTimeout does not matter.
func TestSlowUpstreamIs504(t *testing.T) {
	up := blockingUpstream(t, "")
	var logs bytes.Buffer
	for name, opts := range map[string][]Option{
		"transport timeout": {WithTransport(&http.Transport{ResponseHeaderTimeout: 300 * time.Millisecond})},
		"proxy timeout":     {WithTimeout(300 * time.Millisecond), WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))},
	} {
		srv := serveLikeSite(t, newHandler(t, up.URL, opts...), 100*time.Millisecond)
		resp, err := http.Post(srv.URL+"/api/graph", "application/json", strings.NewReader(`{"query":"{ x }"}`))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkGatewayTimeout(t, name, resp)
	}
	if out := logs.String(); !strings.Contains(out, "status=504") || !strings.Contains(out, "upstream request failed") {
		t.Errorf("log: %s", out)
	}
}

// TestSlowClientIs408: a client too slow to send its request body (the
// server's ReadTimeout) used to get an empty 200.
func TestSlowClientIs408(t *testing.T) {
	up, _ := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {})
	var logs bytes.Buffer
	srv := serveLikeSite(t, newHandler(t, up.URL, WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))), 100*time.Millisecond)
	c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST /api/graph HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"query\"")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no response: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(b), "not sent in time") {
		t.Errorf("%d %q, want 408", resp.StatusCode, b)
	}
	protected(t, "408", resp.Header)
	if out := logs.String(); !strings.Contains(out, "status=408") {
		t.Errorf("log: %s", out)
	}
}

// TestStalledBodyAborts: once the headers went out, a body that stalls must
// end in a broken connection, not in what looks like a complete response.
func TestStalledBodyAborts(t *testing.T) {
	up := blockingUpstream(t, "partial")
	h := newHandler(t, up.URL, WithTimeout(200*time.Millisecond))
	srv := serveLikeSite(t, h, time.Minute)
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(srv.URL + "/uploads/emotes/x.png")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil || time.Since(start) > 2*time.Second {
		t.Errorf("read %q, %v after %v: want the connection aborted at the timeout", b, err, time.Since(start))
	}

	// In process (no http.Server), ReverseProxy does not panic by itself.
	rec := httptest.NewRecorder()
	if p := serveRecovering(h, rec, httptest.NewRequest("GET", "/uploads/emotes/x.png", nil)); p != http.ErrAbortHandler {
		t.Errorf("in process: recovered %v, want http.ErrAbortHandler (body %q)", p, rec.Body)
	}
}

func serveRecovering(h http.Handler, w http.ResponseWriter, r *http.Request) (recovered any) {
	defer func() { recovered = recover() }()
	h.ServeHTTP(w, r)
	return nil
}

// TestClientGoneAborts: a client that leaves before the instance answers gets
// no response, and nothing records an empty 200.
func TestClientGoneAborts(t *testing.T) {
	up := blockingUpstream(t, "")
	h := newHandler(t, up.URL)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	rec := httptest.NewRecorder()
	if p := serveRecovering(h, rec, httptest.NewRequestWithContext(ctx, "GET", "/api/graph", nil)); p != http.ErrAbortHandler {
		t.Errorf("recovered %v, want http.ErrAbortHandler (recorded %d %q)", p, rec.Code, rec.Body)
	}
}
