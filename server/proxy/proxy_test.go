package proxy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
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
