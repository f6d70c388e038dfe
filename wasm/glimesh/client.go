package glimesh

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/shurcooL/graphql"

	"github.com/glimchat/glimchat/wasm/codec"
)

// MaxHistory is the largest page Glimesh serves.
const MaxHistory = 1000

// MaxMessageLength is Glimesh's limit on a chat message, in characters.
const MaxMessageLength = 255

// maxErrorBytes bounds the server's error text kept in an HTTPError.
const maxErrorBytes = 512

// maxBody bounds a response body the client will read.
const maxBody = 8 << 20

// Auth selects the Authorization header. A Token wins over a ClientID; only
// one header is ever sent.
type Auth struct {
	ClientID string
	Token    string
}

// String never shows the token, so an Auth can be logged safely.
func (a Auth) String() string {
	switch {
	case a.Token != "":
		return "Bearer <redacted>"
	case a.ClientID != "":
		return "Client-ID " + a.ClientID
	}
	return "<no credentials>"
}

// GoString keeps %#v from printing the token too.
func (a Auth) GoString() string { return a.String() }

func (a Auth) header() (string, error) {
	v, scheme := a.ClientID, "Client-ID "
	if a.Token != "" {
		v, scheme = a.Token, "Bearer "
	}
	if v == "" {
		return "", ErrNoCredentials
	}
	for i := 0; i < len(v); i++ {
		if v[i] <= ' ' || v[i] >= 0x7f {
			return "", errors.New("glimesh: credentials contain characters not allowed in a header")
		}
	}
	return scheme + v, nil
}

// Client runs the widget's typed operations against one instance over any
// http.RoundTripper (the fetch transport or the socket tunnel).
type Client struct {
	gql    *graphql.Client
	bearer bool
	// For the hand-written start query, decoded with easyjson (start.go).
	hc       *http.Client
	endpoint string
}

