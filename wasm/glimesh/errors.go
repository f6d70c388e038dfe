package glimesh

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinels for conditions the page reacts to.
var (
	// ErrChannelNotFound: the instance has no (accessible) channel by that name.
	ErrChannelNotFound = errors.New("channel not found")
	// ErrEmptyMessage: Send was given nothing but white space.
	ErrEmptyMessage = errors.New("empty message")
	// ErrNoMessage: a reply that should carry a message carried none.
	ErrNoMessage = errors.New("no message in reply")
	// ErrNoLog: a moderation mutation's reply carried no moderation log.
	ErrNoLog = errors.New("no moderation log in reply")
	// ErrNoCredentials: NewClient got neither a client id nor a token.
	ErrNoCredentials = errors.New("glimesh: need a client id or a token")
)

// HTTPError is a non-200 answer from the instance, e.g. 401 "You must be
// logged in to access the api" or the 500 Glimesh gives for an unknown
// client id.
type HTTPError struct {
	Status      int
	Message     string // the instance's first errors[].message, if the body had one
	HeaderError string // e.g. "invalid_access_token" on a rejected token
	Bearer      bool   // the request carried a token (else a Client-ID)
}

func (e *HTTPError) Error() string {
	s := "glimesh: HTTP " + strconv.Itoa(e.Status)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// GraphQLError carries the messages of a response's "errors" array, e.g.
// "Could not find resource", "unauthorized", "This channel has links
// disabled!" or a ban notice.
type GraphQLError struct {
	Messages []string
}

func (e *GraphQLError) Error() string {
	return "glimesh: " + strings.Join(e.Messages, "; ")
}

// has reports whether any message equals m.
func (e *GraphQLError) has(m string) bool {
	for _, s := range e.Messages {
		if s == m {
			return true
		}
	}
	return false
}

// graphQLError keeps the first ten of a response's errors, each clipped:
// the instance's text is hostile and reaches the page.
func graphQLError(errs []wireError) *GraphQLError {
	ge := &GraphQLError{}
	for _, e := range errs[:min(len(errs), 10)] {
		m := clip(e.Message, maxTextBytes)
		if m == "" {
			m = "(error without a message)"
		}
		ge.Messages = append(ge.Messages, m)
	}
	return ge
}

// NetworkError is a request that got no answer at all: the transport (fetch
// or the socket tunnel) failed. In a browser a CORS refusal looks the same.
type NetworkError struct {
	Err error
}

func (e *NetworkError) Error() string {
	return "glimesh: no answer from the instance: " + e.Err.Error()
}
func (e *NetworkError) Unwrap() error { return e.Err }

// DecodeError is an answer the client could not read (not JSON, wrong
// shapes, too large, a message without a valid id).
type DecodeError struct {
	Err error
}

func (e *DecodeError) Error() string { return "glimesh: unreadable answer: " + e.Err.Error() }
func (e *DecodeError) Unwrap() error { return e.Err }

// NotFoundError names the channel that was not found; it matches
// ErrChannelNotFound with errors.Is.
type NotFoundError struct {
	Channel string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("glimesh: channel %q not found", e.Channel)
}
func (e *NotFoundError) Is(target error) bool { return target == ErrChannelNotFound }
