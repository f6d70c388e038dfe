// Package auth is the embed page's sign-in, as logic the host can test:
// OAuth's authorization code grant with S256 PKCE (RFC 7636) in a popup,
// the checks on what the callback page hands back, the token exchange and
// refresh at <instance>/api/oauth/token, and when to refresh. The page's
// glue (wasm/account.go, wasm/dom/signin.go) only opens the popup, passes
// messages in and shows the result.
package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// Scope is what the widget asks for: enough to read and to post.
const Scope = "public chat"

// MessageType marks the callback page's postMessage data.
const MessageType = "glimchat-oauth"

// CallbackPath is where the callback page lives on the widget's origin,
// the default redirect URI's path.
const CallbackPath = "/oauth-callback.html"

// MaxWait is how long a sign-in may take, popup to callback; a callback
// after that is refused (the code would be long expired anyway).
const MaxWait = 10 * time.Minute

// Errors of Check. Every one means the message is ignored.
var (
	ErrNoSignIn    = errors.New("auth: no sign-in is under way")
	ErrWrongOrigin = errors.New("auth: message from another origin")
	ErrWrongState  = errors.New("auth: state does not match the sign-in under way")
	ErrTooLate     = errors.New("auth: the sign-in took too long")
	ErrNoCode      = errors.New("auth: the callback carries no code")
)

// DeniedError is an error the instance sent back to the callback
// (access_denied when the viewer chose Deny).
type DeniedError struct{ Code, Description string }

func (e *DeniedError) Error() string { return "auth: sign-in refused: " + e.Code }

// randomString is n random bytes, base64url without padding.
func randomString(r io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("auth: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Verifier encodes 32 random octets as a code verifier (43 characters,
// RFC 7636 §4.1).
func Verifier(octets []byte) string { return base64.RawURLEncoding.EncodeToString(octets) }

// Challenge is the S256 code challenge of verifier (RFC 7636 §4.2).
func Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Request is one sign-in under way: what the popup was opened with, and
// what the callback must match.
type Request struct {
	Instance    *url.URL // the instance's base URL (config validated it)
	ClientID    string
	RedirectURI string
	State       string
	Verifier    string
	Started     time.Time
}

// Begin starts a sign-in with a fresh verifier and state from r
// (crypto/rand.Reader).
func Begin(r io.Reader, instance *url.URL, clientID, redirectURI string, now time.Time) (*Request, error) {
	if instance == nil || clientID == "" || redirectURI == "" {
		return nil, errors.New("auth: signing in needs an instance, a client_id and a redirect_uri")
	}
	verifier, err := randomString(r, 32)
	if err != nil {
		return nil, err
	}
	state, err := randomString(r, 24)
	if err != nil {
		return nil, err
	}
	return &Request{Instance: instance, ClientID: clientID, RedirectURI: redirectURI, State: state,
		Verifier: verifier, Started: now}, nil
}

// AuthorizeURL is the popup's address: the instance's consent page.
func (q *Request) AuthorizeURL() string {
	v := url.Values{
		"response_type":         {"code"},
		"client_id":             {q.ClientID},
		"redirect_uri":          {q.RedirectURI},
		"scope":                 {Scope},
		"state":                 {q.State},
		"code_challenge":        {Challenge(q.Verifier)},
		"code_challenge_method": {"S256"},
	}
	return strings.TrimSuffix(q.Instance.String(), "/") + "/oauth/authorize?" + v.Encode()
}

// Callback is what arrived through postMessage, read field by field as
// strings: everything else about the message is ignored.
type Callback struct {
	Origin      string // MessageEvent.origin
	State       string
	Code        string
	Error       string
	Description string
}

// Check accepts cb as the answer to q, for a page whose origin is
// ownOrigin (the callback page lives there), and returns the code. The
// message must come from ownOrigin and carry q's state; a message that
// fails either says nothing about the sign-in, so q stays under way.
func (q *Request) Check(cb Callback, ownOrigin string, now time.Time) (string, error) {
	switch {
	case q == nil:
		return "", ErrNoSignIn
	case cb.Origin == "" || cb.Origin != ownOrigin:
		return "", ErrWrongOrigin
	case cb.State == "" || subtle.ConstantTimeCompare([]byte(cb.State), []byte(q.State)) != 1:
		return "", ErrWrongState
	case now.Sub(q.Started) > MaxWait:
		return "", ErrTooLate
	case cb.Error != "":
		return "", &DeniedError{Code: cb.Error, Description: cb.Description}
	case cb.Code == "":
		return "", ErrNoCode
	}
	return cb.Code, nil
}

// CodeForm is the body of the code exchange.
func (q *Request) CodeForm(code string) url.Values {
	return url.Values{
		"client_id":     {q.ClientID},
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {q.RedirectURI},
		"code_verifier": {q.Verifier},
	}
}

// RefreshForm is the body of a refresh.
func RefreshForm(clientID, refreshToken string) url.Values {
	return url.Values{
		"client_id":     {clientID},
		"grant_type":    {"refresh_token"},
		"refresh_token": {refreshToken},
	}
}

// DefaultRedirectURI is the callback page on the page's own origin.
func DefaultRedirectURI(pageOrigin string) string { return pageOrigin + CallbackPath }
