package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/glimchat/glimchat/wasm/codec"
	"github.com/glimchat/glimchat/wasm/phoenix"
)

//go:generate go tool easyjson -no_std_marshalers tunnel.go

// Docer runs one GraphQL document over a socket and returns the reply's
// response; *phoenix.Socket is one.
type Docer interface {
	Doc(ctx context.Context, query string, variables []byte) ([]byte, error)
}

// Tunnel is an http.RoundTripper that carries a GraphQL POST (the
// {"query","variables"} body that shurcooL/graphql sends) as an Absinthe
// doc over the websocket, and turns the reply back into an HTTP response.
// The websocket accepts any origin, where POST /api/graph fails the CORS
// preflight, so the typed queries and mutations work cross-origin.
//
// A reply with GraphQL errors, status "ok" or "error", becomes a 200 whose
// body carries them, so the client reports them as GraphQL errors. A socket
// that is not connected, a timeout or a cancelled context is a Go error.
type Tunnel struct {
	Socket Docer
}

// RoundTrip implements http.RoundTripper.
func (t Tunnel) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := readBody(req)
	if err != nil {
		return nil, fmt.Errorf("socket tunnel: %w", err)
	}
	if req.Method != http.MethodPost {
		return nil, fmt.Errorf("socket tunnel: method %s: only POST carries GraphQL", req.Method)
	}
	var gr graphQLRequest
	if err := codec.Decode(body, &gr); err != nil {
		return nil, fmt.Errorf("socket tunnel: request body is not a GraphQL request: %w", err)
	}
	if gr.Query == "" {
		return nil, errors.New("socket tunnel: request has no query")
	}
	resp, err := t.Socket.Doc(req.Context(), gr.Query, gr.Variables)
	var re *phoenix.ReplyError
	switch {
	case errors.As(err, &re) && re.HasGraphQLErrors():
		resp = re.Response
	case err != nil:
		return nil, fmt.Errorf("socket tunnel: %w", err)
	}
	var result graphQLResult
	if err := codec.Decode(resp, &result); err != nil {
		return nil, fmt.Errorf("socket tunnel: reply is not a GraphQL result: %w", err)
	}
	if len(result.Data) == 0 && len(result.Errors) == 0 {
		return nil, errors.New("socket tunnel: reply has neither data nor errors")
	}
	out := codec.Encode(result)
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}, "Content-Length": {strconv.Itoa(len(out))}},
		Body:          io.NopCloser(bytes.NewReader(out)),
		ContentLength: int64(len(out)),
		Request:       req,
	}, nil
}

// readBody reads and closes the request body, as a RoundTripper must.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, errors.New("request has no body")
	}
	defer req.Body.Close()
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	return b, nil
}

// graphQLRequest is the body of a GraphQL POST. Other members
// (operationName, extensions) are not used by the widget and are dropped.
//
//easyjson:json
type graphQLRequest struct {
	Query     string          `json:"query"`
	Variables phoenix.RawJSON `json:"variables"`
}

// graphQLResult is a GraphQL response, kept raw: the client decodes it.
//
//easyjson:json
type graphQLResult struct {
	Data   phoenix.RawJSON `json:"data"`
	Errors phoenix.RawJSON `json:"errors,omitempty"`
}
