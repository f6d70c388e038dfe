package proxy

import (
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

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
