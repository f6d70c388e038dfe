package demo

// OAuth as Boruta 2.1.5 behind GlimeshWeb.OauthController answers it
// (api.md §4), for the demo's one registered app, ClientID:
// GET/POST /oauth/authorize, the consent page, and POST /api/oauth/token
// with the authorization_code and refresh_token grants, neither needing a
// client secret. Error texts and statuses are Boruta's.
//
// Where the demo differs from a real instance, on purpose:
//   - There is no login: the consent page asks who to sign in as. A POST
//     that the browser marks as coming from another site (Sec-Fetch-Site)
//     is refused, standing in for Phoenix's CSRF token.
//   - The app is registered with pkce: true, which an operator may set on a
//     real instance (Glimesh's default, false, skips the check): a code
//     request needs a code_challenge, and the exchange checks the
//     code_verifier (S256, or plain as Boruta allows).
//   - A redirect URI must match a registered one whole. Boruta 2.1.5 matches
//     the registered URI as an unanchored regex, so a real instance also
//     accepts any URI that merely contains it. "*" stands for one host label
//     as in Boruta, or, as the whole port, for any port from 1 to 65535.
//   - Only response_type=code; the implicit grant (token) is answered
//     unsupported_response_type. client_credentials and password, which need
//     the app's secret, are answered invalid_client.
//   - Every error on a request whose client and redirect URI are good is
//     redirected, as RFC 6749 §4.1.2.1 asks; Boruta shows its own parameter
//     validation errors on a page.
//   - Codes and tokens live in memory, at most maxGrants of them: past that
//     the expired go, then the oldest.

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// CallbackPath is the widget's OAuth callback page. The demo app accepts it
// on any port of http://127.0.0.1, http://localhost and http://[::1].
const CallbackPath = "/oauth-callback.html"

const (
	codeTTL    = 60 * time.Second    // Boruta's authorization_code_ttl
	accessTTL  = 24 * time.Hour      // GT apps.ex access_token_ttl
	refreshTTL = 30 * 24 * time.Hour // GT's max_ttl, Boruta's default
	// maxGrants bounds the codes, access and refresh tokens held at once.
	maxGrants = 10000
	// maxChallenge is RFC 7636's longest code verifier, so the longest
	// plain challenge; an S256 challenge has 43 characters.
	maxChallenge = 128
	maxOAuthBody = 64 << 10
	appName      = "glimchat demo"
)

// scopeText says what each Glimesh scope lets an app do, for the consent
// page (GT priv/repo/seeds/scopes.exs names them).
var scopeText = map[string]string{
	"public":      "See your public profile",
	"email":       "See your email address",
	"chat":        "Send chat messages and moderate chat as you",
	"streamkey":   "See your stream key",
	"follow":      "Follow and unfollow channels as you",
	"stream_info": "Change your stream's title and details",
}

// oauthError is a Boruta.Oauth.Error.
type oauthError struct {
	status int
	code   string
	desc   string
}

var (
	errInvalidCode = &oauthError{http.StatusBadRequest, "invalid_grant", "Given authorization code is invalid, revoked, or expired."}
	errBadScope    = &oauthError{http.StatusBadRequest, "invalid_scope", "Given scopes are unknown or unauthorized."}
)

func invalidRequest(desc string) *oauthError {
	return &oauthError{http.StatusBadRequest, "invalid_request", desc}
}

func invalidClient(desc string) *oauthError {
	return &oauthError{http.StatusUnauthorized, "invalid_client", desc}
}

func missing(name string) *oauthError {
	return invalidRequest("Request body validation failed. Required property " + name + " is missing at #.")
}

type grantKind uint8

const (
	kindCode grantKind = iota + 1
	kindAccess
	kindRefresh
)

// grant is an issued code, access token or refresh token.
type grant struct {
	kind    grantKind
	user    *user
	scope   string // space-separated, as granted
	expires time.Time
	revoked bool // a refresh token that was used

	redirectURI, challenge, method string  // codes only
	acc                            *access // access tokens only
}

// oauthState is the registered app's redirect URIs and everything issued.
type oauthState struct {
	uris  []string
	rules []redirectRule

	mu     sync.Mutex
	grants map[string]*grant
	order  []string // keys in issue order, to drop the oldest when full
	max    int
}

func newOAuth(extra []string) (*oauthState, error) {
	o := &oauthState{grants: make(map[string]*grant), max: maxGrants}
	for _, h := range []string{"127.0.0.1", "localhost", "[::1]"} {
		o.uris = append(o.uris, "http://"+h+":*"+CallbackPath)
	}
	o.uris = append(o.uris, extra...)
	for _, raw := range o.uris {
		rr, err := parseRedirectRule(raw)
		if err != nil {
			return nil, err
		}
		o.rules = append(o.rules, rr)
	}
	return o, nil
}

