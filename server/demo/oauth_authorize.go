package demo

// GET and POST /oauth/authorize and the consent page it shows.

import (
	_ "embed"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

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
