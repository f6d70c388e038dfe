package phoenix

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// SocketPath is where Glimesh serves its GraphQL websocket.
const SocketPath = "/api/graph/websocket"

// SocketURL returns the websocket URL of an instance: http becomes ws and
// https becomes wss, any path prefix is kept, and vsn=2.0.0 selects the
// array frames. A token, when given, is sent instead of the client id: the
// server tries client_id first, so sending both would connect read-only.
// The token in the URL is required by the protocol; never log the result.
func SocketURL(instance, clientID, token string) (string, error) {
	u, err := url.Parse(instance)
	if err != nil {
		return "", fmt.Errorf("socket url: parse instance: %w", err)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("socket url: instance %q: scheme must be http or https", u.Redacted())
	}
	if u.Host == "" {
		return "", fmt.Errorf("socket url: instance %q has no host", u.Redacted())
	}
	if u.User != nil {
		return "", errors.New("socket url: instance must not carry credentials")
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
	u.Fragment = ""
	return u.String(), nil
}
