package demo

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

const (
	// RFC 7636 appendix B's verifier and its S256 challenge.
	testVerifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	testChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	testCallback  = "http://127.0.0.1:8080" + CallbackPath
	sendChat      = `mutation($c: ID!, $m: String){ createChatMessage(channelId: $c, message: {message: $m}){ message user { username } } }`
)

var formHeader = map[string]string{"Content-Type": "application/x-www-form-urlencoded"}

// authorizeURL is a code request as the widget makes it; mod changes it.
func authorizeURL(mod func(url.Values)) string {
	q := url.Values{
		"response_type": {"code"}, "client_id": {ClientID}, "redirect_uri": {testCallback},
		"scope": {"public chat"}, "state": {"st-1"},
		"code_challenge": {testChallenge}, "code_challenge_method": {"S256"},
	}
	if mod != nil {
		mod(q)
	}
	return "/oauth/authorize?" + q.Encode()
}

// backToApp checks that r sends the browser to testCallback, and returns
// the parameters it carries.
func backToApp(t *testing.T, r result) url.Values {
	t.Helper()
	base, q, _ := strings.Cut(r.header.Get("Location"), "?")
	if r.status != http.StatusFound || base != testCallback {
		t.Fatalf("status %d, Location %q; want a redirect to %s (%s)", r.status, r.header.Get("Location"), testCallback, r.raw)
	}
	vals, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return vals
}

// consent answers the consent page of authorizeURL(mod) with form.
func consent(t *testing.T, h *harness, mod func(url.Values), form string) result {
	t.Helper()
	return h.do(t, http.MethodPost, authorizeURL(mod), formHeader, form)
}

// signIn goes through the consent page as user and returns the code.
func signIn(t *testing.T, h *harness, user string, mod func(url.Values)) string {
	t.Helper()
	q := backToApp(t, consent(t, h, mod, "action=authorize&user="+user))
	if q.Get("expires_in") != "60" || q.Get("state") != "st-1" || q.Get("code") == "" {
		t.Fatalf("code redirect carries %v", q)
	}
	return q.Get("code")
}

func tokenRequest(t *testing.T, h *harness, form url.Values) result {
	t.Helper()
	r := h.do(t, http.MethodPost, "/api/oauth/token", formHeader, form.Encode())
	if got := r.header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("token answer %d has Access-Control-Allow-Origin %q, want *", r.status, got)
	}
	return r
}

func exchange(t *testing.T, h *harness, code, verifier string) result {
	t.Helper()
	return tokenRequest(t, h, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {testCallback}, "client_id": {ClientID}, "code_verifier": {verifier}})
}

func refresh(t *testing.T, h *harness, token string, mod func(url.Values)) result {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}, "client_id": {ClientID}}
	if mod != nil {
		mod(form)
	}
	return tokenRequest(t, h, form)
}

// wantTokens checks a token response and returns its access and refresh
// tokens.
func wantTokens(t *testing.T, r result, scope string) (access, refresh string) {
	t.Helper()
	b := r.body
	if r.status != http.StatusOK || b["token_type"] != "bearer" || b["expires_in"] != float64(86400) ||
		b["scope"] != scope || b["created_at"] == nil || len(b) != 6 {
		t.Fatalf("token response %d %s; want bearer, 24 h, scope %q", r.status, r.raw, scope)
	}
	access, _ = b["access_token"].(string)
	refresh, _ = b["refresh_token"].(string)
	if access == "" || refresh == "" || access == refresh {
		t.Fatalf("tokens in %s", r.raw)
	}
	return access, refresh
}

func wantOAuthError(t *testing.T, r result, status int, code, desc string) {
	t.Helper()
	if r.status != status || r.body["error"] != code || r.body["error_description"] != desc || len(r.body) != 2 {
		t.Fatalf("got %d %s; want %d %s %q", r.status, r.raw, status, code, desc)
	}
}

