package phoenix

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// SocketPath is where Glimesh serves its GraphQL websocket.
const SocketPath = "/api/graph/websocket"

// SocketURL returns the websocket URL of an instance, which the caller has
// validated (absolute http or https, with a host and nothing after the
// path): http becomes ws and https becomes wss, any path prefix is kept,
// and vsn=2.0.0 selects the array frames. A token, when given, is sent
// instead of the client id: the server tries client_id first, so sending
// both would connect read-only. The token in the URL is required by the
// protocol; never log the result.
func SocketURL(instance *url.URL, clientID, token string) (string, error) {
	if instance == nil {
		return "", errors.New("socket url: no instance")
	}
	u := *instance
	switch u.Scheme {
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("socket url: no websocket scheme for %q", u.Scheme)
	}
	var q string
	switch {
	case token != "":
		q = "vsn=2.0.0&token=" + url.QueryEscape(token)
	case clientID != "":
		q = "vsn=2.0.0&client_id=" + url.QueryEscape(clientID)
	default:
		return "", errors.New("socket url: need a client id or a token")
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + SocketPath
	u.RawPath = ""
	u.RawQuery = q
	u.Fragment, u.RawFragment = "", "" // new WebSocket() throws on a fragment
	return u.String(), nil
}
