package dom

import (
	"net/url"
	"testing"
)

func TestBlocksInstance(t *testing.T) {
	inst, _ := url.Parse("https://glimesh.example")
	local, _ := url.Parse("http://127.0.0.1:4000")
	for _, c := range []struct {
		uri  string
		inst *url.URL
		want bool
	}{
		{"https://glimesh.example/api/graph", inst, true},
		{"wss://glimesh.example/api/graph/websocket?vsn=2.0.0", inst, true},
		{"https://glimesh.example", inst, true},
		{"https://GLIMESH.example:443/x", inst, true},
		{"https://glimesh.example:8443/x", inst, false},
		{"https://cdn.example/a.png", inst, false},
		{"inline", inst, false},
		{"eval", inst, false},
		{"", inst, false},
		{"ws://127.0.0.1:4000/api/graph/websocket", local, true},
		{"http://127.0.0.1:4001/api/graph", local, false},
		{"https://glimesh.example", nil, false},
	} {
		if got := BlocksInstance(c.uri, c.inst); got != c.want {
			t.Errorf("BlocksInstance(%q, %v) = %v, want %v", c.uri, c.inst, got, c.want)
		}
	}
}