// post sends a chat message to demo with a bearer token, over HTTP or the
// socket.
func post(t *testing.T, h *harness, socket bool, token, text string) result {
	t.Helper()
	vars := map[string]any{"c": "6", "m": text}
	if !socket {
		return h.gql(t, "Bearer "+token, sendChat, vars)
	}
	w := h.dial(t, "vsn=2.0.0&token="+url.QueryEscape(token))
	defer w.c.CloseNow()
	w.join("1")
	w.send("1", "2", controlTopic, "doc", map[string]any{"query": sendChat, "variables": vars})
	f := w.replyTo("2", nil)
	body, _ := f.payload["response"].(map[string]any)
	return result{status: http.StatusOK, raw: f.raw, body: body}
}

func wantPosted(t *testing.T, r result, user, text string) {
	t.Helper()
	if at(t, r.body, "data", "createChatMessage", "user", "username") != user || at(t, r.body, "data", "createChatMessage", "message") != text {
		t.Fatalf("post as %s: %s", user, r.raw)
	}
}

func TestOAuthCodeFlow(t *testing.T) {
	h := newHarness(t, Options{})
	page := h.do(t, http.MethodGet, authorizeURL(nil), nil, "")
	if page.status != http.StatusOK || !strings.Contains(page.raw, `value="ViewerVic"`) ||
		!strings.Contains(page.raw, "Send chat messages") || !strings.Contains(page.raw, `value="deny"`) {
		t.Fatalf("consent page %d: %s", page.status, page.raw)
	}
	access, refreshTok := wantTokens(t, exchange(t, h, signIn(t, h, "ViewerVic", nil), testVerifier), "public chat")
	if refreshTok == "" {
		t.Fatal("no refresh token")
	}
	for _, socket := range []bool{false, true} {
		wantPosted(t, post(t, h, socket, access, "signed in"), "ViewerVic", "signed in")
	}
	if r := h.gql(t, "Bearer "+access, `{ myself { username } }`, nil); at(t, r.body, "data", "myself", "username") != "ViewerVic" {
		t.Errorf("myself: %s", r.raw)
	}
	// The token's user is the one chosen, with the restrictions that user
	// has.
	bob, _ := wantTokens(t, exchange(t, h, signIn(t, h, "banned_bob", nil), testVerifier), "public chat")
	wantOneError(t, post(t, h, false, bob, "hi"), "You are permanently banned from this channel.")
}

func TestOAuthCodeIsSingleUseAndChecked(t *testing.T) {
	clock := newClock()
	h := newHarness(t, Options{Now: clock.now})
	code := signIn(t, h, "Noor", nil)

	wantOAuthError(t, exchange(t, h, code, testVerifier+"x"), 400, "invalid_request", "Code verifier is invalid.")
	wantOAuthError(t, exchange(t, h, code, ""), 400, "invalid_request", "PKCE request invalid.")
	// A wrong verifier does not spend the code, as in Boruta.
	wantTokens(t, exchange(t, h, code, testVerifier), "public chat")
	wantOAuthError(t, exchange(t, h, code, testVerifier), 400, "invalid_grant", "Given authorization code is invalid, revoked, or expired.")

	// The code is bound to its redirect URI and its client.
	code = signIn(t, h, "Noor", nil)
	other := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {ClientID},
		"redirect_uri": {"http://localhost:8080" + CallbackPath}, "code_verifier": {testVerifier}}
	wantOAuthError(t, tokenRequest(t, h, other), 400, "invalid_grant", "Given authorization code is invalid, revoked, or expired.")
	other.Set("redirect_uri", "https://evil.example"+CallbackPath)
	wantOAuthError(t, tokenRequest(t, h, other), 401, "invalid_client", "Invalid client_id or redirect_uri.")
	other.Set("redirect_uri", testCallback)
	other.Set("client_id", "someone-else")
	wantOAuthError(t, tokenRequest(t, h, other), 401, "invalid_client", "Invalid client_id or redirect_uri.")
	other.Del("redirect_uri")
	wantOAuthError(t, tokenRequest(t, h, other), 401, "invalid_client", "Invalid client.")

	// Codes live 60 s.
	clock.advance(59 * time.Second)
	wantTokens(t, exchange(t, h, code, testVerifier), "public chat")
	code = signIn(t, h, "Noor", nil)
	clock.advance(61 * time.Second)
	wantOAuthError(t, exchange(t, h, code, testVerifier), 400, "invalid_grant", "Given authorization code is invalid, revoked, or expired.")
	wantOAuthError(t, exchange(t, h, "no-such-code", testVerifier), 400, "invalid_grant", "Given authorization code is invalid, revoked, or expired.")
}

