package schemaref

import (
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// Validate parses query and validates it against ref with gqlparser's
// validator, the same rules a spec-compliant server applies. Every error is
// reported (with its position) before the test is failed, so one run shows
// all the drift between an operation and the schema.
func Validate(t testing.TB, ref *ast.Schema, query string) {
	t.Helper()
	if ref == nil {
		t.Fatalf("schemaref.Validate: nil schema")
	}
	_, errs := gqlparser.LoadQuery(ref, query)
	for _, err := range errs {
		t.Errorf("operation does not validate: %v", err)
	}
	if len(errs) > 0 {
		t.Fatalf("%d validation error(s) in:\n%s", len(errs), query)
	}
}
