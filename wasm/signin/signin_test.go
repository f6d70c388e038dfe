package signin

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glimchat/glimchat/wasm/auth"
	"github.com/glimchat/glimchat/wasm/catalog"
	"github.com/glimchat/glimchat/wasm/glimesh"
)

type memStore struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *memStore) Get(k string) string { s.mu.Lock(); defer s.mu.Unlock(); return s.m[k] }
func (s *memStore) Set(k, v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v == "" {
		delete(s.m, k)
		return
	}
	s.m[k] = v
}

// tokenEndpoint answers every code exchange with a fresh access token.
type tokenEndpoint struct {
	mu    sync.Mutex
	forms []url.Values
}

func (te *tokenEndpoint) RoundTrip(req *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(req.Body)
	form, _ := url.ParseQuery(string(b))
	te.mu.Lock()
	te.forms = append(te.forms, form)
	te.mu.Unlock()
	body := `{"access_token":"tok-` + form.Get("code") + `","expires_in":3600,"scope":"public chat"}`
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
}

// rig is an account on test doubles: it records what it shows and each
// connection a token made.
type rig struct {
	a       *Account
	store   *memStore
	tokens  *tokenEndpoint
	mu      sync.Mutex
	shown   []string // "in"/"out" + note
	conns   []string // the tokens connected with
	refuse  []func() // each connection's refused
	stopped []context.Context
}

const origin = "https://chat.example"

func newRig(t *testing.T, remember bool) *rig {
	t.Helper()
	r := &rig{store: &memStore{m: map[string]string{}}, tokens: &tokenEndpoint{}}
	inst, _ := url.Parse("https://glimesh.example")
	r.a = New(Options{Instance: inst, ClientID: "app", Remember: remember, Origin: origin, Store: r.store, Key: "k",
		Fetch: &http.Client{Transport: r.tokens},
		Connect: func(ctx context.Context, token string, refused func()) (*glimesh.Client, error) {
			r.mu.Lock()
			r.conns = append(r.conns, token)
			r.refuse = append(r.refuse, refused)
			r.stopped = append(r.stopped, ctx)
			r.mu.Unlock()
			return glimesh.NewClient(inst, &http.Client{}, glimesh.Auth{Token: token})
		}})
	r.a.Wire(func(in bool, note string, _ bool) {
		r.mu.Lock()
		defer r.mu.Unlock()
		s := "out"
		if in {
			s = "in"
		}
		r.shown = append(r.shown, s+":"+note)
	})
	return r
}

func (r *rig) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.shown[len(r.shown)-1]
}

// signIn goes through the popup and the callback page's message.
func (r *rig) signIn(t *testing.T, code string) {
	t.Helper()
	u, err := url.Parse(r.a.Begin())
	if err != nil || u.Path != "/oauth/authorize" {
		t.Fatalf("Begin = %v, %v", u, err)
	}
	r.a.Opened(true)
	r.a.Callback(auth.Callback{Origin: origin, State: u.Query().Get("state"), Code: code})
}

func TestSignInAndRemember(t *testing.T) {
	r := newRig(t, true)
	if !r.a.CanSignIn() || r.a.Client() != nil {
		t.Fatal("a fresh account cannot sign in, or is signed in")
	}
	r.signIn(t, "c1")
	if r.a.Client() == nil || r.a.Token() != "tok-c1" || r.last() != "in:" {
		t.Fatalf("after the callback: token %q, shown %v", r.a.Token(), r.shown)
	}
	if f := r.tokens.forms[0]; f.Get("grant_type") != "authorization_code" || f.Get("code_verifier") == "" ||
		f.Get("redirect_uri") != origin+auth.CallbackPath {
		t.Errorf("code exchange form %v", f)
	}
	// A reload signs in from the store, with no popup.
	again := newRig(t, true)
	again.store = r.store
	again.a.o.Store = r.store
	if !again.a.Restore() || again.a.Token() != "tok-c1" {
		t.Errorf("Restore: token %q", again.a.Token())
	}
	r.a.SignOut()
	if r.a.Client() != nil || r.store.Get("k") != "" || r.stopped[0].Err() == nil {
		t.Error("signing out kept the client, the stored token or the connection")
	}
}

// A connection the instance refuses ends the sign-in and says so; a
// refusal of an older sign-in changes nothing.
func TestRefusedToken(t *testing.T) {
	r := newRig(t, false)
	r.signIn(t, "c1")
	r.signIn(t, "c2")
	r.refuse[0]() // the first sign-in's socket, long replaced
	time.Sleep(20 * time.Millisecond)
	if r.a.Token() != "tok-c2" {
		t.Fatalf("a stale refusal signed out the new sign-in")
	}
	r.refuse[1]()
	deadline := time.Now().Add(2 * time.Second)
	for r.a.Client() != nil && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if r.a.Client() != nil || r.last() != "out:"+catalog.SignInExpired {
		t.Errorf("after the refusal: client %v, shown %v", r.a.Client(), r.shown)
	}
}

// A message from another origin, or with another state, is no answer.
func TestCallbackChecks(t *testing.T) {
	r := newRig(t, false)
	u, _ := url.Parse(r.a.Begin())
	state := u.Query().Get("state")
	r.a.Callback(auth.Callback{Origin: "https://evil.example", State: state, Code: "x"})
	r.a.Callback(auth.Callback{Origin: origin, State: "guess", Code: "x"})
	if r.a.Client() != nil || len(r.tokens.forms) != 0 {
		t.Fatal("a forged callback signed in")
	}
	r.a.Callback(auth.Callback{Origin: origin, State: state, Error: "access_denied"})
	if r.a.Client() != nil || r.last() != "out:"+catalog.SignInCancelled {
		t.Errorf("a denied sign-in: shown %v", r.shown)
	}
	r.a.Opened(false)
	if r.last() != "out:"+catalog.SignInBlocked {
		t.Errorf("a blocked popup: shown %v", r.shown)
	}
}

func TestTokenRefused(t *testing.T) {
	if !TokenRefused(&glimesh.HTTPError{Status: 401, Bearer: true}) || TokenRefused(&glimesh.HTTPError{Status: 401}) ||
		TokenRefused(&glimesh.HTTPError{Status: 403, Bearer: true}) {
		t.Error("TokenRefused misreads the errors")
	}
}
