//go:build js && wasm

// Command floor is the bench's floor (not shipped): the least a Go widget
// must link and do. It links what the widget must (shurcooL/graphql over
// the widget's fetch transport, safejs, easyjson's lexer), runs one history
// query against the page's own origin and shows each message as text.
// Parameters: channel, client_id, history (50).
package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"

	"github.com/hack-pad/safejs"
	"github.com/mailru/easyjson/jlexer"
	"github.com/shurcooL/graphql"

	"github.com/glimchat/glimchat/wasm/transport"
)

// text is a string field decoded by easyjson's lexer, as the widget's
// generated decoders do.
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	l := jlexer.Lexer{Data: b}
	*t = text(l.String())
	return l.Error()
}

type historyQuery struct {
	Channel *struct {
		ChatMessages *struct {
			Edges []*struct {
				Node *struct {
					ID      string
					Message text
					User    *struct{ Displayname text }
				}
			}
		} `graphql:"chatMessages(last: $last)"`
	} `graphql:"channel(streamerUsername: $username)"`
}

// auth adds the Client-ID header.
type auth struct {
	rt       http.RoundTripper
	clientID string
}

func (a auth) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Client-ID "+a.clientID)
	return a.rt.RoundTrip(r)
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run() error {
	loc, err := safejs.Global().Get("location")
	if err != nil {
		return err
	}
	href, err := str(loc, "href")
	if err != nil {
		return err
	}
	page, err := url.Parse(href)
	if err != nil {
		return err
	}
	params := page.Query()
	n, err := strconv.Atoi(params.Get("history"))
	if err != nil {
		n = 50
	}
	hc := &http.Client{Transport: auth{transport.Fetch{}, params.Get("client_id")}}
	client := graphql.NewClient(page.Scheme+"://"+page.Host+"/api/graph", hc)
	var q historyQuery
	err = client.Query(context.Background(), &q, map[string]any{
		"username": graphql.String(params.Get("channel")),
		"last":     graphql.Int(n),
	})
	if err != nil {
		return err
	}
	if q.Channel == nil || q.Channel.ChatMessages == nil {
		return fmt.Errorf("no channel %q", params.Get("channel"))
	}
	doc, err := safejs.Global().Get("document")
	if err != nil {
		return err
	}
	log, err := doc.Call("getElementById", "glimchat-log")
	if err != nil {
		return err
	}
	for _, e := range q.Channel.ChatMessages.Edges {
		if e == nil || e.Node == nil {
			continue
		}
		name := text("?")
		if e.Node.User != nil {
			name = e.Node.User.Displayname
		}
		li, err := doc.Call("createElement", "li")
		if err != nil {
			return err
		}
		if _, err := li.Call("setAttribute", "data-message-id", e.Node.ID); err != nil {
			return err
		}
		if err := li.Set("textContent", string(name)+": "+string(e.Node.Message)); err != nil {
			return err
		}
		if _, err := log.Call("appendChild", li); err != nil {
			return err
		}
	}
	return nil
}

func str(v safejs.Value, name string) (string, error) {
	p, err := v.Get(name)
	if err != nil {
		return "", err
	}
	return p.String()
}
