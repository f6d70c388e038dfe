package phoenix

import (
	"testing"

	"github.com/glimchat/glimchat/wasm/codec"
)

func TestDocPayload(t *testing.T) {
	got := string(codec.Encode(docPayload{Query: "query { a }"}))
	if got != `{"query":"query { a }"}` {
		t.Errorf("without variables: %s", got)
	}
	got = string(codec.Encode(docPayload{Query: "q", Variables: RawJSON(`{"c":"6"}`)}))
	if got != `{"query":"q","variables":{"c":"6"}}` {
		t.Errorf("with variables: %s", got)
	}
}
