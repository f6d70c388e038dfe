package auth

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// RFC 7636 Appendix B.
func TestPKCEVector(t *testing.T) {
	octets := []byte{116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186,
		22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121}
	v := Verifier(octets)
	if v != "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" {
		t.Errorf("verifier = %q", v)
	}
	if c := Challenge(v); c != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Errorf("challenge = %q", c)
	}
}

var (
	inst  = mustURL("https://glimesh.example")
	start = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
)

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func begin(t *testing.T) *Request {
	t.Helper()
	q, err := Begin(rand.Reader, inst, "app", "https://chat.example/oauth-callback.html", start)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestBegin(t *testing.T) {
	q := begin(t)
	if len(q.Verifier) != 43 || len(q.State) < 32 {
		t.Errorf("verifier %d chars, state %d chars", len(q.Verifier), len(q.State))
	}
	if q2 := begin(t); q2.State == q.State || q2.Verifier == q.Verifier {
		t.Error("two sign-ins share a state or verifier")
	}
	u, err := url.Parse(q.AuthorizeURL())
	if err != nil {
		t.Fatal(err)
	}
	v := u.Query()
	if u.Scheme+"://"+u.Host+u.Path != "https://glimesh.example/oauth/authorize" ||
		v.Get("response_type") != "code" || v.Get("client_id") != "app" || v.Get("scope") != "public chat" ||
		v.Get("state") != q.State || v.Get("code_challenge") != Challenge(q.Verifier) ||
		v.Get("code_challenge_method") != "S256" || v.Get("redirect_uri") != q.RedirectURI {
		t.Errorf("authorize URL %s", u)
	}
	if strings.Contains(q.AuthorizeURL(), q.Verifier) {
		t.Error("the verifier is in the URL")
	}
	if _, err := Begin(bytes.NewReader(nil), inst, "app", "x", start); err == nil {
		t.Error("Begin without randomness succeeded")
	}
	if _, err := Begin(rand.Reader, inst, "", "x", start); err == nil {
		t.Error("Begin without a client id succeeded")
	}
}

func TestCheck(t *testing.T) {
	q := begin(t)
	own := "https://chat.example"
	good := Callback{Origin: own, State: q.State, Code: "c0de"}
	if code, err := q.Check(good, own, start.Add(time.Minute)); err != nil || code != "c0de" {
		t.Fatalf("good callback: %q, %v", code, err)
	}
	with := func(f func(*Callback)) Callback { c := good; f(&c); return c }
	for name, tc := range map[string]struct {
		cb   Callback
		now  time.Time
		want error
	}{
		"other origin":    {with(func(c *Callback) { c.Origin = "https://evil.example" }), start, ErrWrongOrigin},
		"no origin":       {with(func(c *Callback) { c.Origin = "" }), start, ErrWrongOrigin},
		"null origin":     {with(func(c *Callback) { c.Origin = "null" }), start, ErrWrongOrigin},
		"wrong state":     {with(func(c *Callback) { c.State = q.State + "x" }), start, ErrWrongState},
		"empty state":     {with(func(c *Callback) { c.State = "" }), start, ErrWrongState},
		"state prefix":    {with(func(c *Callback) { c.State = q.State[:10] }), start, ErrWrongState},
		"too late":        {good, start.Add(MaxWait + time.Second), ErrTooLate},
		"no code":         {with(func(c *Callback) { c.Code = "" }), start, ErrNoCode},
		"instance denied": {with(func(c *Callback) { c.Code, c.Error = "", "access_denied" }), start, &DeniedError{}},
	} {
		_, err := q.Check(tc.cb, own, tc.now)
		var de *DeniedError
		if errors.As(tc.want, &de) {
			if !errors.As(err, &de) || de.Code != "access_denied" {
				t.Errorf("%s: %v, want a DeniedError", name, err)
			}
			continue
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
	var none *Request
	if _, err := none.Check(good, own, start); !errors.Is(err, ErrNoSignIn) {
		t.Errorf("no sign-in under way: %v", err)
	}
}

func TestForms(t *testing.T) {
	q := begin(t)
	f := q.CodeForm("c0de")
	if f.Get("grant_type") != "authorization_code" || f.Get("code") != "c0de" || f.Get("client_id") != "app" ||
		f.Get("redirect_uri") != q.RedirectURI || f.Get("code_verifier") != q.Verifier {
		t.Errorf("code form %v", f)
	}
	r := RefreshForm("app", "r1")
	if r.Get("grant_type") != "refresh_token" || r.Get("refresh_token") != "r1" || r.Get("client_id") != "app" {
		t.Errorf("refresh form %v", r)
	}
	if DefaultRedirectURI("http://127.0.0.1:8080") != "http://127.0.0.1:8080/oauth-callback.html" {
		t.Error("default redirect URI")
	}
}

func TestParseToken(t *testing.T) {
	tok, err := ParseToken(200, []byte(`{"access_token":"a1","token_type":"bearer","expires_in":86400,"refresh_token":"r1","scope":"public chat"}`), start)
	if err != nil || tok.Access != "a1" || tok.Refresh != "r1" || !tok.Expiry.Equal(start.Add(24*time.Hour)) || tok.Scope != "public chat" {
		t.Errorf("token %#v %v", tok, err)
	}
	if s := fmt.Sprintf("%v %+v %#v %s", tok, tok, tok, tok); strings.Contains(s, "a1") || strings.Contains(s, "r1") {
		t.Errorf("a token prints its secrets: %s", s)
	}
	_, err = ParseToken(400, []byte(`{"error":"invalid_grant","error_description":"Given authorization code is invalid."}`), start)
	var te *TokenError
	if !errors.As(err, &te) || te.Code != "invalid_grant" || !Refused(err) {
		t.Errorf("refusal: %v", err)
	}
	if _, err := ParseToken(502, []byte(`<html>`), start); Refused(err) || err == nil {
		t.Errorf("a 502 is not a refusal: %v", err)
	}
	for _, body := range []string{`{}`, `{"access_token":"a b"}`, `{"access_token":"a\u0000"}`, `[]`, `{"access_token":"a","refresh_token":"\n"}`} {
		if _, err := ParseToken(200, []byte(body), start); err == nil {
			t.Errorf("%s accepted", body)
		}
	}
}

// roundTrip answers every request with f.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestPost(t *testing.T) {
	var got *http.Request
	var body string
	hc := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		got = r
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(`{"access_token":"a1","expires_in":60}`)), Header: http.Header{}}, nil
	})}
	tok, err := Post(context.Background(), hc, inst, RefreshForm("app", "r1"), func() time.Time { return start })
	if err != nil || tok.Access != "a1" || !tok.Expiry.Equal(start.Add(time.Minute)) {
		t.Fatalf("%#v %v", tok, err)
	}
	if got.URL.String() != "https://glimesh.example/api/oauth/token" || got.Method != "POST" ||
		got.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || got.URL.RawQuery != "" {
		t.Errorf("request %s %s %v", got.Method, got.URL, got.Header)
	}
	if v, _ := url.ParseQuery(body); v.Get("refresh_token") != "r1" {
		t.Errorf("body %q", body)
	}
}

