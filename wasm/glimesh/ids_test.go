package glimesh

import (
	"fmt"
	"strings"
	"testing"
)

func TestValidID(t *testing.T) {
	for id, want := range map[string]bool{
		"0": true, "1": true, "9223372036854775807": true, strings.Repeat("9", 32): true,
		"": false, "01": false, "-1": false, "1.0": false, " 1": false, "1e3": false, "١": false,
		strings.Repeat("9", 33): false,
	} {
		if ValidID(id) != want {
			t.Errorf("ValidID(%q) = %v", id, !want)
		}
	}
}

func TestCompareIDs(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"9", "10", -1}, {"10", "9", 1}, {"10", "10", 0}, {"123", "124", -1}, {"124", "123", 1},
		{"99999999999999999999", "100000000000000000000", -1}, // beyond int64
	} {
		if got := CompareIDs(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareIDs(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestAuthString(t *testing.T) {
	for a, want := range map[Auth]string{
		{ClientID: "cid"}:             "Client-ID cid",
		{Token: "t", ClientID: "cid"}: "Bearer <redacted>",
		{}:                            "<no credentials>",
	} {
		if got := fmt.Sprintf("%v|%#v", a, a); got != want+"|"+want {
			t.Errorf("%q, want %q", got, want)
		}
	}
}

func TestNotFoundError(t *testing.T) {
	if got := (&NotFoundError{Channel: "x"}).Error(); !strings.Contains(got, `"x"`) {
		t.Errorf("NotFoundError.Error() = %q", got)
	}
}
