package demo

// POST /api/oauth/token: the authorization_code and refresh_token grants.

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"time"
)

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
