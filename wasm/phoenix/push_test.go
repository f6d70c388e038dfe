package phoenix

import (
	"strings"
	"testing"
)

func TestReplyError(t *testing.T) {
	tests := []struct {
		resp      string
		want      string
		unmatched bool
		gqlErrors bool
	}{
		{`{"reason":"unmatched topic"}`, `unmatched topic`, true, false},
		{`{"error":"Could not parse variables as map"}`, `Could not parse variables as map`, false, false},
		{`{"errors":[{"message":"Cannot query field \"x\""},{"message":"second"}]}`, `Cannot query field "x"; second`, false, true},
		{`"weird"`, `no detail`, false, false},
		{``, `no detail`, false, false},
	}
	for _, tt := range tests {
		err := newReplyError(TopicControl, EventDoc, Reply{Status: "error", Response: []byte(tt.resp)})
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Error() = %q, want it to contain %q", tt.resp, err, tt.want)
		}
		if got := isUnmatchedTopic(err); got != tt.unmatched {
			t.Errorf("%s: unmatched = %v", tt.resp, got)
		}
		if got := err.HasGraphQLErrors(); got != tt.gqlErrors {
			t.Errorf("%s: HasGraphQLErrors = %v", tt.resp, got)
		}
	}
}