func TestOAuthPlainChallenge(t *testing.T) {
	h := newHarness(t, Options{})
	// Without a method the challenge is plain, Boruta's default.
	code := signIn(t, h, "Noor", func(q url.Values) { q.Del("code_challenge_method"); q.Set("code_challenge", testVerifier) })
	wantOAuthError(t, exchange(t, h, code, testChallenge), 400, "invalid_request", "Code verifier is invalid.")
	wantTokens(t, exchange(t, h, code, testVerifier), "public chat")
}

func TestOAuthScopes(t *testing.T) {
	h := newHarness(t, Options{})
	// No scope requested, no scope granted: the token reads but cannot post.
	none, _ := wantTokens(t, exchange(t, h, signIn(t, h, "SubSam", func(q url.Values) { q.Del("scope") }), testVerifier), "")
	for _, socket := range []bool{false, true} {
		wantOneError(t, post(t, h, socket, none, "hi"), "unauthorized")
	}
	if r := h.gql(t, "Bearer "+none, `{ channel(id: 6) { title } }`, nil); at(t, r.body, "data", "channel", "title") == nil {
		t.Errorf("a token without scopes should read: %s", r.raw)
	}
	pub, _ := wantTokens(t, exchange(t, h, signIn(t, h, "SubSam", func(q url.Values) { q.Set("scope", "public") }), testVerifier), "public")
	wantOneError(t, post(t, h, true, pub, "hi"), "unauthorized")
	// Repeats are dropped; the order is the request's.
	wantTokens(t, exchange(t, h, signIn(t, h, "SubSam", func(q url.Values) { q.Set("scope", "chat public chat") }), testVerifier), "chat public")
}

func TestOAuthRefresh(t *testing.T) {
	clock := newClock()
	h := newHarness(t, Options{Now: clock.now})
	access, refreshTok := wantTokens(t, exchange(t, h, signIn(t, h, "Zofia", nil), testVerifier), "public chat")

	clock.advance(time.Hour)
	r := refresh(t, h, refreshTok, nil)
	access2, refresh2 := wantTokens(t, r, "public chat")
	if access2 == access || refresh2 == refreshTok || r.body["created_at"] != "2026-01-02T16:04:05" {
		t.Errorf("refresh gave %s", r.raw)
	}
	wantPosted(t, post(t, h, true, access2, "refreshed"), "Zofia", "refreshed")
	wantPosted(t, post(t, h, false, access, "old token"), "Zofia", "old token") // lives on until it expires
	wantOAuthError(t, refresh(t, h, refreshTok, nil), 400, "invalid_grant", "Given refresh token is invalid.")

	// The scope may narrow, never widen.
	wantOAuthError(t, refresh(t, h, refresh2, func(f url.Values) { f.Set("scope", "chat email") }), 400, "invalid_scope", "Given scopes are unknown or unauthorized.")
	narrow, refresh3 := wantTokens(t, refresh(t, h, refresh2, func(f url.Values) { f.Set("scope", "public") }), "public")
	wantOneError(t, post(t, h, false, narrow, "hi"), "unauthorized")

	// No secret is needed, but the client id is.
	wantOAuthError(t, refresh(t, h, refresh3, func(f url.Values) { f.Set("client_id", "other") }), 401, "invalid_client", "Invalid client_id or client_secret.")
	wantOAuthError(t, refresh(t, h, "nope", nil), 400, "invalid_refresh_token", "Provided refresh token is incorrect.")
	wantOAuthError(t, refresh(t, h, access2, nil), 400, "invalid_refresh_token", "Provided refresh token is incorrect.")

	// Access tokens live 24 h, refresh tokens 30 days.
	clock.advance(24 * time.Hour)
	if r := h.gql(t, "Bearer "+access2, `{ myself { username } }`, nil); r.status != 401 || r.body["errors"] == nil {
		t.Errorf("expired access token on HTTP: %d %s", r.status, r.raw)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, h.wsURL("vsn=2.0.0&token="+access2), nil)
	if err == nil {
		c.CloseNow()
	}
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("expired access token on the socket: %v", err)
	}
	clock.advance(30 * 24 * time.Hour)
	wantOAuthError(t, refresh(t, h, refresh3, nil), 400, "invalid_refresh_token", "Token expired.")
}

