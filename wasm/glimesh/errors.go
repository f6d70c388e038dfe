package glimesh

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Sentinels for conditions the page reacts to.
var (
	// ErrChannelNotFound: the instance has no (accessible) channel by that name.
	ErrChannelNotFound = errors.New("channel not found")
	// ErrEmptyMessage: Send was given nothing but white space.
	ErrEmptyMessage = errors.New("empty message")
	// ErrNoMessage: a reply that should carry a message carried none.
	ErrNoMessage = errors.New("no message in reply")
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

// maxExplain bounds how much server-supplied text Explain passes through.
const maxExplain = 200

// Explain turns any error from this package (or a context error) into a
// short sentence for the page. The result is plain text, never HTML: set it
// as textContent.
func Explain(err error) string {
	if err == nil {
		return ""
	}
	var (
		nf *NotFoundError
		he *HTTPError
		ge *GraphQLError
		ne *NetworkError
		de *DecodeError
	)
	switch {
	case errors.As(err, &nf):
		return fmt.Sprintf("There is no channel named %q on this Glimesh instance.", plain(nf.Channel, 50))
	case errors.Is(err, ErrChannelNotFound):
		return "That channel does not exist on this Glimesh instance."
	case errors.Is(err, ErrNoCredentials):
		return "Add client_id=… to the page URL, or sign in."
	case errors.Is(err, ErrEmptyMessage):
		return "Type a message first."
	case errors.Is(err, context.DeadlineExceeded):
		return "The Glimesh instance took too long to answer."
	case errors.Is(err, context.Canceled):
		return "The request was cancelled."
	case errors.As(err, &he):
		return explainHTTP(he)
	case errors.As(err, &ge):
		if len(ge.Messages) == 0 {
			return "The Glimesh instance reported an error."
		}
		return explainGraphQL(ge.Messages[0])
	case errors.As(err, &ne):
		return "Cannot reach the Glimesh instance. It may be down, or it may refuse requests " +
			"from other sites: use transport=socket, or serve the widget with glimchat serve -upstream."
	case errors.As(err, &de), errors.Is(err, ErrNoMessage):
		return "The Glimesh instance sent an answer the widget cannot read."
	}
	return "Something went wrong talking to the Glimesh instance."
}

func explainHTTP(e *HTTPError) string {
	switch {
	case e.Status == 401 && e.HeaderError == "invalid_access_token":
		return "Your sign-in has expired or was revoked. Sign in again."
	case e.Status == 401 && e.Bearer:
		return "The Glimesh instance did not accept your sign-in. Sign in again."
	case e.Status == 401:
		return "The Glimesh instance needs a client_id (add client_id=… to the page URL) or a sign-in."
	case e.Status == 500 && !e.Bearer:
		return "The Glimesh instance refused the client_id (or failed). Check the client_id parameter."
	case e.Status >= 500:
		return fmt.Sprintf("The Glimesh instance failed (HTTP %d). Try again later.", e.Status)
	case e.Status == 404:
		return "No Glimesh API at this instance address. Check the instance parameter."
	}
	if e.Message != "" {
		return fmt.Sprintf("The Glimesh instance refused the request (HTTP %d): %s", e.Status, plain(e.Message, maxExplain))
	}
	return fmt.Sprintf("The Glimesh instance refused the request (HTTP %d).", e.Status)
}

func explainGraphQL(m string) string {
	switch {
	case m == "unauthorized":
		return "You are not allowed to chat here: sign in and allow chat access."
	case m == "Could not find resource":
		return "Not found on this Glimesh instance."
	case m == "This channel has links disabled!":
		return "This channel does not allow links in chat."
	case strings.HasPrefix(m, "message: should be at most"):
		return "The message is too long: 255 characters at most."
	case strings.HasPrefix(m, "message: can't be blank"):
		return "Type a message first."
	case strings.HasPrefix(m, "You "):
		// Ban, timeout, wait and e-mail notices are written for the user.
		return plain(m, maxExplain)
	}
	return "The Glimesh instance said: " + plain(m, maxExplain)
}

// plain drops control and format characters (no bidi overrides in status
// lines) and cuts s to max runes.
func plain(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if n == max {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
