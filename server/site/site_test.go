package site

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coder/websocket"

	"github.com/glimchat/glimchat/internal/testids"
	"github.com/glimchat/glimchat/server/internal/reqtest"
	"github.com/glimchat/glimchat/server/proxy"
)

func assets() fstest.MapFS {
	return fstest.MapFS{
		"index.html":       {Data: []byte("<!doctype html><title>home</title>")},
		"embed.html":       {Data: []byte("<!doctype html><title>embed</title>")},
		"overlay.html":     {Data: []byte("<!doctype html><title>overlay</title>")},
		"glimchat.css":     {Data: []byte(".glimchat{}")},
		"loader.js":        {Data: []byte("void 0")},
		testids.HashedWasm: {Data: []byte("\x00asm\x01\x00\x00\x00")},
	}
}

// fakeAPI records the paths it served and answers like an instance would.
type fakeAPI struct {
	mu    sync.Mutex
	paths []string
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.paths = append(f.paths, r.URL.Path)
	f.mu.Unlock()
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"from":"api"}`)
}

func (f *fakeAPI) served() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.paths...)
}

func newSite(t *testing.T, cfg Config) http.Handler {
	t.Helper()
	if cfg.Assets == nil {
		cfg.Assets = assets()
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h
}

func TestCSP(t *testing.T) {
	got, err := CSP(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'"
	if got != want {
		t.Errorf("CSP(nil)\n got %s\nwant %s", got, want)
	}
	got, err = CSP([]string{"https://Glimesh.TV/", "http://127.0.0.1:4000", "https://glimesh.tv"})
	if err != nil {
		t.Fatal(err)
	}
	want = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
		"img-src 'self' data: https://glimesh.tv http://127.0.0.1:4000; " +
		"connect-src 'self' https://glimesh.tv wss://glimesh.tv http://127.0.0.1:4000 ws://127.0.0.1:4000; " +
		"base-uri 'none'; form-action 'none'"
	if got != want {
		t.Errorf("CSP(instances)\n got %s\nwant %s", got, want)
	}
	for _, forbidden := range []string{"unsafe-inline", "'unsafe-eval'", "*"} {
		if strings.Contains(got, forbidden) {
			t.Errorf("CSP contains %s", forbidden)
		}
	}
}

func TestParseOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://glimesh.tv":     "https://glimesh.tv",
		"https://GLIMESH.tv/":    "https://glimesh.tv",
		" http://localhost:4000": "http://localhost:4000",
		"http://[::1]:4000":      "http://[::1]:4000",
	} {
		got, err := ParseOrigin(in)
		if err != nil || got != want {
			t.Errorf("ParseOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{
		"", "glimesh.tv", "wss://glimesh.tv", "javascript:alert(1)", "https://", "https://glimesh.tv/path",
		"https://glimesh.tv?x", "https://glimesh.tv#x", "https://u@glimesh.tv", "https://glimesh.tv;script-src",
		"https://a b", "https://glimesh.tv'", "https://*.glimesh.tv",
	} {
		if got, err := ParseOrigin(bad); err == nil {
			t.Errorf("ParseOrigin(%q) = %q, want an error", bad, got)
		}
	}
	if _, err := New(Config{Assets: assets(), Instances: []string{"https://x.test; script-src *"}}); err == nil {
		t.Error("New accepted an instance that would inject into the CSP")
	}
}

func TestPageHeaders(t *testing.T) {
	h := newSite(t, Config{API: &fakeAPI{}, Instances: []string{"https://glimesh.tv"}})
	base, _ := CSP([]string{"https://glimesh.tv"})
	for _, tc := range []struct {
		path   string
		status int
		frame  bool
	}{
		{"/", 200, false},
		{"/index.html", 200, false},
		{"/embed.html", 200, true},
		{"/overlay.html", 200, true},
		{"/glimchat.css", 200, false},
		{"/" + testids.HashedWasm, 200, false},
		{"/nope.html", 404, false},
		{"/embed.html.br", 404, false},
		{"/api/graphx", 404, false},
		{"/api", 404, false},
		{"/uploads", 404, false},
	} {
		w := reqtest.Do(h, "GET", tc.path)
		if w.Code != tc.status {
			t.Errorf("%s: status %d, want %d", tc.path, w.Code, tc.status)
		}
		hd := w.Header()
		want := base + "; frame-ancestors 'none'"
		xfo := "DENY"
		if tc.frame {
			want, xfo = base+"; frame-ancestors *", ""
		}
		if tc.path == "/" || tc.path == "/index.html" {
			want = base + "; frame-src 'self'; frame-ancestors 'none'" // the generator's preview
		}
		if got := hd.Get("Content-Security-Policy"); got != want {
			t.Errorf("%s: CSP\n got %s\nwant %s", tc.path, got, want)
		}
		if got := hd.Get("X-Frame-Options"); got != xfo {
			t.Errorf("%s: X-Frame-Options %q, want %q", tc.path, got, xfo)
		}
		if got := hd.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", tc.path, got)
		}
		if got := hd.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("%s: Referrer-Policy %q", tc.path, got)
		}
	}
	// The static handler's own behaviour survives composition.
	w := reqtest.Do(h, "GET", "/"+testids.HashedWasm)
	if w.Header().Get("Content-Type") != "application/wasm" || w.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("wasm headers: %v", w.Header())
	}
}

func TestAPIMount(t *testing.T) {
	api := &fakeAPI{}
	h := newSite(t, Config{API: api})
	paths := []string{"/api/graph", "/api/graph/websocket", "/oauth/authorize", "/api/oauth/token", "/api/oauth/revoke", "/uploads/emotes/glimwow.png", "/_demo/drop"}
	for _, p := range paths {
		for _, m := range []string{"GET", "POST", "OPTIONS"} {
			w := reqtest.Do(h, m, p)
			if w.Code != 200 || w.Body.String() != `{"from":"api"}` {
				t.Errorf("%s %s: %d %q, want the API's answer", m, p, w.Code, w.Body.String())
			}
			for _, k := range []string{"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"} {
				if v := w.Header().Get(k); v != "" {
					t.Errorf("%s %s: page header %s=%q leaked onto the API", m, p, k, v)
				}
			}
			if w.Header().Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("%s %s: the API's own headers were lost", m, p)
			}
		}
	}
	served := api.served()
	if len(served) != 3*len(paths) {
		t.Errorf("API served %v", served)
	}
	for _, p := range []string{"/", "/index.html", "/healthz", "/api/graphx", "/apis/graph", "/uploadsx/a", "/oauth/authorize/", "/oauth"} {
		reqtest.Do(h, "GET", p)
	}
	if n := len(api.served()); n != len(served) {
		t.Errorf("non-API paths reached the API: %v", api.served()[len(served):])
	}
}

func TestNilAPI(t *testing.T) {
	h := newSite(t, Config{})
	if w := reqtest.Do(h, "POST", "/api/graph"); w.Code != 404 {
		t.Errorf("no API: /api/graph answered %d", w.Code)
	}
}

func TestHealthz(t *testing.T) {
	h := newSite(t, Config{API: &fakeAPI{}})
	w := reqtest.Do(h, "GET", "/healthz")
	if w.Code != 200 || w.Body.String() != "ok" || w.Header().Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("GET /healthz: %d %q %v", w.Code, w.Body.String(), w.Header())
	}
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("healthz cacheable: %q", w.Header().Get("Cache-Control"))
	}
	w = reqtest.Do(h, "HEAD", "/healthz")
	if w.Code != 200 || w.Body.Len() != 0 {
		t.Errorf("HEAD /healthz: %d %q", w.Code, w.Body.String())
	}
	if w = reqtest.Do(h, "POST", "/healthz"); w.Code != 405 {
		t.Errorf("POST /healthz: %d", w.Code)
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("New without assets succeeded")
	}
	if _, err := New(Config{Assets: fstest.MapFS{}}); err == nil {
		t.Error("New with empty assets succeeded")
	}
	if _, err := New(Config{Assets: assets(), Instances: []string{"glimesh.tv"}}); err == nil || !strings.Contains(err.Error(), "glimesh.tv") {
		t.Errorf("bad instance: %v", err)
	}
}

const secrets = "SECRET"

func TestAccessLogNeverLogsCredentials(t *testing.T) {
	var buf bytes.Buffer
	h := newSite(t, Config{API: &fakeAPI{}, Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	r := httptest.NewRequest("GET", "/api/graph/websocket?vsn=2.0.0&client_id=glimchat-demo&token=SECRET1&access_token=SECRET2"+
		"&code=SECRET3&client_secret=SECRET4&Refresh_Token=SECRET5&code_verifier=SECRET6&TOKEN=SECRET7", nil)
	r.RemoteAddr = "192.0.2.7:5555"
	r.Header.Set("Authorization", "Bearer SECRET8")
	r.Header.Set("Cookie", "session=SECRET9")
	r.Header.Set("Referer", "https://x.test/?token=SECRET10")
	h.ServeHTTP(httptest.NewRecorder(), r)
	// A query that does not parse is left out rather than logged raw.
	r = httptest.NewRequest("GET", "/api/oauth/token?token=SECRET11%zz", nil)
	h.ServeHTTP(httptest.NewRecorder(), r)

	out := buf.String()
	if strings.Contains(out, secrets) {
		t.Fatalf("log contains a credential:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 log lines, got:\n%s", out)
	}
	var e map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &e); err != nil {
		t.Fatal(err)
	}
	q, _ := e["query"].(string)
	for _, want := range []string{"client_id=glimchat-demo", "vsn=2.0.0", "token=REDACTED", "access_token=REDACTED", "client_secret=REDACTED", "code=REDACTED"} {
		if !strings.Contains(q, want) {
			t.Errorf("logged query %q lacks %s", q, want)
		}
	}
	if e["remote"] != "192.0.2.7:5555" || e["method"] != "GET" || e["path"] != "/api/graph/websocket" {
		t.Errorf("log entry %v", e)
	}
	for _, k := range []string{"Authorization", "authorization", "Cookie", "cookie", "Referer", "referer", "headers"} {
		if _, ok := e[k]; ok {
			t.Errorf("log entry has header %s", k)
		}
	}
}

func TestAccessLogFields(t *testing.T) {
	var buf bytes.Buffer
	h := newSite(t, Config{API: &fakeAPI{}, Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	for _, p := range []string{"/embed.html", "/missing", "/api/graph"} {
		buf.Reset()
		w := reqtest.Do(h, "GET", p)
		var e map[string]any
		if err := json.Unmarshal(buf.Bytes(), &e); err != nil {
			t.Fatalf("%s: %v: %s", p, err, buf.String())
		}
		if e["msg"] != "http request" || e["method"] != "GET" || e["path"] != p {
			t.Errorf("%s: entry %v", p, e)
		}
		if int(e["status"].(float64)) != w.Code {
			t.Errorf("%s: logged status %v, sent %d", p, e["status"], w.Code)
		}
		if int(e["bytes"].(float64)) != w.Body.Len() {
			t.Errorf("%s: logged bytes %v, sent %d", p, e["bytes"], w.Body.Len())
		}
		if _, ok := e["duration"].(float64); !ok {
			t.Errorf("%s: no duration: %v", p, e)
		}
		if _, ok := e["query"]; ok {
			t.Errorf("%s: query logged for a request without one", p)
		}
	}
}

func TestRedactQuery(t *testing.T) {
	for in, want := range map[string]string{
		"vsn=2.0.0&token=abc":            "token=REDACTED&vsn=2.0.0",
		"client_id=x&state=s":            "client_id=x&state=s",
		"Access_Token=a&a=1":             "Access_Token=REDACTED&a=1",
		"code=1&code=2":                  "code=REDACTED&code=REDACTED",
		"api_key=k&password=p&session=s": "api_key=REDACTED&password=REDACTED&session=REDACTED",
		"%74oken=encoded":                "token=REDACTED",
		"token=%zz":                      "[unparseable query omitted]",
	} {
		if got := RedactQuery(in); got != want {
			t.Errorf("RedactQuery(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWebsocketThroughSite upgrades through the access log on a real server
// whose ReadTimeout is shorter than the conversation: the hijacked socket must
// outlive it, and the log records the upgrade.
func TestWebsocketThroughSite(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			typ, msg, err := c.Read(context.Background())
			if err != nil {
				return
			}
			if c.Write(context.Background(), typ, msg) != nil {
				return
			}
		}
	})
	var (
		mu  sync.Mutex
		buf bytes.Buffer
	)
	h := newSite(t, Config{API: api, Logger: slog.New(slog.NewJSONHandler(lockedWriter{&mu, &buf}, nil))})
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ReadTimeout = 150 * time.Millisecond
	srv.Start()
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/api/graph/websocket?vsn=2.0.0&token=SECRET", nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.CloseNow()
	for i, m := range []string{"one", "two"} {
		if i == 1 {
			time.Sleep(250 * time.Millisecond) // past ReadTimeout
		}
		if err := c.Write(ctx, websocket.MessageText, []byte(m)); err != nil {
			t.Fatalf("write %q: %v", m, err)
		}
		_, got, err := c.Read(ctx)
		if err != nil || string(got) != m {
			t.Fatalf("read: %q %v", got, err)
		}
	}
	c.Close(websocket.StatusNormalClosure, "")

	deadline := time.Now().Add(3 * time.Second)
	for {
		mu.Lock()
		out := buf.String()
		mu.Unlock()
		if strings.Contains(out, `"status":101`) {
			if strings.Contains(out, "SECRET") {
				t.Errorf("log contains the token: %s", out)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no 101 access log line: %s", out)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func TestNewServerTimeouts(t *testing.T) {
	s := NewServer(http.NotFoundHandler(), nil)
	if s.ReadHeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.IdleTimeout <= 0 {
		t.Errorf("timeouts not set: %+v", s)
	}
	if s.WriteTimeout != 0 {
		t.Errorf("WriteTimeout %v would cut websockets", s.WriteTimeout)
	}
}

func TestRunGracefulShutdown(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "finished")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, NewServer(h, nil), ln, 5*time.Second) }()

	type result struct {
		body string
		err  error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			res <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		res <- result{string(b), err}
	}()
	<-started
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Run returned (%v) while a request was in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if r := <-res; r.err != nil || r.body != "finished" {
		t.Errorf("in-flight request: %q %v", r.body, r.err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after shutdown")
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("still accepting connections after shutdown")
	}
}

func TestRunShutdownDeadline(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-block
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, NewServer(h, nil), ln, 50*time.Millisecond) }()
	clientErr := make(chan error, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err == nil {
			resp.Body.Close()
		}
		clientErr <- err
	}()
	<-started
	cancel()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "cut off") {
			t.Errorf("Run = %v, want a cut-off error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run ignored its grace period")
	}
	// The straggler's connection was closed, not left hanging.
	select {
	case err := <-clientErr:
		if err == nil {
			t.Error("the cut-off request got a response")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the cut-off request's connection is still open")
	}
}

func TestRunListenerError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	if err := Run(context.Background(), NewServer(http.NotFoundHandler(), nil), ln, time.Second); err == nil {
		t.Error("Run on a closed listener returned nil")
	}
}

// logEntries parses the JSON access log lines in buf, keyed by path.
func logEntries(t *testing.T, mu *sync.Mutex, buf *bytes.Buffer) map[string]map[string]any {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	m := map[string]map[string]any{}
	for line := range strings.SplitSeq(strings.TrimSpace(buf.String()), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err == nil {
			p, _ := e["path"].(string)
			m[p] = e
		}
	}
	return m
}

// TestAccessLogAborted: a handler that panics (http.ErrAbortHandler is how a
// proxy cuts a response short) never completed a response, and the log must
// not say 200.
func TestAccessLogAborted(t *testing.T) {
	var (
		mu  sync.Mutex
		buf bytes.Buffer
	)
	h := AccessLog(slog.New(slog.NewJSONHandler(lockedWriter{&mu, &buf}, nil)), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/headers-sent":
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, "part")
			panic(http.ErrAbortHandler)
		case "/nothing-sent":
			panic(http.ErrAbortHandler)
		}
	}))
	for _, p := range []string{"/headers-sent", "/nothing-sent", "/complete"} {
		func() {
			defer func() {
				if v := recover(); v != nil && v != http.ErrAbortHandler {
					t.Errorf("%s: panic %v", p, v)
				}
			}()
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
		}()
	}
	entries := logEntries(t, &mu, &buf)
	for p, want := range map[string]struct {
		status  float64
		aborted any
	}{
		"/headers-sent": {200, true},
		"/nothing-sent": {0, true},
		"/complete":     {200, nil},
	} {
		e := entries[p]
		if e["status"] != want.status || e["aborted"] != want.aborted {
			t.Errorf("%s: logged status %v aborted %v, want %v %v", p, e["status"], e["aborted"], want.status, want.aborted)
		}
	}
}

// TestAccessLogThroughProxy: what the access log records for the upstream
// proxy's failures is what the client got.
func TestAccessLogThroughProxy(t *testing.T) {
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/uploads/stall.png" {
			w.Header().Set("Content-Type", "image/png")
			io.WriteString(w, "partial")
			http.NewResponseController(w).Flush()
		}
		select { // stall, boundedly
		case <-release:
		case <-r.Context().Done():
		case <-time.After(3 * time.Second):
		}
	}))
	defer up.Close()
	defer close(release) // before up.Close
	u, err := proxy.ParseUpstream(up.URL)
	if err != nil {
		t.Fatal(err)
	}
	api, err := proxy.New(u, proxy.WithTimeout(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu  sync.Mutex
		buf bytes.Buffer
	)
	srv := httptest.NewServer(newSite(t, Config{API: api, Logger: slog.New(slog.NewJSONHandler(lockedWriter{&mu, &buf}, nil))}))
	defer srv.Close()
	client := &http.Client{Timeout: 5 * time.Second}

	resp, err := client.Get(srv.URL + "/api/graph")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusGatewayTimeout {
		t.Errorf("slow upstream: client got %d, want 504", resp.StatusCode)
	}
	resp, err = client.Get(srv.URL + "/uploads/stall.png")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Error("stalled body: the client got a complete response")
	}
	resp.Body.Close()

	entries := logEntries(t, &mu, &buf)
	if e := entries["/api/graph"]; e["status"] != float64(504) || e["aborted"] != nil {
		t.Errorf("slow upstream logged as %v", e)
	}
	if e := entries["/uploads/stall.png"]; e["status"] != float64(200) || e["aborted"] != true {
		t.Errorf("stalled body logged as %v", e)
	}
}

func TestFrameAncestors(t *testing.T) {
	for in, want := range map[string]string{
		"": "*", "*": "*", "https://mysite.example": "https://mysite.example",
		"'self'  https://a.example https://*.b.example:8443": "'self' https://a.example https://*.b.example:8443",
		"'none'": "'none'",
	} {
		if got, err := ParseFrameAncestors(in); err != nil || got != want {
			t.Errorf("ParseFrameAncestors(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"https://a.example; script-src *", "javascript:x", "https://a.example/path", "'unsafe-inline'",
		"'none' https://a.example", "data:", "https://a.example,https://b.example"} {
		if got, err := ParseFrameAncestors(bad); err == nil {
			t.Errorf("ParseFrameAncestors(%q) = %q, want an error", bad, got)
		}
	}
	for in, want := range map[string]string{"*": "*", "'none'": "'self'", "https://a.example": "'self' https://a.example",
		"https://a.example 'SELF'": "https://a.example 'SELF'"} {
		if got := withSelf(in); got != want {
			t.Errorf("withSelf(%q) = %q, want %q", in, got, want)
		}
	}
	h, err := New(Config{Assets: fstest.MapFS{"embed.html": {Data: []byte("x")}, "index.html": {Data: []byte("x")}},
		FrameAncestors: "https://mysite.example"})
	if err != nil {
		t.Fatal(err)
	}
	// 'self' stays, for the generator's preview of the overlay.
	for path, want := range map[string]string{"/embed.html": "frame-ancestors 'self' https://mysite.example", "/index.html": "frame-ancestors 'none'"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.HasSuffix(csp, want) {
			t.Errorf("%s: CSP %q, want it to end in %q", path, csp, want)
		}
	}
}
