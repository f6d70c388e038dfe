//go:build js && wasm

package main

import (
	"context"
	"errors"
	"log/slog"
	"net/url"

	"github.com/glimchat/glimchat/wasm/config"
	"github.com/glimchat/glimchat/wasm/dom"
	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/live"
	"github.com/glimchat/glimchat/wasm/phoenix"
	"github.com/glimchat/glimchat/wasm/signin"
)

// newAccount is the embed page's sign-in (package signin) with instance,
// whose app is clientID, with what the browser gives it: the session
// store, the page's origin, and the client a token posts with (by fetch,
// or cross-origin over a socket of its own). Each instance has its own:
// a token only ever goes to the instance that issued it.
func newAccount(cfg config.Config, instance *url.URL, clientID string, plan live.Plan, log *slog.Logger) *signin.Account {
	viaFetch := plan.Queries != live.ViaSocket
	return signin.New(signin.Options{
		Instance: instance, ClientID: clientID, RedirectURI: cfg.RedirectURI, Remember: cfg.Remember,
		Origin: dom.Origin(), Store: sessionStore{}, Key: config.TokenKey(instance), Fetch: queries(nil),
		Logger: log,
		Connect: func(ctx context.Context, token string, refused func()) (*glimesh.Client, error) {
			creds := glimesh.Auth{Token: token}
			if viaFetch {
				return glimesh.NewClient(instance, queries(nil), creds)
			}
			sock, err := newSocket(cfg, instance, creds, log)
			if err != nil {
				return nil, err
			}
			go sock.Run(ctx)
			unwatch := sock.Watch(func(_ phoenix.State, err error) {
				if errors.Is(err, phoenix.ErrRefused) {
					refused()
				}
			})
			context.AfterFunc(ctx, unwatch)
			return glimesh.NewClient(instance, queries(sock), creds)
		},
	})
}

// sessionStore is sessionStorage.
type sessionStore struct{}

func (sessionStore) Get(key string) string { return dom.SessionValue(key) }
func (sessionStore) Set(key, value string) { dom.SetSession(key, value) }
