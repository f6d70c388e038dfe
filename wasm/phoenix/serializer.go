package phoenix

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/mailru/easyjson/jlexer"
	"github.com/mailru/easyjson/jwriter"

	"github.com/glimchat/glimchat/wasm/codec"
)

// Events and topics of the Phoenix and Absinthe protocols.
const (
	EventJoin             = "phx_join"
	EventReply            = "phx_reply"
	EventError            = "phx_error"
	EventClose            = "phx_close"
	EventHeartbeat        = "heartbeat"
	EventDoc              = "doc"
	EventUnsubscribe      = "unsubscribe"
	EventSubscriptionData = "subscription:data"

	TopicPhoenix = "phoenix"
	TopicControl = "__absinthe__:control"
)

// ErrMalformedFrame is wrapped by every frame decoding error.
var ErrMalformedFrame = errors.New("malformed phoenix frame")

// Frame is one Phoenix Channels v2 message, [join_ref, ref, topic, event,
// payload] on the wire. An empty JoinRef or Ref stands for null: clients
// never choose empty refs, and servers send null for non-replies.
type Frame struct {
	JoinRef string
	Ref     string
	Topic   string
	Event   string
	Payload []byte // raw JSON object; nil encodes as {}
}

// MarshalEasyJSON writes f in the v2 array form.
func (f Frame) MarshalEasyJSON(w *jwriter.Writer) {
	w.RawByte('[')
	writeRef(w, f.JoinRef)
	w.RawByte(',')
	writeRef(w, f.Ref)
	w.RawByte(',')
	w.String(f.Topic)
	w.RawByte(',')
	w.String(f.Event)
	w.RawByte(',')
	if len(f.Payload) == 0 {
		w.RawString("{}")
	} else {
		w.Raw(f.Payload, nil)
	}
	w.RawByte(']')
}

func writeRef(w *jwriter.Writer, ref string) {
	if ref == "" {
		w.RawString("null")
		return
	}
	w.String(ref)
}

// UnmarshalEasyJSON reads the v2 array form. Anything else (an object
// frame, a wrong arity, a non-string topic, a non-object payload) is an
// error on the lexer. The payload is copied, so it outlives the input.
func (f *Frame) UnmarshalEasyJSON(in *jlexer.Lexer) {
	if in.IsNull() || !in.IsDelim('[') {
		in.AddError(fmt.Errorf("%w: not an array", ErrMalformedFrame))
		return
	}
	in.Delim('[')
	f.JoinRef = readRef(in, "join_ref")
	in.WantComma()
	f.Ref = readRef(in, "ref")
	in.WantComma()
	f.Topic = readName(in, "topic")
	in.WantComma()
	f.Event = readName(in, "event")
	in.WantComma()
	if !in.Ok() {
		return
	}
	if in.IsDelim(']') {
		in.AddError(fmt.Errorf("%w: 4 elements, want 5", ErrMalformedFrame))
		return
	}
	if !in.IsDelim('{') {
		in.AddError(fmt.Errorf("%w: payload is not an object", ErrMalformedFrame))
		return
	}
	if f.Event == EventSubscriptionData {
		// The hot path: the push's reader decodes the whole payload, and so
		// validates it; validating it here as well would read it twice more.
		f.Payload = rawPayload(in)
		return
	}
	raw := in.Raw()
	if !in.Ok() {
		return
	}
	f.Payload = append([]byte(nil), raw...)
	in.WantComma()
	if !in.IsDelim(']') {
		in.AddError(fmt.Errorf("%w: more than 5 elements", ErrMalformedFrame))
		return
	}
	in.Delim(']')
}

// rawPayload takes the payload object, at the lexer's current '{' token, up
// to its matching brace, unvalidated, and checks that only the closing ']'
// follows. It ends the lexer's input there.
func rawPayload(in *jlexer.Lexer) []byte {
	data := in.Data
	start := in.GetPos() - 1 // the '{' token was just read
	end := objectEnd(data, start)
	if end < 0 {
		in.AddError(fmt.Errorf("%w: unterminated payload", ErrMalformedFrame))
		return nil
	}
	rest := bytes.TrimSpace(data[end:])
	switch {
	case len(rest) == 0:
		in.AddError(fmt.Errorf("%w: unterminated frame", ErrMalformedFrame))
		return nil
	case rest[0] == ',':
		in.AddError(fmt.Errorf("%w: more than 5 elements", ErrMalformedFrame))
		return nil
	case rest[0] != ']' || len(bytes.TrimSpace(rest[1:])) > 0:
		in.AddError(fmt.Errorf("%w: data after the frame", ErrMalformedFrame))
		return nil
	}
	// Everything after the payload's '{' is checked: the lexer's input
	// ends there, so it finds nothing left over.
	in.Data = data[:in.GetPos()]
	return append([]byte(nil), data[start:end]...)
}

// objectEnd is the index just past the brace that closes the object that
// opens at data[start], or -1: a scan that minds strings and escapes only.
func objectEnd(data []byte, start int) int {
	depth, inString, escaped := 0, false, false
	for i := start; i < len(data); i++ {
		c := data[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}

func readRef(in *jlexer.Lexer, name string) string {
	if !in.Ok() {
		return ""
	}
	if in.IsNull() {
		in.Skip()
		return ""
	}
	if in.CurrentToken() != jlexer.TokenString {
		in.AddError(fmt.Errorf("%w: %s is neither a string nor null", ErrMalformedFrame, name))
		return ""
	}
	s := in.String()
	if !utf8.ValidString(s) {
		in.AddError(fmt.Errorf("%w: %s is not UTF-8", ErrMalformedFrame, name))
	}
	return s
}

func readName(in *jlexer.Lexer, name string) string {
	if !in.Ok() {
		return ""
	}
	if in.CurrentToken() != jlexer.TokenString {
		in.AddError(fmt.Errorf("%w: %s is not a string", ErrMalformedFrame, name))
		return ""
	}
	s := in.String()
	switch {
	case !in.Ok():
	case s == "":
		in.AddError(fmt.Errorf("%w: empty %s", ErrMalformedFrame, name))
	case !utf8.ValidString(s):
		in.AddError(fmt.Errorf("%w: %s is not UTF-8", ErrMalformedFrame, name))
	}
	return s
}

// Encode returns the wire form of f.
func (f Frame) Encode() []byte {
	var w jwriter.Writer
	f.MarshalEasyJSON(&w)
	return w.Buffer.BuildBytes()
}

// DecodeFrame parses one text frame. Errors wrap ErrMalformedFrame; it
// never panics, whatever the input.
func DecodeFrame(data []byte) (f Frame, err error) {
	if err := codec.Decode(data, &f); err != nil {
		if !errors.Is(err, ErrMalformedFrame) {
			err = fmt.Errorf("%w: %w", ErrMalformedFrame, err)
		}
		return Frame{}, err
	}
	return f, nil
}