func TestRefreshAt(t *testing.T) {
	day := Token{Access: "a", Refresh: "r", Expiry: start.Add(24 * time.Hour)}
	if at, ok := RefreshAt(day, start); !ok || !at.Equal(start.Add(24*time.Hour-RefreshMargin)) {
		t.Errorf("24 h token refreshed at %v", at)
	}
	short := Token{Access: "a", Refresh: "r", Expiry: start.Add(4 * time.Minute)}
	if at, ok := RefreshAt(short, start); !ok || !at.Equal(start.Add(2*time.Minute)) {
		t.Errorf("4 min token refreshed at %v", at)
	}
	gone := Token{Access: "a", Refresh: "r", Expiry: start.Add(-time.Minute)}
	if at, ok := RefreshAt(gone, start); !ok || !at.Equal(start) {
		t.Errorf("expired token refreshed at %v", at)
	}
	if _, ok := RefreshAt(Token{Access: "a", Expiry: day.Expiry}, start); ok {
		t.Error("a token without a refresh token is refreshable")
	}
	if _, ok := RefreshAt(Token{Access: "a", Refresh: "r"}, start); ok {
		t.Error("a token of unknown expiry gets a refresh time")
	}
}

// fakeClock advances only when the test says so.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []fakeTimer
	added  chan time.Duration
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: start, added: make(chan time.Duration, 16)} }

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	ch := make(chan time.Time, 1)
	c.timers = append(c.timers, fakeTimer{c.now.Add(d), ch})
	c.mu.Unlock()
	c.added <- d
	return ch
}

// advance moves the time to the newest timer and fires it.
func (c *fakeClock) fire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	tm := c.timers[len(c.timers)-1]
	c.timers = c.timers[:len(c.timers)-1]
	c.now = tm.at
	tm.ch <- tm.at
}

func (c *fakeClock) wait(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-c.added:
		return d
	case <-time.After(5 * time.Second):
		t.Fatal("Keep set no timer")
		return 0
	}
}

func TestKeepRefreshesBeforeExpiry(t *testing.T) {
	clock := newFakeClock()
	answers := make(chan error, 4)
	var (
		mu    sync.Mutex
		seen  []string
		toks  []Token
		lost  = make(chan error, 1)
		n     int
		calls = make(chan time.Time, 8)
	)
	k := Keeper{Clock: clock,
		Refresh: func(_ context.Context, r string) (Token, error) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, r)
			calls <- clock.Now()
			if err := <-answers; err != nil {
				return Token{}, err
			}
			n++
			return Token{Access: fmt.Sprint("a", n), Expiry: clock.Now().Add(24 * time.Hour)}, nil
		},
		OnToken: func(t Token) { mu.Lock(); toks = append(toks, t); mu.Unlock() },
		OnLost:  func(err error) { lost <- err },
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		k.Keep(ctx, Token{Access: "a0", Refresh: "r0", Expiry: start.Add(24 * time.Hour)})
		close(done)
	}()

	if d := clock.wait(t); d != 24*time.Hour-RefreshMargin {
		t.Fatalf("first refresh in %v", d)
	}
	answers <- nil
	clock.fire()
	if at := <-calls; !at.Equal(start.Add(24*time.Hour - RefreshMargin)) {
		t.Errorf("refreshed at %v", at)
	}
	// The new token keeps the refresh token it was not given a new one for.
	if d := clock.wait(t); d != 24*time.Hour-RefreshMargin {
		t.Errorf("second refresh in %v", d)
	}
	mu.Lock()
	if len(toks) != 1 || toks[0].Access != "a1" || toks[0].Refresh != "r0" {
		t.Errorf("tokens %v", toks)
	}
	mu.Unlock()

	// A failure that may heal is retried; a refusal ends the grant.
	answers <- errors.New("network down")
	clock.fire()
	<-calls
	if d := clock.wait(t); d != retryFirst {
		t.Errorf("retry in %v", d)
	}
	answers <- &TokenError{Status: 400, Code: "invalid_grant"}
	clock.fire()
	<-calls
	select {
	case err := <-lost:
		if !Refused(err) {
			t.Errorf("lost with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a refused refresh did not end the grant")
	}
	<-done
}