func TestOAuthConsentPage(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.do(t, http.MethodGet, authorizeURL(func(q url.Values) { q.Set("state", `"><script>alert(1)</script>`) }), nil, "")
	hd := r.header
	csp := hd.Get("Content-Security-Policy")
	if r.status != 200 || hd.Get("X-Frame-Options") != "DENY" || !strings.Contains(csp, "frame-ancestors 'none'") ||
		!strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "form-action 'self' http://127.0.0.1:8080;") ||
		hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Cache-Control") != "no-store" ||
		!strings.HasPrefix(hd.Get("Content-Type"), "text/html") {
		t.Errorf("consent page headers: %v", hd)
	}
	for _, bad := range []string{"<script", "style", "action=", "alert("} {
		if strings.Contains(r.raw, bad) {
			t.Errorf("consent page contains %q: %s", bad, r.raw)
		}
	}
	r6 := h.do(t, http.MethodGet, authorizeURL(func(q url.Values) { q.Set("redirect_uri", "http://[::1]:8080"+CallbackPath) }), nil, "")
	if csp := r6.header.Get("Content-Security-Policy"); r6.status != 200 || !strings.Contains(csp, "form-action 'self' http:;") {
		t.Errorf("consent page for [::1]: %d, CSP %q", r6.status, csp)
	}
	// Every fixture user can be chosen.
	for _, u := range h.inst.store.users {
		if !strings.Contains(r.raw, `value="`+u.username+`"`) {
			t.Errorf("consent page lacks %s", u.username)
		}
	}
	for _, e := range []result{
		h.do(t, http.MethodGet, authorizeURL(func(q url.Values) { q.Set("client_id", "nope") }), nil, ""),
		consent(t, h, nil, "action=authorize"),
	} {
		if e.header.Get("X-Frame-Options") != "DENY" || !strings.Contains(e.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("page %d is frameable: %v", e.status, e.header)
		}
	}
	// A user must be chosen; the page says so.
	if r := consent(t, h, nil, "action=authorize"); r.status != 400 || !strings.Contains(r.raw, "Choose who to sign in as") {
		t.Errorf("no user: %d %s", r.status, r.raw)
	}
	if r := consent(t, h, nil, "action=authorize&user=nobody"); r.status != 400 || r.header.Get("Location") != "" {
		t.Errorf("unknown user: %d %s", r.status, r.raw)
	}
	// A form sent from another site is refused (no session, no CSRF token).
	hdr := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "cross-site"}
	if r := h.do(t, http.MethodPost, authorizeURL(nil), hdr, "action=authorize&user=AdminAda"); r.status != 403 || r.header.Get("Location") != "" {
		t.Errorf("cross-site consent: %d %v", r.status, r.header)
	}
	hdr["Sec-Fetch-Site"] = "same-origin"
	signInOK := backToApp(t, h.do(t, http.MethodPost, authorizeURL(nil), hdr, "action=authorize&user=AdminAda"))
	if signInOK.Get("code") == "" {
		t.Errorf("same-origin consent: %v", signInOK)
	}
}

