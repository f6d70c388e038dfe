package proxy

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/glimchat/glimchat/server/internal/reqtest"
)

// seen records what the upstream received.
type seen struct {
	mu   sync.Mutex
	reqs []*http.Request
	body []string
}

func (s *seen) add(r *http.Request, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r)
	s.body = append(s.body, body)
}

func (s *seen) last(t *testing.T) (*http.Request, string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) == 0 {
		t.Fatal("upstream received nothing")
	}
	return s.reqs[len(s.reqs)-1], s.body[len(s.body)-1]
}

func (s *seen) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

func newUpstream(t *testing.T, h http.HandlerFunc) (*httptest.Server, *seen) {
	t.Helper()
	s := &seen{}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.add(r.Clone(context.Background()), string(b))
		h(w, r)
	}))
	t.Cleanup(up.Close)
	return up, s
}

func newHandler(t *testing.T, upstream string, opts ...Option) http.Handler {
	t.Helper()
	u, err := ParseUpstream(upstream)
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(u, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func newProxy(t *testing.T, upstream string, opts ...Option) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(newHandler(t, upstream, opts...))
	t.Cleanup(srv.Close)
	return srv
}

func TestForwardsHTTP(t *testing.T) {
	up, got := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("X-Instance", "glimesh")
		h.Add("Set-Cookie", "_glimesh_key=abc; path=/; HttpOnly")
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		h.Set("Alt-Svc", `h3=":443"`)
		h.Set("Connection", "X-Resp-Hop")
		h.Set("X-Resp-Hop", "must not pass")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"errors":[{"message":"You must be logged in to access the api"}]}`)
	})
	px := newProxy(t, up.URL)

	body := `{"query":"query { channel(streamerUsername: \"demo\") { id } }"}`
	req, _ := http.NewRequest("POST", px.URL+"/api/graph?vsn=1&x=y", strings.NewReader(body))
	req.Host = "widget.example"
	req.Header.Set("Authorization", "Client-ID glimchat-demo")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "http://widget.example")
	req.Header.Set("Cookie", "session=widget-host-secret")
	req.Header.Set("X-Forwarded-For", "6.6.6.6")
	req.Header.Set("Forwarded", "for=6.6.6.6")
	req.Header.Set("Connection", "X-Hop")
	req.Header.Set("X-Hop", "must not pass")
	req.Header.Set("Keep-Alive", "timeout=5")
	req.Header.Set("X-End-To-End", "kept")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)

	r, b := got.last(t)
	upHost := strings.TrimPrefix(up.URL, "http://")
	checks := []struct {
		what, got, want string
	}{
		{"method", r.Method, "POST"},
		{"path", r.URL.Path, "/api/graph"},
		{"query", r.URL.RawQuery, "vsn=1&x=y"},
		{"Host", r.Host, upHost},
		{"body", b, body},
		{"Authorization", r.Header.Get("Authorization"), "Client-ID glimchat-demo"},
		{"Content-Type", r.Header.Get("Content-Type"), "application/json"},
		{"X-End-To-End", r.Header.Get("X-End-To-End"), "kept"},
		{"Origin", r.Header.Get("Origin"), ""},
		{"Cookie", r.Header.Get("Cookie"), ""},
		{"X-Hop", r.Header.Get("X-Hop"), ""},
		{"Keep-Alive", r.Header.Get("Keep-Alive"), ""},
		{"X-Forwarded-For", r.Header.Get("X-Forwarded-For"), ""},
		{"Forwarded", r.Header.Get("Forwarded"), ""},
		{"X-Forwarded-Host", r.Header.Get("X-Forwarded-Host"), ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("upstream saw %s %q, want %q", c.what, c.got, c.want)
		}
	}

	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(rb), "logged in") {
		t.Errorf("client got %d %q, want the upstream's 401", resp.StatusCode, rb)
	}
	for k, want := range map[string]string{
		"Access-Control-Allow-Origin": "*",
		"X-Instance":                  "glimesh",
		"Content-Type":                "application/json; charset=utf-8",
		"Set-Cookie":                  "",
		"Strict-Transport-Security":   "",
		"Alt-Svc":                     "",
		"X-Resp-Hop":                  "",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("client saw %s %q, want %q", k, got, want)
		}
	}
}

func TestPathFilter(t *testing.T) {
	up, got := newUpstream(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "upstream") })
	px := newProxy(t, up.URL)
	get := func(target string) reqtest.Response {
		t.Helper()
		resp, err := reqtest.RawGet(t, px.URL, target)
		if err != nil {
			t.Fatalf("GET %s: %v", target, err)
		}
		return resp
	}
	for _, p := range []string{
		"/api/graph",
		"/api/graph/",
		"/api/graph/websocket",
		"/api/oauth/token",
		"/uploads/emotes/hello.png",
		"/uploads/avatars/a%20b.png",
	} {
		before := got.count()
		resp := get(p)
		if resp.Status != 200 || resp.Body != "upstream" || got.count() != before+1 {
			t.Errorf("GET %s: %d %q, want it forwarded", p, resp.Status, resp.Body)
			continue
		}
		r, _ := got.last(t)
		if r.URL.EscapedPath() != p {
			t.Errorf("GET %s arrived as %s", p, r.URL.EscapedPath())
		}
	}
	for _, p := range []string{
		"/",
		"/index.html",
		"/api",
		"/api/",
		"/api/graphx",
		"/api/oauth",
		"/api/other",
		"/uploads",
		"/admin",
		"/uploads/../admin",
		"/api/graph/../../admin",
		"/uploads/./x",
		"/uploads//x",
		"/uploads/%2e%2e/admin",
		"/uploads/x%2f..%2f..%2fadmin",
		"/uploads/x%5cy",
		"/uploads/x%00",
		"/uploads/x\\y",
	} {
		before := got.count()
		resp := get(p)
		if resp.Status != 404 || got.count() != before {
			t.Errorf("GET %s: %d %q, want 404 without reaching the upstream", p, resp.Status, resp.Body)
		}
	}
}

func TestUpstreamPathPrefix(t *testing.T) {
	up, got := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {})
	px := newProxy(t, up.URL+"/glimesh/")
	if resp, err := reqtest.RawGet(t, px.URL, "/api/oauth/token"); err != nil || resp.Status != 200 {
		t.Fatalf("GET /api/oauth/token: status %d (%v)", resp.Status, err)
	}
	if r, _ := got.last(t); r.URL.Path != "/glimesh/api/oauth/token" {
		t.Errorf("upstream saw %s, want /glimesh/api/oauth/token", r.URL.Path)
	}
}

// TestWebsocket upgrades through the proxy to a coder/websocket server that
// enforces its default same-origin check: it would refuse the handshake if the
// proxy forwarded the widget host's Origin.
func TestWebsocket(t *testing.T) {
	var (
		mu       sync.Mutex
		gotQuery url.Values
		gotAuth  string
		gotHost  string
	)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/graph/websocket" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		gotQuery, gotAuth, gotHost = r.URL.Query(), r.Header.Get("Authorization"), r.Host
		mu.Unlock()
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := r.Context()
		for {
			typ, msg, err := c.Read(ctx)
			if err != nil {
				return
			}
			if err := c.Write(ctx, typ, append([]byte("echo:"), msg...)); err != nil {
				return
			}
		}
	}))
	defer up.Close()
	px := newProxy(t, up.URL)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	wsURL := "ws" + strings.TrimPrefix(px.URL, "http") + "/api/graph/websocket?vsn=2.0.0&token=user-token"
	c, resp, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{
		"Origin":        {"http://widget.example"},
		"Authorization": {"Bearer user-token"},
	}})
	if err != nil {
		t.Fatalf("dial through proxy: %v (response %v)", err, resp)
	}
	defer c.CloseNow()
	for _, m := range []string{`[null,"1","__absinthe__:control","phx_join",{}]`, "second"} {
		if err := c.Write(ctx, websocket.MessageText, []byte(m)); err != nil {
			t.Fatal(err)
		}
		_, got, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != "echo:"+m {
			t.Errorf("got %q, want echo of %q", got, m)
		}
	}
	c.Close(websocket.StatusNormalClosure, "")

	mu.Lock()
	defer mu.Unlock()
	if gotQuery.Get("token") != "user-token" || gotQuery.Get("vsn") != "2.0.0" {
		t.Errorf("upstream query %v", gotQuery)
	}
	if gotAuth != "Bearer user-token" {
		t.Errorf("upstream Authorization %q", gotAuth)
	}
	if gotHost != strings.TrimPrefix(up.URL, "http://") {
		t.Errorf("upstream Host %q", gotHost)
	}
}

// TestWebsocketRefused: an upstream refusing the upgrade (Glimesh answers 403
// to a bad token) reaches the client as that refusal, not as a 502.
func TestWebsocketRefused(t *testing.T) {
	up, _ := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "forbidden", http.StatusForbidden)
	})
	px := newProxy(t, up.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(px.URL, "http")+"/api/graph/websocket?vsn=2.0.0&token=bad", nil)
	if err == nil {
		t.Fatal("dial succeeded")
	}
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("response %v, want 403", resp)
	}
}

func TestUnreachableUpstream(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()

	var logs bytes.Buffer
	px := newProxy(t, dead, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	for _, target := range []string{"/api/graph?token=SECRET-QUERY-TOKEN", "/api/graph/websocket?vsn=2.0.0&token=SECRET-QUERY-TOKEN"} {
		req, _ := http.NewRequest("GET", px.URL+target, nil)
		req.Header.Set("Authorization", "Bearer SECRET-HEADER-TOKEN")
		if strings.Contains(target, "websocket") {
			req.Header.Set("Connection", "Upgrade")
			req.Header.Set("Upgrade", "websocket")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadGateway {
			t.Errorf("%s: status %d, want 502", target, resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		protected(t, target, resp.Header)
		if !strings.Contains(string(b), "could not be reached") || strings.Contains(string(b), "SECRET") || strings.Contains(string(b), "127.0.0.1") {
			t.Errorf("502 body %q: want a plain message without details", b)
		}
	}
	out := logs.String()
	if !strings.Contains(out, "upstream request failed") || !strings.Contains(out, "refused") {
		t.Errorf("log lacks the failure: %s", out)
	}
	if strings.Contains(out, "SECRET") {
		t.Errorf("log contains a credential: %s", out)
	}
}

func TestParseUpstream(t *testing.T) {
	for _, ok := range []string{"https://glimesh.tv", "http://127.0.0.1:4000", "https://example.test/prefix", " https://glimesh.tv/ "} {
		if _, err := ParseUpstream(ok); err != nil {
			t.Errorf("ParseUpstream(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "glimesh.tv", "ftp://glimesh.tv", "https://", "https://user:pw@glimesh.tv",
		"https://glimesh.tv?x=1", "https://glimesh.tv/?", "https://glimesh.tv#top", "/api/graph", "mailto:a@b", "ws://glimesh.tv", "http://[::1"} {
		u, err := ParseUpstream(bad)
		if err == nil {
			t.Errorf("ParseUpstream(%q) = %v, want an error", bad, u)
		} else if !strings.Contains(err.Error(), "upstream") {
			t.Errorf("ParseUpstream(%q) error %q does not say what it was parsing", bad, err)
		}
	}
	if _, err := New(nil); err == nil {
		t.Error("New(nil) succeeded")
	}
	if _, err := New(&url.URL{Scheme: "https"}); err == nil {
		t.Error("New without host succeeded")
	}
}

func TestRedact(t *testing.T) {
	r := httptest.NewRequest("GET", "/api/graph/websocket?vsn=2.0.0&token=SECRET", nil)
	for _, err := range []error{
		&url.Error{Op: "Get", URL: "http://up/api/graph/websocket?vsn=2.0.0&token=SECRET", Err: io.ErrUnexpectedEOF},
		fmt.Errorf("response write: copying vsn=2.0.0&token=SECRET failed"),
	} {
		if got := redact(err, r); strings.Contains(got, "SECRET") || got == "" {
			t.Errorf("redact(%v) = %q", err, got)
		}
	}
}

// protected checks the headers every proxied answer must carry, whatever the
// instance sent.
func protected(t *testing.T, what string, h http.Header) {
	t.Helper()
	for k, want := range map[string]string{
		"Content-Security-Policy": "default-src 'none'; sandbox; frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
	} {
		if got := h.Values(k); len(got) != 1 || got[0] != want {
			t.Errorf("%s: %s %q, want exactly %q", what, k, got, want)
		}
	}
	if got := h.Get("Content-Security-Policy-Report-Only"); got != "" {
		t.Errorf("%s: the instance's Content-Security-Policy-Report-Only %q passed", what, got)
	}
}

// TestProxiedContentCannotRunScript: uploads (SVG emotes are user files) and
// instance pages come back on the widget's origin, which holds the viewer's
// token, so nothing proxied may run script, be sniffed or be framed.
func TestProxiedContentCannotRunScript(t *testing.T) {
	const svg = `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>`
	const page = `<!doctype html><script>alert(sessionStorage.length)</script>`
	answers := map[string]struct{ ct, body string }{
		"/uploads/emotes/evil.svg": {"image/svg+xml", svg},
		"/api/oauth/authorize":     {"text/html; charset=utf-8", page},
		"/api/graph":               {"application/json", `{"data":{}}`},
		"/uploads/untyped":         {"", page},
	}
	up, _ := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		a := answers[r.URL.Path]
		h := w.Header()
		if a.ct != "" {
			h.Set("Content-Type", a.ct)
		} else {
			h["Content-Type"] = nil // the upstream sends none
		}
		h.Set("Content-Security-Policy", "script-src * 'unsafe-inline'")
		h.Set("Content-Security-Policy-Report-Only", "default-src 'none'; report-uri https://up.example/r")
		h.Set("X-Frame-Options", "ALLOWALL")
		h.Set("X-Content-Type-Options", "sniff-away")
		io.WriteString(w, a.body)
	})
	px := newProxy(t, up.URL)
	for p, a := range answers {
		resp, err := http.Get(px.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != a.body {
			t.Errorf("GET %s: %d %q, want the upstream's answer", p, resp.StatusCode, b)
		}
		protected(t, "GET "+p, resp.Header)
		want := a.ct
		if want == "" {
			want = "application/octet-stream" // not sniffed into text/html
		}
		if got := resp.Header.Get("Content-Type"); got != want {
			t.Errorf("GET %s: Content-Type %q, want %q", p, got, want)
		}
	}
}

// Client-address and path-override headers a client (or a proxy in front of
// glimchat) may send; none may reach the instance.
var clientHeaderNames = []string{
	"X-Real-Ip", "X_Real_IP", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Port",
	"X-Forwarded-Server", "Forwarded", "True-Client-Ip", "Cf-Connecting-Ip", "X-Client-Ip",
	"X-Cluster-Client-Ip", "Client-Ip", "Fastly-Client-Ip", "X-Originating-Ip", "Via",
	"X-Original-Url", "X-Rewrite-Url", "Cookie", "Origin",
}

// Origin-wide response headers an instance may send; none may reach the
// widget's origin.
var originHeaderNames = []string{
	"Set-Cookie", "Clear-Site-Data", "Refresh", "Link", "Strict-Transport-Security", "Alt-Svc",
	"Accept-Ch", "Critical-Ch", "Nel", "Report-To", "Reporting-Endpoints", "Service-Worker-Allowed",
	"Origin-Agent-Cluster",
}

func withClientHeaders(h http.Header) http.Header {
	for _, k := range clientHeaderNames {
		h[k] = []string{"http://6.6.6.6"}
	}
	return h
}

func setOriginHeaders(h http.Header) {
	for _, k := range originHeaderNames {
		h.Set(k, `"*"; </x>; rel=preload`)
	}
}

func checkDropped(t *testing.T, what string, h http.Header, names []string) {
	t.Helper()
	for _, k := range names {
		if v, ok := h[http.CanonicalHeaderKey(k)]; ok {
			t.Errorf("%s: %s %q passed the proxy", what, k, v)
		}
		if v, ok := h[k]; ok {
			t.Errorf("%s: %s %q passed the proxy", what, k, v)
		}
	}
}

func TestDropsClientAndOriginHeaders(t *testing.T) {
	up, got := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		setOriginHeaders(w.Header())
		w.WriteHeader(http.StatusEarlyHints) // ReverseProxy relays 1xx on its own
		setOriginHeaders(w.Header())
		io.WriteString(w, "ok")
	})
	px := newProxy(t, up.URL)
	var informational []int
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		Got1xxResponse: func(code int, _ textproto.MIMEHeader) error {
			informational = append(informational, code)
			return nil
		},
	})
	req, _ := http.NewRequestWithContext(ctx, "GET", px.URL+"/uploads/a.png", nil)
	req.Header = withClientHeaders(http.Header{"Authorization": {"Client-ID kept"}})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "ok" {
		t.Fatalf("%d %q", resp.StatusCode, b)
	}
	r, _ := got.last(t)
	checkDropped(t, "upstream request", r.Header, clientHeaderNames)
	if r.Header.Get("Authorization") != "Client-ID kept" {
		t.Errorf("Authorization lost: %v", r.Header)
	}
	checkDropped(t, "response", resp.Header, originHeaderNames)
	if len(informational) != 0 {
		t.Errorf("the upstream's 1xx reached the client: %v", informational)
	}
}

func TestWebsocketDropsAndProtects(t *testing.T) {
	up, got := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		setOriginHeaders(w.Header())
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
		if err != nil {
			return
		}
		c.Close(websocket.StatusNormalClosure, "")
	})
	px := newProxy(t, up.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(px.URL, "http")+"/api/graph/websocket?vsn=2.0.0",
		&websocket.DialOptions{HTTPHeader: withClientHeaders(http.Header{})})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c.CloseNow()
	r, _ := got.last(t)
	checkDropped(t, "upstream upgrade request", r.Header, clientHeaderNames)
	checkDropped(t, "101 response", resp.Header, originHeaderNames)
	protected(t, "101 response", resp.Header)
}

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