// RedirectURIs lists the redirect URIs registered for ClientID.
func (inst *Instance) RedirectURIs() []string {
	return append([]string(nil), inst.oauth.uris...)
}

func (o *oauthState) redirectOK(uri string) bool {
	for _, rr := range o.rules {
		if rr.match(uri) {
			return true
		}
	}
	return false
}

// access is what an access token issued here grants, or nil.
func (o *oauthState) access(secret string, now time.Time) *access {
	o.mu.Lock()
	defer o.mu.Unlock()
	g := o.grants[secret]
	if g == nil || g.kind != kindAccess || !now.Before(g.expires) {
		return nil
	}
	return g.acc
}

// tokenAccess is what a bearer token grants: a fixture token or one issued
// through OAuth; nil when it is unknown or expired.
func (inst *Instance) tokenAccess(secret string) *access {
	if acc, ok := inst.byToken[secret]; ok {
		return acc
	}
	return inst.oauth.access(secret, inst.now())
}

// putLocked stores g under a new random key and returns the key.
func (o *oauthState) putLocked(g *grant, now time.Time) string {
	if len(o.grants) >= o.max {
		for k, old := range o.grants {
			if !now.Before(old.expires) {
				delete(o.grants, k)
			}
		}
		// Drop the oldest, a tenth at a time, so a full store does not
		// sweep on every issue.
		for len(o.grants) > o.max*9/10 && len(o.order) > 0 {
			delete(o.grants, o.order[0])
			o.order = o.order[1:]
		}
		o.compactLocked()
	}
	key := rand.Text()
	o.grants[key] = g
	o.order = append(o.order, key)
	if len(o.order) > 2*o.max {
		o.compactLocked() // keys of used codes and swept grants pile up
	}
	return key
}

func (o *oauthState) compactLocked() {
	kept := make([]string, 0, len(o.grants))
	for _, k := range o.order {
		if _, ok := o.grants[k]; ok {
			kept = append(kept, k)
		}
	}
	o.order = kept
}

// tokenResponse is GlimeshWeb.OauthView's token.json.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	CreatedAt    string `json:"created_at"`
	Scope        string `json:"scope"`
}

// issueLocked creates an access token and its refresh token.
func (o *oauthState) issueLocked(u *user, scope string, now time.Time) tokenResponse {
	set := map[string]bool{}
	for _, sc := range strings.Fields(scope) {
		set[sc] = true
	}
	acc := &grant{kind: kindAccess, user: u, scope: scope, expires: now.Add(accessTTL), acc: &access{user: u, scopes: set}}
	ref := &grant{kind: kindRefresh, user: u, scope: scope, expires: now.Add(refreshTTL)}
	return tokenResponse{
		AccessToken:  o.putLocked(acc, now),
		TokenType:    "bearer",
		ExpiresIn:    int64(accessTTL / time.Second),
		RefreshToken: o.putLocked(ref, now),
		CreatedAt:    now.UTC().Format("2006-01-02T15:04:05"), // NaiveDateTime, as the docs show
		Scope:        scope,
	}
}

func (o *oauthState) issueCode(u *user, redirectURI, scope, challenge, method string, now time.Time) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.putLocked(&grant{kind: kindCode, user: u, scope: scope, expires: now.Add(codeTTL),
		redirectURI: redirectURI, challenge: challenge, method: method}, now)
}

// params are OAuth request parameters: the query string, then a form or
// JSON body over it, the last value of a name winning (Plug.Parsers).
type params map[string]string

func (p params) has(k string) bool { _, ok := p[k]; return ok }

// readParams reads the parameters; status > 0 means the request could not
// be read, and is the status to answer.
func readOAuthParams(w http.ResponseWriter, r *http.Request) (params, int) {
	p := params{}
	add := func(raw string) bool {
		vals, err := url.ParseQuery(raw)
		for k, v := range vals {
			p[k] = v[len(v)-1]
		}
		return err == nil
	}
	if !add(r.URL.RawQuery) {
		return nil, http.StatusBadRequest
	}
	if r.Method != http.MethodPost {
		return p, 0
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxOAuthBody))
	if err != nil {
		return nil, bodyErrorStatus(err)
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case ct == "application/x-www-form-urlencoded" && !add(string(body)):
		return nil, http.StatusBadRequest
	case ct == "application/json" && len(strings.TrimSpace(string(body))) > 0:
		var obj map[string]any
		if json.Unmarshal(body, &obj) != nil {
			return nil, http.StatusBadRequest
		}
		for k, v := range obj {
			if s, ok := v.(string); ok {
				p[k] = s
			}
		}
	}
	return p, 0
}
