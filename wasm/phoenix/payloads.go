package phoenix

import (
	"github.com/mailru/easyjson/jlexer"
	"github.com/mailru/easyjson/jwriter"
)

//go:generate go tool easyjson -no_std_marshalers payloads.go

// RawJSON is a JSON value kept undecoded. Decoding copies it out of the
// input buffer; an empty RawJSON encodes as null.
type RawJSON []byte

// MarshalEasyJSON writes r verbatim, or null when it is empty.
func (r RawJSON) MarshalEasyJSON(w *jwriter.Writer) { w.Raw(r, nil) }

// UnmarshalEasyJSON copies the next JSON value. A null becomes an empty
// RawJSON, so "absent" and "null" read the same.
func (r *RawJSON) UnmarshalEasyJSON(in *jlexer.Lexer) {
	if in.IsNull() {
		in.Skip()
		*r = nil
		return
	}
	raw := in.Raw()
	if in.Ok() {
		*r = append((*r)[:0], raw...)
	}
}

// IsDefined lets omitempty drop an empty RawJSON.
func (r RawJSON) IsDefined() bool { return len(r) > 0 }

// replyPayload is the payload of a phx_reply frame.
//
//easyjson:json
type replyPayload struct {
	Status   string  `json:"status"`
	Response RawJSON `json:"response"`
}

// docPayload is the payload of an Absinthe doc frame. Variables must be a
// JSON object or absent.
//
//easyjson:json
type docPayload struct {
	Query     string  `json:"query"`
	Variables RawJSON `json:"variables,omitempty"`
}

// subscriptionRef is the response to a subscription doc, and the payload
// and response of unsubscribe.
//
//easyjson:json
type subscriptionRef struct {
	SubscriptionID string `json:"subscriptionId"`
}

// errorResponse covers the error shapes seen in replies: Phoenix's
// {"reason"}, Absinthe's {"error"} and a GraphQL result's {"errors"}.
//
//easyjson:json
type errorResponse struct {
	Reason string         `json:"reason"`
	Error  string         `json:"error"`
	Errors []graphQLError `json:"errors"`
}

//easyjson:json
type graphQLError struct {
	Message string `json:"message"`
}