func TestOAuthDenyAndRedirectedErrors(t *testing.T) {
	h := newHarness(t, Options{})
	q := backToApp(t, consent(t, h, nil, "action=deny"))
	if q.Get("error") != "access_denied" || q.Get("error_description") != "The resource owner or authorization server denied the request." ||
		q.Get("state") != "st-1" || q.Has("code") {
		t.Errorf("deny: %v", q)
	}
	for _, tc := range []struct {
		name      string
		mod       func(url.Values)
		err, desc string
	}{
		{"no response_type", func(q url.Values) { q.Del("response_type") }, "invalid_request", "Request is not a valid OAuth request. Need a response_type param."},
		{"implicit", func(q url.Values) { q.Set("response_type", "token") }, "unsupported_response_type", "The demo instance implements response_type=code only."},
		{"unknown scope", func(q url.Values) { q.Set("scope", "public admin") }, "invalid_scope", "Given scopes are unknown or unauthorized."},
		{"no challenge", func(q url.Values) { q.Del("code_challenge") }, "invalid_request", "Code challenge is invalid."},
		{"long challenge", func(q url.Values) { q.Set("code_challenge", strings.Repeat("a", 129)) }, "invalid_request", "Code challenge is invalid."},
		{"bad method", func(q url.Values) { q.Set("code_challenge_method", "S512") }, "invalid_request", "Query params validation failed. #/code_challenge_method do match required pattern /plain|S256/."},
	} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			q := backToApp(t, h.do(t, method, authorizeURL(tc.mod), formHeader, "action=authorize&user=Noor"))
			if q.Get("error") != tc.err || q.Get("error_description") != tc.desc || q.Get("state") != "st-1" || q.Has("code") {
				t.Errorf("%s (%s): %v", tc.name, method, q)
			}
		}
	}
	// Without a state there is none in the redirect.
	if q := backToApp(t, consent(t, h, func(q url.Values) { q.Del("state") }, "action=deny")); q.Has("state") {
		t.Errorf("state without one asked: %v", q)
	}
}

// TestOAuthUntrustedRedirect: when the client or its redirect URI do not
// check out, the error is shown, never redirected.
func TestOAuthUntrustedRedirect(t *testing.T) {
	h := newHarness(t, Options{})
	for _, tc := range []struct {
		mod    func(url.Values)
		status int
		text   string
	}{
		{func(q url.Values) { q.Set("client_id", "nope") }, 401, "Invalid client_id or redirect_uri."},
		{func(q url.Values) { q.Del("client_id") }, 400, "Required property client_id is missing"},
		{func(q url.Values) { q.Del("redirect_uri") }, 400, "Required property redirect_uri is missing"},
		{func(q url.Values) { q.Set("redirect_uri", "https://evil.example"+CallbackPath) }, 401, "Invalid client_id or redirect_uri."},
		{func(q url.Values) { q.Set("redirect_uri", "https://evil.example/?u="+testCallback) }, 401, "Invalid client_id or redirect_uri."},
		{func(q url.Values) { q.Set("redirect_uri", testCallback+"?next=https://evil.example") }, 401, "Invalid client_id or redirect_uri."},
		{func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:8080@evil.example"+CallbackPath) }, 401, "Invalid client_id or redirect_uri."},
		// The deny and the bad scope below would otherwise be redirected.
		{func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:8080/other.html"); q.Set("scope", "admin") }, 401, "Invalid client_id or redirect_uri."},
	} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			r := h.do(t, method, authorizeURL(tc.mod), formHeader, "action=deny")
			if r.status != tc.status || r.header.Get("Location") != "" || !strings.Contains(r.raw, tc.text) ||
				!strings.Contains(r.header.Get("Content-Security-Policy"), "form-action 'self';") {
				t.Errorf("%s %s: %d %v %s", method, authorizeURL(tc.mod), r.status, r.header, r.raw)
			}
		}
	}
	if r := h.do(t, http.MethodPut, authorizeURL(nil), nil, ""); r.status != 404 {
		t.Errorf("PUT: %d", r.status)
	}
}

