package live

import (
	"testing"

	"github.com/glimchat/glimchat/wasm/config"
)

func TestSameOrigin(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"https://glimesh.tv/chat?x", "https://glimesh.tv", true},
		{"https://glimesh.tv", "https://GLIMESH.tv:443/", true},
		{"http://127.0.0.1:8080/overlay.html", "http://127.0.0.1:8080", true},
		{"http://localhost", "http://localhost:80", true},
		{"https://widget.example", "https://glimesh.tv", false},
		{"http://glimesh.tv", "https://glimesh.tv", false},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8081", false},
		{"file:///tmp/overlay.html", "https://glimesh.tv", false},
		{"", "https://glimesh.tv", false},
		{"null", "null", false},
	}
	for _, tt := range tests {
		if got := SameOrigin(tt.a, tt.b); got != tt.want {
			t.Errorf("SameOrigin(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

func TestDecide(t *testing.T) {
	const page = "https://widget.example/overlay.html"
	tests := []struct {
		mode     config.Transport
		instance string
		want     Plan
	}{
		{config.Auto, "https://widget.example", Plan{Queries: ViaFetch, Subscribe: true, PollFallback: true}},
		{config.Auto, "https://glimesh.tv", Plan{Queries: ViaSocket, Subscribe: true}},
		{"", "https://glimesh.tv", Plan{Queries: ViaSocket, Subscribe: true}},
		{config.Socket, "https://widget.example", Plan{Queries: ViaSocket, Subscribe: true}},
		{config.Fetch, "https://glimesh.tv", Plan{Queries: ViaFetch, Subscribe: true}},
		{config.Poll, "https://glimesh.tv", Plan{Queries: ViaFetch}},
		{config.Poll, "https://widget.example", Plan{Queries: ViaFetch}},
	}
	for _, tt := range tests {
		if got := Decide(tt.mode, page, tt.instance); got != tt.want {
			t.Errorf("Decide(%q, %q) = %+v, want %+v", tt.mode, tt.instance, got, tt.want)
		}
	}
}
