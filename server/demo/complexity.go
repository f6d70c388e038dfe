package demo

import (
	"math"

	gqlerrors "github.com/graph-gophers/graphql-go/errors"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// parseOperation parses a document and picks the operation opName names
// (or the first), without validating; graphql-go does the real parsing and
// validation. Both are nil when the document does not parse.
func parseOperation(query, opName string) (*ast.QueryDocument, *ast.OperationDefinition) {
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return nil, nil
	}
	for _, op := range doc.Operations {
		if opName == "" || op.Name == opName {
			return doc, op
		}
	}
	return doc, nil
}

// complexityErrors is Absinthe's default complexity analysis (GT sets no
// custom complexity): a field costs 1 plus its children, a fragment what
// its fields cost. Like Complexity.Result it reports the operation and
// every field over max, descending only into those. nil means within max.
func complexityErrors(doc *ast.QueryDocument, op *ast.OperationDefinition, max int) []*gqlerrors.QueryError {
	c := complexity{doc: doc, fields: map[*ast.Field]int{}, frags: map[string]int{}}
	total := c.sum(op.SelectionSet)
	if total <= max {
		return nil
	}
	name := "Operation"
	if op.Name != "" {
		name += " " + op.Name
	}
	errs := []*gqlerrors.QueryError{tooComplex(name, op.Position, total, max)}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if n := c.fields[s]; n > max {
					errs = append(errs, tooComplex("Field "+s.Name, s.Position, n, max))
					walk(s.SelectionSet)
				}
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			}
		}
	}
	walk(op.SelectionSet)
	return errs
}

func tooComplex(what string, pos *ast.Position, n, max int) *gqlerrors.QueryError {
	e := gqlerrors.Errorf("%s is too complex: complexity is %d and maximum is %d", what, n, max)
	if pos != nil {
		e.Locations = []gqlerrors.Location{{Line: pos.Line, Column: pos.Column}}
	}
	return e
}

type complexity struct {
	doc    *ast.QueryDocument
	fields map[*ast.Field]int
	frags  map[string]int // memo, so nested spreads cost linear time
}

// sum saturates instead of overflowing: fragments spread into each other
// grow exponentially.
func (c *complexity) sum(set ast.SelectionSet) int {
	total := 0
	add := func(n int) { total = int(min(int64(total)+int64(n), math.MaxInt32)) }
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			n := int(min(1+int64(c.sum(s.SelectionSet)), math.MaxInt32))
			c.fields[s] = n
			add(n)
		case *ast.InlineFragment:
			add(c.sum(s.SelectionSet))
		case *ast.FragmentSpread:
			n, seen := c.frags[s.Name]
			if !seen {
				c.frags[s.Name] = 0 // a cycle (invalid anyway) adds nothing
				if def := c.doc.Fragments.ForName(s.Name); def != nil {
					n = c.sum(def.SelectionSet)
				}
				c.frags[s.Name] = n
			}
			add(n)
		}
	}
	return total
}
