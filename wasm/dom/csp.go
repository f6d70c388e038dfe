package dom

import (
	"net/url"
	"strings"
)

// BlocksInstance reports whether a CSP violation's blockedURI is the
// instance: the same host and port, over http(s) or ws(s) alike (the
// socket's wss://host is the instance's https://host). Browsers may report
// the whole URL, only its origin, or a keyword such as "inline".
func BlocksInstance(blockedURI string, instance *url.URL) bool {
	if instance == nil {
		return false
	}
	b, err := url.Parse(blockedURI)
	if err != nil || b.Host == "" {
		return false
	}
	return strings.EqualFold(b.Hostname(), instance.Hostname()) && port(b) == port(instance)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "https", "wss":
		return "443"
	}
	return "80"
}
