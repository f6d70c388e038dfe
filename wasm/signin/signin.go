// Package signin is the embed page's sign-in with one instance: at most
// one token, for that instance, and the client that posts with it. A page
// whose channels are on several instances has an Account for each.
// Reading the chat never depends on it: the chat runs on the client_id,
// and a token that is refused only turns posting off.
//
// Everything the browser does for it (the session store, the page's
// origin, a socket for the token) comes in through Options, so the whole
// flow runs on the host in tests.
package signin

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/glimchat/glimchat/wasm/auth"
	"github.com/glimchat/glimchat/wasm/catalog"
	"github.com/glimchat/glimchat/wasm/glimesh"
)

// Store keeps the token across reloads (sessionStorage, with remember=).
type Store interface {
	Get(key string) string
	Set(key, value string) // "" removes
}

// Options configure an Account.
type Options struct {
	Instance    *url.URL
	ClientID    string
	RedirectURI string // the callback page; "" signs in nowhere
	Remember    bool   // keep the token in Store
	Origin      string // the page's, where the callback page posts from
	Store       Store
	Key         string       // Store's key, per instance origin
	Fetch       *http.Client // for the token endpoint
	// Connect makes the client that posts with token, its connection bound
	// to ctx; refused is called (on any goroutine) when that connection is
	// refused. Cross-origin, GraphQL goes over a websocket, whose
	// credentials are fixed when it connects: so the token gets a socket of
	// its own, and a new token a new socket.
	Connect func(ctx context.Context, token string, refused func()) (*glimesh.Client, error)
	Rand    io.Reader        // default crypto/rand
	Now     func() time.Time // default time.Now
	Logger  *slog.Logger     // default discards
}

// Account is the sign-in state. Its methods are safe for concurrent use.
type Account struct {
	o Options
	// changed shows a change of state: signed in or not, what to say, and
	// whether to move the focus (only after the viewer did something).
	changed func(signedIn bool, note string, focus bool)

	mu      sync.Mutex
	note    string // the last thing notify said, for a UI wired later
	pending *auth.Request
	tok     auth.Token
	poster  *glimesh.Client
	gen     int                // counts sign-ins, so stale callbacks do nothing
	stop    context.CancelFunc // ends the sign-in's refreshes and socket
	stopSoc context.CancelFunc // ends the current token's socket
}

// New returns a signed-out account.
func New(o Options) *Account {
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.RedirectURI == "" && o.Origin != "" && o.Origin != "null" {
		o.RedirectURI = auth.DefaultRedirectURI(o.Origin)
	}
	return &Account{o: o, changed: func(bool, string, bool) {}}
}

// notify records and shows a change of state.
func (a *Account) notify(signedIn bool, note string, focus bool) {
	a.mu.Lock()
	a.note = note
	show := a.changed
	a.mu.Unlock()
	show(signedIn, note, focus)
}

// Wire sets how changes show, and shows the state now.
func (a *Account) Wire(changed func(signedIn bool, note string, focus bool)) {
	a.mu.Lock()
	a.changed = changed
	signedIn, note := a.poster != nil, a.note
	a.mu.Unlock()
	changed(signedIn, note, false)
}

// CanSignIn: signing in needs the app's client id and a callback page.
func (a *Account) CanSignIn() bool { return a.o.ClientID != "" && a.o.RedirectURI != "" }

// Restore signs in with the token kept in the store, when the page asks
// for that (remember=), and reports whether it did.
func (a *Account) Restore() bool {
	if !a.o.Remember || a.o.Store == nil {
		return false
	}
	tok, ok := auth.Decode(a.o.Store.Get(a.o.Key), a.o.Now())
	if !ok {
		return false
	}
	a.use(tok, false)
	return true
}

// Begin runs inside the click on Sign in and must not block: it starts a
// sign-in and returns the popup's address, "" when it cannot.
func (a *Account) Begin() string {
	q, err := auth.Begin(a.o.Rand, a.o.Instance, a.o.ClientID, a.o.RedirectURI, a.o.Now())
	if err != nil {
		a.o.Logger.Warn("sign in", "err", err)
		go a.notify(false, catalog.SignInUnavailable, false)
		return ""
	}
	a.mu.Lock()
	a.pending = q
	a.mu.Unlock()
	return q.AuthorizeURL()
}

// Opened says whether the popup opened.
func (a *Account) Opened(ok bool) {
	if !ok {
		a.mu.Lock()
		a.pending = nil
		a.mu.Unlock()
		a.notify(false, catalog.SignInBlocked, false)
	}
}

