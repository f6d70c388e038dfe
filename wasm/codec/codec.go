// Package codec is the one place the widget runs easyjson's generated
// encoders and decoders, so that every hot-path decode has the same
// guarantees: a whole document, no trailing data, and an error (never a
// panic) for hostile input.
package codec

import (
	"fmt"

	"github.com/mailru/easyjson"
	"github.com/mailru/easyjson/jlexer"
	"github.com/mailru/easyjson/jwriter"
)

// Decode decodes exactly one JSON document from data into v. A panic in
// generated code (a hostile document can reach corners easyjson did not
// foresee) is returned as an error: in wasm a panic would end the widget.
func Decode(data []byte, v easyjson.Unmarshaler) (err error) {
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

// Encode returns the JSON form of v.
func Encode(v easyjson.Marshaler) []byte {
	var w jwriter.Writer
	v.MarshalEasyJSON(&w)
	return w.Buffer.BuildBytes()
}