func TestKeepWithoutRefreshTokenExpires(t *testing.T) {
	clock := newFakeClock()
	lost := make(chan error, 1)
	k := Keeper{Clock: clock, OnLost: func(err error) { lost <- err },
		Refresh: func(context.Context, string) (Token, error) { t.Error("refreshed"); return Token{}, nil }}
	go k.Keep(context.Background(), Token{Access: "a", Expiry: start.Add(time.Hour)})
	if d := clock.wait(t); d != time.Hour {
		t.Errorf("waits %v", d)
	}
	clock.fire()
	if err := <-lost; !errors.Is(err, ErrExpired) {
		t.Errorf("lost with %v", err)
	}
}

func TestKeepStopsWithContext(t *testing.T) {
	clock := newFakeClock()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	k := Keeper{Clock: clock, OnLost: func(error) { t.Error("lost") }}
	go func() { k.Keep(ctx, Token{Access: "a", Refresh: "r", Expiry: start.Add(time.Hour)}); close(done) }()
	clock.wait(t)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Keep did not return")
	}
}

func TestStorage(t *testing.T) {
	tok := Token{Access: "a1", Refresh: "r1", Expiry: start.Add(time.Hour), Scope: "public chat"}
	got, ok := Decode(Encode(tok), start)
	if !ok || got.Access != "a1" || got.Refresh != "r1" || !got.Expiry.Equal(tok.Expiry) {
		t.Errorf("round trip %#v %v", got, ok)
	}
	if got, ok := Decode("bare-token", start); !ok || got.Access != "bare-token" || !got.Expiry.IsZero() {
		t.Errorf("bare token: %#v %v", got, ok)
	}
	if _, ok := Decode(Encode(Token{Access: "a", Expiry: start.Add(-time.Second)}), start); ok {
		t.Error("an expired token without refresh was kept")
	}
	if _, ok := Decode(Encode(Token{Access: "a", Refresh: "r", Expiry: start.Add(-time.Second)}), start); !ok {
		t.Error("an expired token with a refresh token was dropped")
	}
	for _, bad := range []string{"", "{", `{"access":""}`, "a b", `{"access":"a\n"}`} {
		if _, ok := Decode(bad, start); ok {
			t.Errorf("%q decoded", bad)
		}
	}
}

// Failures that may heal are retried at doubling waits, never past the
// expiry; still failing there, the grant is lost as expired.
func TestKeepRetriesUntilExpiry(t *testing.T) {
	clock := newFakeClock()
	down := errors.New("network down")
	refreshed := make(chan struct{}, 16)
	lost := make(chan error, 1)
	k := Keeper{Clock: clock,
		Refresh: func(context.Context, string) (Token, error) { refreshed <- struct{}{}; return Token{}, down },
		OnToken: func(tok Token) { t.Errorf("no refresh succeeded, yet OnToken got %v", tok) },
		OnLost:  func(err error) { lost <- err },
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	expiry := start.Add(24 * time.Hour)
	go k.Keep(ctx, Token{Access: "a0", Refresh: "r0", Expiry: expiry})

	if d := clock.wait(t); d != 24*time.Hour-RefreshMargin {
		t.Fatalf("first refresh in %v", d)
	}
	// 15 s, 30 s, 60 s, 120 s: 225 s of the margin's 300; the rest is 75 s.
	for _, want := range []time.Duration{retryFirst, 2 * retryFirst, 4 * retryFirst, 8 * retryFirst, RefreshMargin - 15*retryFirst} {
		clock.fire()
		<-refreshed
		if d := clock.wait(t); d != want {
			t.Fatalf("retry in %v, want %v", d, want)
		}
	}
	clock.fire()
	<-refreshed
	select {
	case err := <-lost:
		if !errors.Is(err, ErrExpired) || !errors.Is(err, down) {
			t.Errorf("lost with %v, want ErrExpired with the last failure", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("failures until the expiry did not end the grant")
	}
	if !clock.Now().Equal(expiry) {
		t.Errorf("gave up at %v, want the expiry %v", clock.Now(), expiry)
	}
}