// Callback takes the callback page's message. Anything that is not the
// answer to the sign-in under way is logged and ignored.
func (a *Account) Callback(cb auth.Callback) {
	a.mu.Lock()
	q := a.pending
	code, err := q.Check(cb, a.o.Origin, a.o.Now())
	var denied *auth.DeniedError
	switch {
	case err == nil, errors.As(err, &denied), errors.Is(err, auth.ErrTooLate):
		a.pending = nil // answered: the state is used up
	}
	a.mu.Unlock()
	if err != nil {
		a.o.Logger.Warn("glimchat: rejected a sign-in message", "err", err, "origin", cb.Origin)
		switch {
		case errors.As(err, &denied):
			a.notify(false, catalog.SignInCancelled, false)
		case errors.Is(err, auth.ErrTooLate):
			a.notify(false, catalog.SignInTooSlow, false)
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tok, err := auth.Post(ctx, a.o.Fetch, a.o.Instance, q.CodeForm(code), a.o.Now)
	if err != nil {
		a.o.Logger.Warn("glimchat: exchange the sign-in code", "err", err)
		a.notify(false, catalog.SignInFailed, false)
		return
	}
	a.use(tok, true)
}

// use signs in with tok: a client that posts with it, refreshed before
// it expires.
func (a *Account) use(tok auth.Token, focus bool) {
	a.mu.Lock()
	a.dropLocked()
	a.gen++
	gen := a.gen
	ctx, stop := context.WithCancel(context.Background())
	a.stop = stop
	a.setTokenLocked(ctx, gen, tok)
	a.mu.Unlock()
	keeper := auth.Keeper{Clock: auth.SystemClock{},
		Refresh: func(ctx context.Context, refresh string) (auth.Token, error) {
			return auth.Post(ctx, a.o.Fetch, a.o.Instance, auth.RefreshForm(a.o.ClientID, refresh), a.o.Now)
		},
		OnToken: func(t auth.Token) {
			a.mu.Lock()
			defer a.mu.Unlock()
			if a.gen == gen {
				a.setTokenLocked(ctx, gen, t)
			}
		},
		OnLost: func(err error) {
			a.o.Logger.Warn("glimchat: the sign-in ended", "err", err)
			a.refused(gen)
		},
	}
	go keeper.Keep(ctx, tok)
	a.notify(true, "", focus)
}

// setTokenLocked makes tok the one posts go with.
func (a *Account) setTokenLocked(ctx context.Context, gen int, tok auth.Token) {
	if a.stopSoc != nil {
		a.stopSoc()
	}
	a.tok, a.poster, a.stopSoc = tok, nil, nil
	a.remember(auth.Encode(tok))
	sctx, stop := context.WithCancel(ctx)
	c, err := a.o.Connect(sctx, tok.Access, func() { go a.refused(gen) })
	if err != nil {
		stop()
		a.o.Logger.Warn("glimchat: the signed-in client cannot start", "err", err)
		return
	}
	a.poster, a.stopSoc = c, stop
}

func (a *Account) remember(v string) {
	if a.o.Remember && a.o.Store != nil {
		a.o.Store.Set(a.o.Key, v)
	}
}

// Client is the client to post with, nil when signed out (or on a page
// without an account).
func (a *Account) Client() *glimesh.Client {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.poster
}

// SignOut drops the token.
func (a *Account) SignOut() {
	a.mu.Lock()
	a.dropLocked()
	a.mu.Unlock()
	a.notify(false, "", true)
}

// refused drops the token of sign-in gen, which the instance refused or
// which ran out, and says so; the draft stays.
func (a *Account) refused(gen int) {
	a.mu.Lock()
	if a.gen != gen || a.tok.Access == "" {
		a.mu.Unlock()
		return
	}
	a.dropLocked()
	a.mu.Unlock()
	a.notify(false, catalog.SignInExpired, false)
}

func (a *Account) dropLocked() {
	if a.stop != nil {
		a.stop()
	}
	a.gen++
	a.tok, a.poster, a.stop, a.stopSoc = auth.Token{}, nil, nil, nil
	a.remember("")
}

// RefusedNow drops the token after the instance refused it in answer to
// a post or a moderator action.
func (a *Account) RefusedNow() {
	a.mu.Lock()
	gen := a.gen
	a.mu.Unlock()
	a.refused(gen)
}

// Token is the access token in use, "" when signed out.
func (a *Account) Token() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tok.Access
}

// TokenRefused reports whether err says the instance no longer takes the
// token (as opposed to the viewer not being allowed to chat).
func TokenRefused(err error) bool {
	var he *glimesh.HTTPError
	return errors.As(err, &he) && he.Status == http.StatusUnauthorized && he.Bearer
}

// ErrSignedOut is a moderator action after the sign-in ended.
var ErrSignedOut = errors.New("glimchat: signed out")