func TestRedirectRules(t *testing.T) {
	for _, tc := range []struct {
		rule      string
		match, no []string
	}{
		{"http://127.0.0.1:*/oauth-callback.html",
			[]string{"http://127.0.0.1:1/oauth-callback.html", "http://127.0.0.1:8080/oauth-callback.html", "http://127.0.0.1:65535/oauth-callback.html"},
			[]string{"http://127.0.0.1/oauth-callback.html", "http://127.0.0.1:0/oauth-callback.html", "http://127.0.0.1:65536/oauth-callback.html",
				"http://127.0.0.1:08080/oauth-callback.html", "http://127.0.0.1:+80/oauth-callback.html", "https://127.0.0.1:8080/oauth-callback.html",
				"http://127.0.0.1:8080/oauth-callback.html#x", "http://127.0.0.1:8080/Oauth-callback.html", "http://127.0.0.2:8080/oauth-callback.html",
				"http://127.0.0.1:80/oauth-callback.htm", "http://127.0.0.1:80:81/oauth-callback.html", "http://127.0.0.1:/oauth-callback.html"}},
		{"http://[::1]:*/oauth-callback.html",
			[]string{"http://[::1]:8080/oauth-callback.html"},
			[]string{"http://[::1]/oauth-callback.html", "http://[::2]:8080/oauth-callback.html", "http://[::1]x:80/oauth-callback.html"}},
		{"https://*.example.com/cb?x=1",
			[]string{"https://app.example.com/cb?x=1", "https://my-app.example.com/cb?x=1"},
			[]string{"https://ab.example.com/cb?x=1", "https://a.b.example.com/cb?x=1", "https://-ab.example.com/cb?x=1",
				"https://app.example.com/cb?x=2", "https://app.example.com:443/cb?x=1", "https://example.com/cb?x=1", "https://app_x.example.com/cb?x=1"}},
		{"https://chat.example:8443",
			[]string{"https://chat.example:8443"},
			[]string{"https://chat.example:8443/", "https://chat.example"}},
	} {
		rr, err := parseRedirectRule(tc.rule)
		if err != nil {
			t.Fatalf("%s: %v", tc.rule, err)
		}
		for _, u := range tc.match {
			if !rr.match(u) {
				t.Errorf("%s should match %s", tc.rule, u)
			}
		}
		for _, u := range tc.no {
			if rr.match(u) {
				t.Errorf("%s should not match %s", tc.rule, u)
			}
		}
	}
	for _, bad := range []string{
		"http://chat.example/cb", "ftp://x.example/cb", "https:///cb", "https://x.example/cb#f", "https://x.example/*",
		"https://a*.example/cb", "https://user@x.example/cb", "https://x.example:0/cb", "https://x.example:/cb", "//x.example/cb",
		"http://*.localhost/cb",
	} {
		if _, err := parseRedirectRule(bad); err == nil {
			t.Errorf("%s should be refused", bad)
		}
	}
}

func TestOAuthExtraRedirectURIs(t *testing.T) {
	if _, err := New(Options{RedirectURIs: []string{"http://chat.example/cb"}}); err == nil || !strings.Contains(err.Error(), "http:// is only for") {
		t.Errorf("an http:// URI on a public host: %v", err)
	}
	h := newHarness(t, Options{RedirectURIs: []string{"https://chat.example/glimchat/oauth-callback.html"}})
	if got := h.inst.RedirectURIs(); len(got) != 4 || got[3] != "https://chat.example/glimchat/oauth-callback.html" || got[0] != "http://127.0.0.1:*/oauth-callback.html" {
		t.Errorf("RedirectURIs() = %q", got)
	}
	r := consent(t, h, func(q url.Values) { q.Set("redirect_uri", "https://chat.example/glimchat/oauth-callback.html") }, "action=deny")
	if r.status != http.StatusFound || !strings.HasPrefix(r.header.Get("Location"), "https://chat.example/glimchat/oauth-callback.html?error=access_denied") {
		t.Errorf("deny to the extra URI: %d %v", r.status, r.header)
	}
}