// NewClient returns a client for the instance at base, as validated by
// config (the endpoint is base + "/api/graph"). hc may be nil for the
// default transport; its Transport, Jar and Timeout are reused, never
// modified.
func NewClient(base *url.URL, hc *http.Client, auth Auth) (*Client, error) {
	h, err := auth.header()
	if err != nil {
		return nil, err
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	wrapped := &http.Client{
		Transport: &authTransport{base: rt, auth: h, bearer: auth.Token != ""},
		Jar:       hc.Jar,
		Timeout:   hc.Timeout,
	}
	endpoint := base.JoinPath("api/graph").String()
	return &Client{gql: graphql.NewClient(endpoint, wrapped), bearer: auth.Token != "", hc: wrapped, endpoint: endpoint}, nil
}

// ChannelID looks a channel up by its streamer's username.
func (c *Client) ChannelID(ctx context.Context, username string) (string, error) {
	var q channelQuery
	err := c.do(ctx, false, &q, map[string]any{"username": graphql.String(username)})
	var ge *GraphQLError
	if errors.As(err, &ge) && ge.has("Could not find resource") || err == nil && q.Channel == nil {
		return "", &NotFoundError{Channel: username}
	}
	if err != nil {
		return "", fmt.Errorf("look up channel %q: %w", username, err)
	}
	if !ValidID(q.Channel.ID) {
		return "", fmt.Errorf("look up channel %q: %w", username,
			&DecodeError{Err: fmt.Errorf("channel id %q is not a decimal id", clip(q.Channel.ID, maxShortBytes))})
	}
	return q.Channel.ID, nil
}

// History returns up to n of the channel's most recent messages, oldest
// first. n is clamped to 0..MaxHistory. Messages without a valid id are
// skipped: one broken row must not hide the rest.
func (c *Client) History(ctx context.Context, channelID string, n int) ([]Message, error) {
	n = max(0, min(n, MaxHistory))
	if n == 0 {
		return nil, nil
	}
	id, err := json.Marshal(channelID)
	if err != nil {
		return nil, err
	}
	ws, err := c.query(ctx, historyQueryText, `{"channelId":`+string(id)+`,"last":`+strconv.Itoa(n)+`}`)
	var ge *GraphQLError
	if errors.As(err, &ge) && ge.has("Could not find resource") || err == nil && ws.Data.Channel == nil {
		err = ErrChannelNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load history of channel %s: %w", channelID, err)
	}
	return messagesOf(ws.Data.Channel.ChatMessages), nil
}

// Send posts text to the channel and returns the stored message (with the
// id the subscription will later push, so the page can show it once).
func (c *Client) Send(ctx context.Context, channelID, text string) (Message, error) {
	if strings.TrimSpace(text) == "" {
		return Message{}, ErrEmptyMessage
	}
	var m sendMutation
	err := c.do(ctx, true, &m, map[string]any{
		"channelId": graphql.ID(channelID),
		"message":   ChatMessageInput{Message: graphql.String(text)},
	})
	if err == nil && m.CreateChatMessage == nil {
		err = ErrNoMessage
	}
	if err != nil {
		return Message{}, fmt.Errorf("send to channel %s: %w", channelID, err)
	}
	msg, err := toMessage(m.CreateChatMessage.wire())
	if err != nil {
		return Message{}, fmt.Errorf("send to channel %s: %w", channelID, &DecodeError{Err: err})
	}
	return msg, nil
}

// captureKey carries a *capture from do to authTransport through the
// request context, so GraphQL errors are read in full (shurcooL keeps only
// the first message) without shared state between concurrent requests.
type captureKey struct{}

type capture struct {
	errs []wireError
}

// do runs one operation and sorts its failure into HTTPError, GraphQLError,
// NetworkError, DecodeError or the context's error.
func (c *Client) do(ctx context.Context, mutation bool, v any, vars map[string]any) error {
	cp := &capture{}
	ctx = context.WithValue(ctx, captureKey{}, cp)
	var err error
	if mutation {
		err = c.gql.Mutate(ctx, v, vars)
	} else {
		err = c.gql.Query(ctx, v, vars)
	}
	if len(cp.errs) > 0 {
		return graphQLError(cp.errs)
	}
	if err == nil {
		return nil
	}
	// shurcooL's own errors are about the answer: it could not decode it.
	return sortError(ctx, err, func(err error) error { return &DecodeError{Err: err} })
}

// sortError is a failed request's error as the context's error, or the
// HTTPError, NetworkError or DecodeError inside it; anything else is what
// other makes of it.
func sortError(ctx context.Context, err error, other func(error) error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	var (
		he *HTTPError
		ne *NetworkError
		de *DecodeError
	)
	switch {
	case errors.As(err, &he):
		return he
	case errors.As(err, &ne):
		return ne
	case errors.As(err, &de):
		return de
	}
	return other(err)
}

// authTransport adds the Authorization header, turns non-200 answers into
// HTTPError (so redirects are never followed with credentials) and reads
// the "errors" array of 200 answers for the capture in the context.
type authTransport struct {
	base   http.RoundTripper
	auth   string
	bearer bool
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", t.auth)
	r.Header.Set("Accept", "application/json")
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		if req.Context().Err() != nil {
			return nil, req.Context().Err()
		}
		return nil, &NetworkError{Err: err}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	resp.Body.Close()
	if err != nil {
		if req.Context().Err() != nil {
			return nil, req.Context().Err()
		}
		return nil, &NetworkError{Err: fmt.Errorf("read response: %w", err)}
	}
	if len(body) > maxBody {
		return nil, &DecodeError{Err: fmt.Errorf("response larger than %d bytes", maxBody)}
	}
	if resp.StatusCode != http.StatusOK {
		he := &HTTPError{Status: resp.StatusCode, Bearer: t.bearer}
		var we wireErrors
		if codec.Decode(body, &we) == nil && len(we.Errors) > 0 {
			he.Message = clip(we.Errors[0].Message, maxErrorBytes)
			he.HeaderError = clip(we.Errors[0].HeaderError, maxShortBytes)
		}
		return nil, he
	}
	if cp, ok := req.Context().Value(captureKey{}).(*capture); ok && bytes.Contains(body, []byte(`"errors"`)) {
		var we wireErrors
		if codec.Decode(body, &we) == nil {
			cp.errs = we.Errors
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}
