package source

import (
	"testing"

	"github.com/glimchat/glimchat/wasm/live"
)

func TestBoard(t *testing.T) {
	var b Board
	if st, said := b.Set("alice", live.Connecting, ""); st != live.Connecting || said != "" {
		t.Errorf("first: %v %q", st, said)
	}
	b.Set("bob (https://other.example)", live.Offline, "Cannot reach the Glimesh instance.")
	st, said := b.Set("alice", live.Live, "")
	if st != live.Live || said != "bob (https://other.example): Cannot reach the Glimesh instance." {
		t.Errorf("one live, one down: %v %q", st, said)
	}
	if st, said := b.Set("bob (https://other.example)", live.Live, "stale"); st != live.Live || said != "" {
		t.Errorf("both live: %v %q, want no problem", st, said)
	}
	if st, _ := b.Set("alice", live.Reconnecting, ""); st != live.Live {
		t.Errorf("one reconnecting, one live: %v, want live", st)
	}
}
