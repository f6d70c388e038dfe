//go:build js && wasm

package main

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/glimchat/glimchat/wasm/auth"
	"github.com/glimchat/glimchat/wasm/catalog"
	"github.com/glimchat/glimchat/wasm/config"
	"github.com/glimchat/glimchat/wasm/dom"
	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/live"
	"github.com/glimchat/glimchat/wasm/phoenix"
)

// account is the embed page's sign-in: at most one token, for the one
// instance the page talks to, and the client that posts with it. Reading
// the chat never depends on it: the chat runs on the client_id, and a
// token that is refused only turns posting off.
//
// Cross-origin, GraphQL goes over the websocket, whose credentials are
// fixed when it connects: so the token gets a socket of its own, for
// mutations, next to the read-only one, and a new token a new socket.
type account struct {
	cfg      config.Config
	viaFetch bool
	origin   string // the page's, where the callback page posts from
	key      string // sessionStorage key, per instance origin
	fetch    *http.Client
	log      *slog.Logger

	ui *dom.Account // nil on pages without the buttons
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

func newAccount(cfg config.Config, plan live.Plan, log *slog.Logger) *account {
	origin := dom.Origin()
	a := &account{cfg: cfg, viaFetch: plan.Queries != live.ViaSocket, origin: origin,
		key: config.TokenKey(cfg.Instance), log: log, changed: func(bool, string, bool) {},
		fetch: queries(nil)}
	if a.cfg.RedirectURI == "" && origin != "" && origin != "null" {
		a.cfg.RedirectURI = auth.DefaultRedirectURI(origin)
	}
	return a
}

// notify records and shows a change of state.
func (a *account) notify(signedIn bool, note string, focus bool) {
	a.mu.Lock()
	a.note = note
	show := a.changed
	a.mu.Unlock()
	show(signedIn, note, focus)
}

// wire sets how changes show, and shows the state now.
func (a *account) wire(changed func(signedIn bool, note string, focus bool)) {
	a.mu.Lock()
	a.changed = changed
	signedIn, note := a.poster != nil, a.note
	a.mu.Unlock()
	changed(signedIn, note, false)
}

// canSignIn: signing in needs the app's client id and a callback page.
func (a *account) canSignIn() bool { return a.cfg.ClientID != "" && a.cfg.RedirectURI != "" }

// restore signs in with the token kept in sessionStorage, when the page
// asks for that (remember=).
func (a *account) restore() bool {
	if !a.cfg.Remember {
		return false
	}
	tok, ok := auth.Decode(dom.SessionValue(a.key), time.Now())
	if !ok {
		return false
	}
	a.use(tok, false)
	return true
}

// begin runs inside the click on Sign in and must not block: it starts a
// sign-in and returns the popup's address.
func (a *account) begin() string {
	q, err := auth.Begin(rand.Reader, a.cfg.Instance, a.cfg.ClientID, a.cfg.RedirectURI, time.Now())
	if err != nil {
		a.log.Warn("sign in", "err", err)
		go a.notify(false, catalog.SignInUnavailable, false)
		return ""
	}
	a.mu.Lock()
	a.pending = q
	a.mu.Unlock()
	return q.AuthorizeURL()
}

func (a *account) opened(ok bool) {
	if !ok {
		a.mu.Lock()
		a.pending = nil
		a.mu.Unlock()
		a.notify(false, catalog.SignInBlocked, false)
	}
}

// callback takes the callback page's message. Anything that is not the
// answer to the sign-in under way is logged and ignored.
func (a *account) callback(cb auth.Callback) {
	a.mu.Lock()
	q := a.pending
	code, err := q.Check(cb, a.origin, time.Now())
	var denied *auth.DeniedError
	switch {
	case err == nil, errors.As(err, &denied), errors.Is(err, auth.ErrTooLate):
		a.pending = nil // answered: the state is used up
	}
	a.mu.Unlock()
	if err != nil {
		a.log.Warn("glimchat: rejected a sign-in message", "err", err, "origin", cb.Origin)
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
	tok, err := auth.Post(ctx, a.fetch, a.cfg.Instance, q.CodeForm(code), time.Now)
	if err != nil {
		a.log.Warn("glimchat: exchange the sign-in code", "err", err)
		a.notify(false, catalog.SignInFailed, false)
		return
	}
	a.use(tok, true)
}

// use signs in with tok: a client that posts with it, refreshes before it
// expires.
func (a *account) use(tok auth.Token, focus bool) {
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
			return auth.Post(ctx, a.fetch, a.cfg.Instance, auth.RefreshForm(a.cfg.ClientID, refresh), time.Now)
		},
		OnToken: func(t auth.Token) {
			a.mu.Lock()
			defer a.mu.Unlock()
			if a.gen == gen {
				a.setTokenLocked(ctx, gen, t)
			}
		},
		OnLost: func(err error) {
			a.log.Warn("glimchat: the sign-in ended", "err", err)
			a.refused(gen)
		},
	}
	go keeper.Keep(ctx, tok)
	a.notify(true, "", focus)
}

