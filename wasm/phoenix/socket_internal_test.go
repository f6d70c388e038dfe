package phoenix

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClipKeepsRunesWhole(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"abcdef", 3, "abc…"},
		{"ab€", 3, "ab…"}, // € is 3 bytes: cutting at 3 would split it
		{"ab€", 4, "ab…"},
		{"ab€c", 5, "ab€…"},
		{"😀😀", 5, "😀…"}, // 4-byte runes
		{"😀", 3, "…"},
		{"\xff\xff\xff\xff\xff\xff", 3, "\xff\xff\xff…"}, // invalid text: cut where asked
	}
	for _, tt := range tests {
		got := clip(tt.in, tt.n)
		if got != tt.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
		if utf8.ValidString(tt.in) && !utf8.ValidString(got) {
			t.Errorf("clip(%q, %d) = %q, not UTF-8", tt.in, tt.n, got)
		}
	}
	long := strings.Repeat("é", 150) // 300 bytes, a rune boundary every 2
	if got := clip(long, 201); !utf8.ValidString(got) || len(got) != 200+len("…") {
		t.Errorf("clip of 2-byte runes at an odd length: %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
}
