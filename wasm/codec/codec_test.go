package codec_test

import (
	"strings"
	"testing"

	"github.com/mailru/easyjson/jlexer"
	"github.com/mailru/easyjson/jwriter"

	"github.com/glimchat/glimchat/wasm/codec"
)

// word is a hand-written easyjson type: a JSON string.
type word struct{ s string }

func (w *word) UnmarshalEasyJSON(in *jlexer.Lexer) { w.s = in.String() }
func (w word) MarshalEasyJSON(out *jwriter.Writer) { out.String(w.s) }

// panicky stands for generated code meeting input it did not foresee.
type panicky struct{}

func (*panicky) UnmarshalEasyJSON(*jlexer.Lexer) { panic("index out of range") }

func TestDecode(t *testing.T) {
	var w word
	if err := codec.Decode([]byte(`"hi"`), &w); err != nil || w.s != "hi" {
		t.Fatalf("Decode = %v, %q", err, w.s)
	}
	for _, bad := range []string{`"hi" "again"`, `"hi"}`, `"unterminated`, ``} {
		if err := codec.Decode([]byte(bad), &w); err == nil {
			t.Errorf("Decode(%q): no error", bad)
		}
	}
}

func TestDecodeContainsPanic(t *testing.T) {
	err := codec.Decode([]byte(`{}`), &panicky{})
	if err == nil || !strings.Contains(err.Error(), "panic") {
		t.Fatalf("Decode = %v, want the panic as an error", err)
	}
}

func TestEncode(t *testing.T) {
	if got := string(codec.Encode(word{`a"b`})); got != `"a\"b"` {
		t.Errorf("Encode = %s", got)
	}
}
