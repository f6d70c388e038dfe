package demo

// Registered redirect URIs and how a redirect_uri matches one.

import (
	"fmt"
	"strconv"
	"strings"
)

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
