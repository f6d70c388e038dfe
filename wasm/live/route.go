package live

import (
	"net/url"
	"strings"

	"github.com/glimchat/glimchat/wasm/config"
)

// Route is how GraphQL queries and mutations travel.
type Route int

const (
	ViaFetch  Route = iota + 1 // HTTP POST /api/graph
	ViaSocket                  // a doc over the websocket (transport.Tunnel)
)

func (r Route) String() string {
	switch r {
	case ViaFetch:
		return "fetch"
	case ViaSocket:
		return "socket"
	}
	return "none"
}

// Plan is what a transport setting means for one page and instance.
type Plan struct {
	Queries Route
	// Subscribe follows chat over the websocket subscription; false polls.
	Subscribe bool
	// PollFallback polls while the socket keeps failing. Only when fetch
	// works: a poll is a history query over HTTP.
	PollFallback bool
}

// Decide maps transport=auto|socket|fetch|poll to a Plan. POST /api/graph
// fails the CORS preflight cross-origin, and the websocket accepts any
// origin, so auto uses fetch only when the instance is the page's origin.
// An unknown setting is treated as auto.
func Decide(t config.Transport, pageURL, instance string) Plan {
	same := SameOrigin(pageURL, instance)
	switch t {
	case config.Socket:
		return Plan{Queries: ViaSocket, Subscribe: true}
	case config.Fetch:
		return Plan{Queries: ViaFetch, Subscribe: true}
	case config.Poll:
		return Plan{Queries: ViaFetch}
	}
	if same {
		return Plan{Queries: ViaFetch, Subscribe: true, PollFallback: true}
	}
	return Plan{Queries: ViaSocket, Subscribe: true}
}

// SameOrigin reports whether two URLs share scheme, host and port (with
// default ports made explicit). Anything unparsable is not same-origin.
func SameOrigin(a, b string) bool {
	oa, ok := origin(a)
	if !ok {
		return false
	}
	ob, ok := origin(b)
	return ok && oa == ob
}

func origin(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	switch {
	case port != "":
	case scheme == "http":
		port = "80"
	case scheme == "https":
		port = "443"
	default:
		return "", false
	}
	return scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port, true
}
