//go:build !(js && wasm)

// Host only: it reads catalog.go, and the browser has no file system.

package catalog

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// Every sentence variable is in exported, under its own key, so that Use
// translates it: one left out would stay English.
func TestEverySentenceVariableIsExported(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "catalog.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				call, ok := vs.Values[i].(*ast.CallExpr)
				if fn, isIdent := call.Fun.(*ast.Ident); !ok || !isIdent || fn.Name != "t" {
					continue
				}
				n++
				key, _ := strconv.Unquote(call.Args[0].(*ast.BasicLit).Value)
				if key != name.Name {
					t.Errorf("%s = t(%q): the key is not the name", name.Name, key)
				}
				if _, ok := exported[name.Name]; !ok {
					t.Errorf("%s is missing from exported: Use would leave it English", name.Name)
				}
			}
		}
	}
	if n != len(exported) {
		t.Errorf("catalog.go has %d sentence variables, exported %d", n, len(exported))
	}
}
