package phoenix

import (
	"net/url"
	"testing"
)

func TestSocketURL(t *testing.T) {
	tests := []struct {
		instance, clientID, token string
		want                      string
	}{
		{"https://glimesh.tv", "abc-123", "", "wss://glimesh.tv/api/graph/websocket?vsn=2.0.0&client_id=abc-123"},
		{"http://127.0.0.1:8081/", "glimchat-demo", "", "ws://127.0.0.1:8081/api/graph/websocket?vsn=2.0.0&client_id=glimchat-demo"},
		{"https://example.org/glimesh/", "id", "", "wss://example.org/glimesh/api/graph/websocket?vsn=2.0.0&client_id=id"},
		{"https://example.org/glimesh", "id", "", "wss://example.org/glimesh/api/graph/websocket?vsn=2.0.0&client_id=id"},
		// A token wins: with both, the server would connect read-only.
		{"https://glimesh.tv", "abc", "t/k+n=&", "wss://glimesh.tv/api/graph/websocket?vsn=2.0.0&token=t%2Fk%2Bn%3D%26"},
	}
	for _, tt := range tests {
		in := mustParse(t, tt.instance)
		got, err := SocketURL(in, tt.clientID, tt.token)
		if err != nil || got != tt.want {
			t.Errorf("SocketURL(%q, %q, %q) = %q, %v; want %q", tt.instance, tt.clientID, tt.token, got, err, tt.want)
		}
		if in.String() != tt.instance {
			t.Errorf("SocketURL changed its argument to %q", in)
		}
	}
	for _, bad := range []struct{ instance, clientID, token string }{
		{"https://glimesh.tv", "", ""}, // no credentials at all
		{"ftp://glimesh.tv", "id", ""}, // no websocket counterpart
		{"wss://glimesh.tv", "id", ""}, // not an instance URL
	} {
		if got, err := SocketURL(mustParse(t, bad.instance), bad.clientID, bad.token); err == nil {
			t.Errorf("SocketURL(%q, %q, %q) = %q, want an error", bad.instance, bad.clientID, bad.token, got)
		}
	}
	if got, err := SocketURL(nil, "id", ""); err == nil {
		t.Errorf("SocketURL(nil) = %q, want an error", got)
	}
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
