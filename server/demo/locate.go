package demo

import (
	gqlerrors "github.com/graph-gophers/graphql-go/errors"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// addLocations gives resolver errors the locations Absinthe reports (the
// position of the field at the error's path); graphql-go only sets a path.
func addLocations(query, opName string, errs []*gqlerrors.QueryError) {
	var doc *ast.QueryDocument
	for _, e := range errs {
		if len(e.Locations) > 0 || len(e.Path) == 0 {
			continue
		}
		if doc == nil {
			d, err := parser.ParseQuery(&ast.Source{Input: query})
			if err != nil {
				return
			}
			doc = d
		}
		var op *ast.OperationDefinition
		for _, o := range doc.Operations {
			if opName == "" || o.Name == opName {
				op = o
				break
			}
		}
		if op == nil {
			return
		}
		if f := findField(doc, op.SelectionSet, e.Path); f != nil && f.Position != nil {
			e.Locations = []gqlerrors.Location{{Line: f.Position.Line, Column: f.Position.Column}}
		}
	}
}

// findField follows a response path (names, list indices skipped) through
// fields, inline fragments and fragment spreads.
func findField(doc *ast.QueryDocument, set ast.SelectionSet, path []any) *ast.Field {
	for len(path) > 0 {
		if _, isIndex := path[0].(int); !isIndex {
			break
		}
		path = path[1:]
	}
	if len(path) == 0 {
		return nil
	}
	name, _ := path[0].(string)
	for _, sel := range set {
		var f *ast.Field
		switch s := sel.(type) {
		case *ast.Field:
			if s.Alias == name || (s.Alias == "" && s.Name == name) {
				f = s
			}
		case *ast.InlineFragment:
			f = findField(doc, s.SelectionSet, path)
		case *ast.FragmentSpread:
			if def := doc.Fragments.ForName(s.Name); def != nil {
				f = findField(doc, def.SelectionSet, path)
			}
		}
		if f == nil {
			continue
		}
		if _, ok := sel.(*ast.Field); ok && len(path) > 1 {
			if deeper := findField(doc, f.SelectionSet, path[1:]); deeper != nil {
				return deeper
			}
			continue
		}
		return f
	}
	return nil
}
