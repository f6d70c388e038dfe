//go:build js && wasm

package main

import (
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/glimchat/glimchat/wasm/config"
	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/phoenix"
	"github.com/glimchat/glimchat/wasm/transport"
)

// queryTimeout bounds one GraphQL request.
const queryTimeout = 20 * time.Second

// newSocket is a Phoenix socket to the instance with creds; the caller
// runs it. Its URL may carry a token, so it is never logged.
func newSocket(cfg config.Config, instance *url.URL, creds glimesh.Auth, log *slog.Logger) (*phoenix.Socket, error) {
	url, err := phoenix.SocketURL(instance, creds.ClientID, creds.Token)
	if err != nil {
		return nil, err
	}
	return phoenix.New(phoenix.Config{URL: url, Dial: phoenix.DialWebSocket, Logger: log,
		HeartbeatInterval: cfg.Heartbeat})
}

// queries is the HTTP client GraphQL goes through: fetch, or, with a
// socket (cross-origin), that socket.
func queries(sock *phoenix.Socket) *http.Client {
	if sock != nil {
		return &http.Client{Transport: transport.Tunnel{Socket: sock}, Timeout: queryTimeout}
	}
	return &http.Client{Transport: transport.Fetch{}, Timeout: queryTimeout}
}
