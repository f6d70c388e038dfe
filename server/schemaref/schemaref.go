// Package schemaref is a test helper: it loads the reference Glimesh schema
// from the file named by $GLIMESH_SCHEMA, so that tests can check the demo
// instance's schema and the widget's operations against the real contract.
// Nothing the product ships imports it.
package schemaref

import (
	"os"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// Env names the variable holding the path of the reference schema.
const Env = "GLIMESH_SCHEMA"

// Load parses the reference schema. Without $GLIMESH_SCHEMA the calling test
// is skipped (make test always sets it when the reference is present); a set
// but unreadable or invalid path fails the test.
func Load(t testing.TB) *ast.Schema {
	t.Helper()
	path := os.Getenv(Env)
	if path == "" {
		t.Skipf("%s is not set; make test points it at the reference schema", Env)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read reference schema: %v", err)
	}
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Name: path, Input: string(src)})
	if gerr != nil {
		t.Fatalf("parse reference schema %s: %v", path, gerr)
	}
	return schema
}