// setTokenLocked makes tok the one posts go with.
func (a *account) setTokenLocked(ctx context.Context, gen int, tok auth.Token) {
	if a.stopSoc != nil {
		a.stopSoc()
	}
	a.tok, a.poster, a.stopSoc = tok, nil, nil
	if a.cfg.Remember {
		dom.SetSession(a.key, auth.Encode(tok))
	}
	creds := glimesh.Auth{Token: tok.Access}
	hc := a.fetch
	if !a.viaFetch {
		sctx, stop := context.WithCancel(ctx)
		sock, err := newSocket(a.cfg, creds, a.log)
		if err != nil {
			stop()
			a.log.Warn("glimchat: the signed-in connection cannot start", "err", err)
			return
		}
		a.stopSoc = stop
		go sock.Run(sctx)
		unwatch := sock.Watch(func(_ phoenix.State, err error) {
			if errors.Is(err, phoenix.ErrRefused) {
				go a.refused(gen)
			}
		})
		context.AfterFunc(sctx, unwatch)
		hc = queries(sock)
	}
	c, err := glimesh.NewClient(a.cfg.Instance, hc, creds)
	if err != nil {
		a.log.Warn("glimchat: the signed-in client cannot start", "err", err)
		return
	}
	a.poster = c
}

// client is the client to post with, nil when signed out.
func (a *account) client() *glimesh.Client {
	if a == nil {
		return nil // the overlay has no account
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.poster
}

// signOut drops the token.
func (a *account) signOut() {
	a.mu.Lock()
	a.dropLocked()
	a.mu.Unlock()
	a.notify(false, "", true)
}

// refused drops the token of sign-in gen, which the instance refused or
// which ran out, and says so; the draft stays.
func (a *account) refused(gen int) {
	a.mu.Lock()
	if a.gen != gen || a.tok.Access == "" {
		a.mu.Unlock()
		return
	}
	a.dropLocked()
	a.mu.Unlock()
	a.notify(false, catalog.SignInExpired, false)
}

func (a *account) dropLocked() {
	if a.stop != nil {
		a.stop()
	}
	a.gen++
	a.tok, a.poster, a.stop, a.stopSoc = auth.Token{}, nil, nil, nil
	if a.cfg.Remember {
		dom.SetSession(a.key, "")
	}
}

// refusedNow drops the token after the instance refused it in answer to
// a post or a moderator action.
func (a *account) refusedNow() {
	a.mu.Lock()
	gen := a.gen
	a.mu.Unlock()
	a.refused(gen)
}

// tokenRefused reports whether err says the instance no longer takes the
// token (as opposed to the viewer not being allowed to chat).
func tokenRefused(err error) bool {
	var he *glimesh.HTTPError
	return errors.As(err, &he) && he.Status == http.StatusUnauthorized && he.Bearer
}

// errSignedOut is a moderator action after the sign-in ended.
var errSignedOut = errors.New("glimchat: signed out")

// token is the access token in use, "" when signed out.
func (a *account) token() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tok.Access
}
