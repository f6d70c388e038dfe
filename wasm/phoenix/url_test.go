package phoenix

import "testing"

func TestSocketURL(t *testing.T) {
	tests := []struct {
		instance, clientID, token string
		want                      string
	}{
		{"https://glimesh.tv", "abc-123", "", "wss://glimesh.tv/api/graph/websocket?vsn=2.0.0&client_id=abc-123"},
		{"http://127.0.0.1:8081/", "glimchat-demo", "", "ws://127.0.0.1:8081/api/graph/websocket?vsn=2.0.0&client_id=glimchat-demo"},
		{"https://example.org/glimesh/?x=1#frag", "id", "", "wss://example.org/glimesh/api/graph/websocket?vsn=2.0.0&client_id=id"},
		// A token wins: with both, the server would connect read-only.
		{"https://glimesh.tv", "abc", "t/k+n=&", "wss://glimesh.tv/api/graph/websocket?vsn=2.0.0&token=t%2Fk%2Bn%3D%26"},
		{"wss://glimesh.tv", "abc", "", "wss://glimesh.tv/api/graph/websocket?vsn=2.0.0&client_id=abc"},
	}
	for _, tt := range tests {
		got, err := SocketURL(tt.instance, tt.clientID, tt.token)
		if err != nil || got != tt.want {
			t.Errorf("SocketURL(%q, %q, %q) = %q, %v; want %q", tt.instance, tt.clientID, tt.token, got, err, tt.want)
		}
	}
	for _, bad := range []struct{ instance, clientID, token string }{
		{"ftp://glimesh.tv", "id", ""},
		{"https://", "id", ""},
		{"https://user:pw@glimesh.tv", "id", ""},
		{"https://glimesh.tv", "", ""},
		{"://nope", "id", ""},
	} {
		if got, err := SocketURL(bad.instance, bad.clientID, bad.token); err == nil {
			t.Errorf("SocketURL(%q, %q, %q) = %q, want an error", bad.instance, bad.clientID, bad.token, got)
		}
	}
}
