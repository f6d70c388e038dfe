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
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
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

// serveToken is POST /api/oauth/token. The Cors plug's header comes first,
// so a page on any origin can read every answer, errors included.
func (inst *Instance) serveToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("access-control-allow-origin", "*")
	p, status := readOAuthParams(w, r)
	if status == 0 && !p.has("client_id") {
		status = http.StatusBadRequest // the action matches on client_id: Phoenix.ActionClauseError
	}
	if status != 0 {
		errorView(w, status)
		return
	}
	resp, e := inst.oauth.token(p, inst.now())
	if e != nil {
		writeJSON(w, e.status, map[string]string{"error": e.code, "error_description": e.desc})
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (o *oauthState) token(p params, now time.Time) (tokenResponse, *oauthError) {
	switch gt := p["grant_type"]; {
	case !p.has("grant_type"):
		return tokenResponse{}, invalidRequest("Request is not a valid OAuth request. Need a grant_type param.")
	case gt == "authorization_code":
		return o.exchangeCode(p, now)
	case gt == "refresh_token":
		return o.refresh(p, now)
	case gt == "client_credentials" || gt == "password":
		return tokenResponse{}, invalidClient("Invalid client_id or client_secret.")
	default:
		return tokenResponse{}, invalidRequest("Request body validation failed. #/grant_type do match required pattern /^(client_credentials|password|authorization_code|refresh_token)$/.")
	}
}

// exchangeCode is Boruta's AuthorizationCodeRequest for a pkce: true
// client: client and redirect URI, then the verifier's presence, the code,
// the verifier, and last the code's expiry.
func (o *oauthState) exchangeCode(p params, now time.Time) (tokenResponse, *oauthError) {
	var none tokenResponse
	redirectURI, verifier := p["redirect_uri"], p["code_verifier"]
	switch {
	case !p.has("code"):
		return none, missing("code")
	case !p.has("redirect_uri"):
		return none, invalidClient("Invalid client.")
	case p["client_id"] != ClientID || !o.redirectOK(redirectURI):
		return none, invalidClient("Invalid client_id or redirect_uri.")
	case verifier == "":
		return none, invalidRequest("PKCE request invalid.")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	code := p["code"]
	g := o.grants[code]
	if g == nil || g.kind != kindCode || g.redirectURI != redirectURI {
		return none, errInvalidCode
	}
	if !g.verifies(verifier) {
		return none, invalidRequest("Code verifier is invalid.")
	}
	delete(o.grants, code) // single use, expired or not
	if !now.Before(g.expires) {
		return none, errInvalidCode
	}
	return o.issueLocked(g.user, g.scope, now), nil
}

func (g *grant) verifies(verifier string) bool {
	want := verifier
	if g.method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(g.challenge)) == 1
}

// refresh is Boruta's RefreshTokenRequest for a public_refresh_token
// client: no secret; the scope may narrow, never widen; the used refresh
// token is revoked, the access token it came with stays valid.
func (o *oauthState) refresh(p params, now time.Time) (tokenResponse, *oauthError) {
	var none tokenResponse
	if !p.has("refresh_token") {
		return none, missing("refresh_token")
	}
	if p["client_id"] != ClientID {
		return none, invalidClient("Invalid client_id or client_secret.")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	g := o.grants[p["refresh_token"]]
	switch {
	case g == nil || g.kind != kindRefresh:
		return none, &oauthError{http.StatusBadRequest, "invalid_refresh_token", "Provided refresh token is incorrect."}
	case g.revoked:
		return none, &oauthError{http.StatusBadRequest, "invalid_grant", "Given refresh token is invalid."}
	case !now.Before(g.expires):
		return none, &oauthError{http.StatusBadRequest, "invalid_refresh_token", "Token expired."}
	}
	scope := g.scope
	if p.has("scope") {
		had := strings.Fields(g.scope)
		want := splitScope(p["scope"])
		for _, sc := range want {
			if !slices.Contains(had, sc) {
				return none, errBadScope
			}
		}
		scope = strings.Join(want, " ")
	}
	g.revoked = true
	return o.issueLocked(g.user, scope, now), nil
}

// splitScope is Boruta's Scope.split (on spaces), without repeats.
func splitScope(s string) []string {
	var out []string
	for _, sc := range strings.Split(s, " ") {
		if sc != "" && !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out
}

// serveAuthorize is GET and POST /oauth/authorize.
func (inst *Instance) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	pageHeaders(w.Header(), "")
	switch {
	case r.Method != http.MethodGet && r.Method != http.MethodPost:
		errorPage(w, &oauthError{http.StatusNotFound, "not_found", "There is no such page."})
		return
	case r.Method == http.MethodPost && !sameOrigin(r):
		errorPage(w, &oauthError{http.StatusForbidden, "forbidden", "The form was sent from another site."})
		return
	}
	p, status := readOAuthParams(w, r)
	if status != 0 {
		errorPage(w, &oauthError{status, "invalid_request", "The request could not be read."})
		return
	}
	o := inst.oauth
	redirectURI := p["redirect_uri"]
	// Until the client and its redirect URI check out, errors are shown
	// here: redirecting to an unchecked URI would make an open redirect.
	switch {
	case !p.has("client_id"):
		errorPage(w, invalidRequest("Query params validation failed. Required property client_id is missing at #."))
		return
	case !p.has("redirect_uri"):
		errorPage(w, invalidRequest("Query params validation failed. Required property redirect_uri is missing at #."))
		return
	case p["client_id"] != ClientID || !o.redirectOK(redirectURI):
		errorPage(w, invalidClient("Invalid client_id or redirect_uri."))
		return
	}
	// The consent form may now post back here and then go on to the app.
	pageHeaders(w.Header(), origin(redirectURI))
	back := func(q url.Values) {
		if p["state"] != "" {
			q.Set("state", p["state"])
		}
		sep := "?"
		if strings.Contains(redirectURI, "?") {
			sep = "&"
		}
		http.Redirect(w, r, redirectURI+sep+q.Encode(), http.StatusFound)
	}
	fail := func(e *oauthError) { back(url.Values{"error": {e.code}, "error_description": {e.desc}}) }
	scopes, e := checkCodeRequest(p)
	if e != nil {
		fail(e)
		return
	}
	scope := strings.Join(scopes, " ")
	var note string
	if r.Method == http.MethodPost {
		u := inst.store.userByName(p["user"])
		switch action := p["action"]; {
		case action == "deny":
			fail(&oauthError{http.StatusUnauthorized, "access_denied", "The resource owner or authorization server denied the request."})
			return
		case action == "authorize" && u != nil: // userByName("") is nil
			method := p["code_challenge_method"]
			if method == "" {
				method = "plain" // Boruta's default
			}
			code := o.issueCode(u, redirectURI, scope, p["code_challenge"], method, inst.now())
			back(url.Values{"code": {code}, "expires_in": {strconv.Itoa(int(codeTTL / time.Second))}})
			return
		case action == "authorize":
			note = "Choose who to sign in as."
		default:
			note = "Choose Authorize or Deny."
		}
	}
	inst.consentPage(w, scopes, origin(redirectURI), note)
}

// checkCodeRequest checks what Boruta checks after the client: the
// response type, the scopes, then the code challenge. It returns the
// requested scopes; none requested is none granted.
func checkCodeRequest(p params) ([]string, *oauthError) {
	switch rt := p["response_type"]; {
	case !p.has("response_type"):
		return nil, invalidRequest("Request is not a valid OAuth request. Need a response_type param.")
	case rt != "code":
		return nil, &oauthError{http.StatusBadRequest, "unsupported_response_type", "The demo instance implements response_type=code only."}
	}
	if m := p["code_challenge_method"]; p.has("code_challenge_method") && m != "plain" && m != "S256" {
		return nil, invalidRequest("Query params validation failed. #/code_challenge_method do match required pattern /plain|S256/.")
	}
	scopes := splitScope(p["scope"])
	for _, sc := range scopes {
		if _, ok := scopeText[sc]; !ok {
			return nil, errBadScope
		}
	}
	if c := p["code_challenge"]; c == "" || len(c) > maxChallenge {
		return nil, invalidRequest("Code challenge is invalid.")
	}
	return scopes, nil
}

// sameOrigin reports whether a browser says the request comes from this
// origin; requests without Sec-Fetch-Site (not from a browser) pass.
func sameOrigin(r *http.Request) bool {
	s := r.Header.Get("Sec-Fetch-Site")
	return s == "" || s == "same-origin"
}

// origin is the scheme://host[:port] of a checked redirect URI, or "" if it
// has characters a CSP source cannot carry.
func origin(uri string) string {
	scheme, after, _ := strings.Cut(uri, "://")
	auth, _ := splitAuthority(after)
	for _, c := range auth {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-:[]", c)) {
			return ""
		}
	}
	return scheme + "://" + auth
}

// pageHeaders are the consent page's: never framed, nothing loaded, and a
// form that may only go back here and, through the redirect that follows
// it, to the app (Chromium checks form-action on redirects too).
func pageHeaders(h http.Header, formTarget string) {
	formAction := "'self'"
	if formTarget != "" {
		if scheme, _, _ := strings.Cut(formTarget, "://"); strings.Contains(formTarget, "[") {
			formTarget = scheme + ":" // a CSP host source cannot name an IPv6 literal
		}
		formAction += " " + formTarget
	}
	h.Set("Content-Security-Policy", "default-src 'none'; base-uri 'none'; form-action "+formAction+"; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

//go:embed oauth.html
var oauthHTML string

var oauthPages = template.Must(template.New("oauth").Parse(oauthHTML))

type consentUser struct{ Username, Label string }

func (inst *Instance) consentPage(w http.ResponseWriter, scopes []string, back, note string) {
	data := struct {
		App, Back, Note string
		Scopes          []string
		Users           []consentUser
	}{App: appName, Back: back, Note: note}
	for _, sc := range scopes {
		data.Scopes = append(data.Scopes, scopeText[sc])
	}
	for _, u := range inst.store.users {
		label := u.username
		if u.displayname != u.username {
			label = u.displayname + " (" + u.username + ")"
		}
		data.Users = append(data.Users, consentUser{u.username, label})
	}
	status := http.StatusOK
	if note != "" {
		status = http.StatusBadRequest
	}
	renderPage(w, status, "consent", data)
}

func errorPage(w http.ResponseWriter, e *oauthError) {
	renderPage(w, e.status, "error", struct{ Error, Description string }{e.code, e.desc})
}

func renderPage(w http.ResponseWriter, status int, name string, data any) {
	var b strings.Builder
	if err := oauthPages.ExecuteTemplate(&b, name, data); err != nil {
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, b.String())
}

// redirectRule is a registered redirect URI. It matches a redirect_uri
// whole: "*" as a host label stands for one DNS label (Boruta's
// [a-zA-Z0-9][a-zA-Z0-9-]{1,61}[a-zA-Z0-9]), "*" as the port for any port
// from 1 to 65535 (given, without leading zeros); everything else must be
// the same, character for character.
type redirectRule struct {
	scheme string
	labels []string // a bracketed IPv6 literal is one label
	port   string   // "", "*" or digits
	rest   string   // path and query
}

// loopbackHosts may register http:// redirect URIs (GT app.ex
// validate_localhost_http_url); everything else needs https://.
var loopbackHosts = map[string]bool{"localhost": true, "127.0.0.1": true, "[::1]": true}

func parseRedirectRule(raw string) (redirectRule, error) {
	bad := func(why string) (redirectRule, error) {
		return redirectRule{}, fmt.Errorf("redirect URI %q: %s", raw, why)
	}
	scheme, after, ok := strings.Cut(raw, "://")
	if !ok || (scheme != "http" && scheme != "https") {
		return bad("must start with https:// (or http:// on localhost, 127.0.0.1 or [::1])")
	}
	auth, rest := splitAuthority(after)
	host, port, ok := splitHostPort(auth)
	switch {
	case strings.ContainsAny(rest, "*#"):
		return bad("may have a * only as a host label or as the port, and no fragment")
	case !ok || strings.ContainsAny(auth, "@ "):
		return bad("must name a host, with no user info")
	case port != "" && port != "*" && !validPort(port):
		return bad("has a bad port")
	case scheme == "http" && !loopbackHosts[host]:
		return bad("http:// is only for localhost, 127.0.0.1 and [::1]; use https://")
	}
	labels := hostLabels(host)
	for _, l := range labels {
		if l == "" || (l != "*" && strings.Contains(l, "*")) {
			return bad("must name a host; a * stands for a whole host label")
		}
	}
	return redirectRule{scheme: scheme, labels: labels, port: port, rest: rest}, nil
}

func (rr redirectRule) match(uri string) bool {
	scheme, after, ok := strings.Cut(uri, "://")
	if !ok || scheme != rr.scheme {
		return false
	}
	auth, rest := splitAuthority(after)
	host, port, ok := splitHostPort(auth)
	if !ok || rest != rr.rest {
		return false
	}
	if rr.port == "*" {
		if !validPort(port) {
			return false
		}
	} else if port != rr.port {
		return false
	}
	labels := hostLabels(host)
	if len(labels) != len(rr.labels) {
		return false
	}
	for i, l := range rr.labels {
		if l == "*" && !dnsLabel(labels[i]) || l != "*" && l != labels[i] {
			return false
		}
	}
	return true
}

func splitAuthority(s string) (auth, rest string) {
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// splitHostPort splits an authority without user info; ok is false when
// it has no host, or a colon with no port after it.
func splitHostPort(auth string) (host, port string, ok bool) {
	host, after := auth, ""
	if strings.HasPrefix(auth, "[") {
		i := strings.IndexByte(auth, ']')
		if i < 0 {
			return "", "", false
		}
		host, after = auth[:i+1], auth[i+1:]
		if after != "" && after[0] != ':' {
			return "", "", false
		}
	} else if i := strings.IndexByte(auth, ':'); i >= 0 {
		host, after = auth[:i], auth[i:]
	}
	if after == ":" || host == "" {
		return "", "", false
	}
	return host, strings.TrimPrefix(after, ":"), true
}

func hostLabels(host string) []string {
	if strings.HasPrefix(host, "[") {
		return []string{host}
	}
	return strings.Split(host, ".")
}

// validPort is a port from 1 to 65535 without leading zeros.
func validPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && n <= 65535 && strconv.Itoa(n) == s
}

// dnsLabel is Boruta's wildcard: [a-zA-Z0-9][a-zA-Z0-9-]{1,61}[a-zA-Z0-9].
func dnsLabel(s string) bool {
	if len(s) < 3 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
