package phoenix

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mailru/easyjson/jlexer"
	"github.com/mailru/easyjson/jwriter"
)

// Reply is the server's phx_reply to a push.
type Reply struct {
	Status   string // "ok" or "error"
	Response []byte // raw JSON
}

// push is one frame waiting for its reply. Its fields are owned by the
// socket's loop; done runs there exactly once.
type push struct {
	ref   string
	topic string
	event string
	timer Timer
	done  func(Reply, error)
}

// ReplyError is a reply with a status other than "ok".
type ReplyError struct {
	Topic    string
	Event    string
	Status   string
	Response []byte // the raw response JSON

	detail errorResponse
}

func newReplyError(topic, event string, r Reply) *ReplyError {
	e := &ReplyError{Topic: topic, Event: event, Status: r.Status, Response: r.Response}
	if len(r.Response) > 0 {
		// A response of another shape just leaves the detail empty.
		_ = unmarshal(r.Response, &e.detail)
	}
	return e
}

// Reason is the Phoenix {"reason"} or Absinthe {"error"} text, if any.
func (e *ReplyError) Reason() string {
	if e.detail.Reason != "" {
		return e.detail.Reason
	}
	return e.detail.Error
}

// HasGraphQLErrors reports whether the response carries a GraphQL
// "errors" list (a document that failed to parse or validate).
func (e *ReplyError) HasGraphQLErrors() bool { return len(e.detail.Errors) > 0 }

func (e *ReplyError) Error() string {
	var msg string
	switch {
	case e.Reason() != "":
		msg = e.Reason()
	case len(e.detail.Errors) > 0:
		ms := make([]string, 0, 3)
		for _, ge := range e.detail.Errors[:min(3, len(e.detail.Errors))] {
			ms = append(ms, ge.Message)
		}
		msg = strings.Join(ms, "; ")
	default:
		msg = "no detail"
	}
	return fmt.Sprintf("%s on %s: server replied %q: %s", e.Event, e.Topic, e.Status, msg)
}

func isUnmatchedTopic(err error) bool {
	var re *ReplyError
	return errors.As(err, &re) && re.Reason() == "unmatched topic"
}

type easyUnmarshaler interface {
	UnmarshalEasyJSON(*jlexer.Lexer)
}

type easyMarshaler interface {
	MarshalEasyJSON(*jwriter.Writer)
}

// unmarshal decodes one whole JSON document into v.
func unmarshal(data []byte, v easyUnmarshaler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("decode: panic: %v", r)
		}
	}()
	in := jlexer.Lexer{Data: data}
	v.UnmarshalEasyJSON(&in)
	in.Consumed()
	return in.Error()
}

func marshal(v easyMarshaler) []byte {
	var w jwriter.Writer
	v.MarshalEasyJSON(&w)
	return w.Buffer.BuildBytes()
}