func TestOAuthTokenEndpoint(t *testing.T) {
	h := newHarness(t, Options{})
	wantOAuthError(t, tokenRequest(t, h, url.Values{"client_id": {ClientID}}), 400, "invalid_request", "Request is not a valid OAuth request. Need a grant_type param.")
	wantOAuthError(t, tokenRequest(t, h, url.Values{"client_id": {ClientID}, "grant_type": {"magic"}}), 400, "invalid_request",
		"Request body validation failed. #/grant_type do match required pattern /^(client_credentials|password|authorization_code|refresh_token)$/.")
	wantOAuthError(t, tokenRequest(t, h, url.Values{"client_id": {ClientID}, "grant_type": {"client_credentials"}}), 401, "invalid_client", "Invalid client_id or client_secret.")
	wantOAuthError(t, tokenRequest(t, h, url.Values{"client_id": {ClientID}, "grant_type": {"authorization_code"}}), 400, "invalid_request", "Request body validation failed. Required property code is missing at #.")
	wantOAuthError(t, tokenRequest(t, h, url.Values{"client_id": {ClientID}, "grant_type": {"refresh_token"}}), 400, "invalid_request", "Request body validation failed. Required property refresh_token is missing at #.")
	// Without client_id no action clause matches: Phoenix answers 400.
	if r := tokenRequest(t, h, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}); r.status != 400 || r.raw != `"Bad Request"` {
		t.Errorf("no client_id: %d %s", r.status, r.raw)
	}
	// The query string and a JSON body work too (OauthMigration merges them).
	code := signIn(t, h, "Noor", nil)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testCallback}, "client_id": {ClientID}, "code_verifier": {testVerifier}}
	wantTokens(t, h.do(t, http.MethodPost, "/api/oauth/token?"+form.Encode(), nil, ""), "public chat")
	code = signIn(t, h, "Noor", nil)
	body := `{"grant_type":"authorization_code","code":"` + code + `","redirect_uri":"` + testCallback + `","client_id":"` + ClientID + `","code_verifier":"` + testVerifier + `"}`
	wantTokens(t, h.do(t, http.MethodPost, "/api/oauth/token", map[string]string{"Content-Type": "application/json"}, body), "public chat")
	// No preflight is answered: the token call must be a simple request.
	for _, m := range []string{http.MethodOptions, http.MethodGet} {
		r := h.do(t, m, "/api/oauth/token", nil, "")
		if r.status != 404 || r.header.Get("Access-Control-Allow-Headers") != "" || r.header.Get("Access-Control-Allow-Methods") != "" {
			t.Errorf("%s /api/oauth/token: %d %v", m, r.status, r.header)
		}
	}
}

// TestOAuthStoreBounded: past its bound the store drops the expired, then
// the oldest.
func TestOAuthStoreBounded(t *testing.T) {
	clock := newClock()
	h := newTunedHarness(t, Options{Now: clock.now}, func(inst *Instance) { inst.oauth.max = 10 })
	first, _ := wantTokens(t, exchange(t, h, signIn(t, h, "Noor", nil), testVerifier), "public chat")
	for range 20 {
		signIn(t, h, "Noor", nil)
	}
	if n := len(h.inst.oauth.grants); n > 10 {
		t.Errorf("%d grants held, want at most 10", n)
	}
	if h.inst.tokenAccess(first) != nil {
		t.Error("the oldest token survived a full store")
	}
	recent, _ := wantTokens(t, exchange(t, h, signIn(t, h, "Noor", nil), testVerifier), "public chat")
	clock.advance(2 * time.Minute) // the codes expire; the next issue sweeps them
	for range 5 {
		signIn(t, h, "Noor", nil)
	}
	if h.inst.tokenAccess(recent) == nil {
		t.Error("a live token went while expired codes stayed")
	}
	if n := len(h.inst.oauth.order); n > 20 {
		t.Errorf("issue order holds %d keys", n)
	}
}
