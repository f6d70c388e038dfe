package schemaref

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// recorder stands in for a test so that Validate's failures can be
// inspected instead of failing this test.
type recorder struct {
	testing.TB
	errors []string
	fatal  bool
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
	r.fatal = true
}

const tinySchema = `
type Query { channel(streamerUsername: String): Channel }
type Channel { id: ID! title: String }
`

func tiny(t *testing.T) *ast.Schema {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "tiny", Input: tinySchema})
	if err != nil {
		t.Fatalf("tiny schema: %v", err)
	}
	return s
}

func TestValidateAcceptsValidQuery(t *testing.T) {
	r := &recorder{TB: t}
	Validate(r, tiny(t), `query($u:String!){channel(streamerUsername:$u){id,title}}`)
	if len(r.errors) != 0 || r.fatal {
		t.Fatalf("valid query reported errors: %q", r.errors)
	}
}

func TestValidateReportsEveryError(t *testing.T) {
	r := &recorder{TB: t}
	// Two unknown fields and an unknown argument: each must be reported.
	Validate(r, tiny(t), `{channel(streamerId: 1){id,nope,alsoNope}}`)
	if !r.fatal {
		t.Fatalf("invalid query did not fail the test")
	}
	joined := strings.Join(r.errors, "\n")
	for _, want := range []string{"nope", "alsoNope", "streamerId"} {
		if !strings.Contains(joined, want) {
			t.Errorf("errors do not mention %q:\n%s", want, joined)
		}
	}
	if len(r.errors) < 4 { // three errors plus the summary
		t.Errorf("want every error reported, got %d lines:\n%s", len(r.errors), joined)
	}
}

func TestValidateReportsSyntaxError(t *testing.T) {
	r := &recorder{TB: t}
	Validate(r, tiny(t), `{channel(`)
	if !r.fatal || len(r.errors) < 2 {
		t.Fatalf("syntax error not reported: %q", r.errors)
	}
}

func TestValidateAgainstReference(t *testing.T) {
	ref := Load(t) // skipped without $GLIMESH_SCHEMA
	Validate(t, ref, `query($u:String){channel(streamerUsername:$u){id}}`)
	r := &recorder{TB: t}
	Validate(r, ref, `query($u:String){channel(streamerUsername:$u){noSuchField}}`)
	if !r.fatal {
		t.Fatalf("reference schema accepted an unknown field")
	}
}
