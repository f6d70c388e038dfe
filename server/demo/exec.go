package demo

import (
	"context"
	"errors"

	graphql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"
	"github.com/vektah/gqlparser/v2/ast"
)

// execute runs a query or mutation within the demo's limits: the
// complexity check, then graphql-go under a deadline. ctx is the client's
// (the HTTP request, the socket), so the work stops when the client goes.
func (inst *Instance) execute(ctx context.Context, ri *reqInfo, query, opName string, vars map[string]any, doc *ast.QueryDocument, op *ast.OperationDefinition) *graphql.Response {
	if errs := inst.tooComplex(query, vars, doc, op); errs != nil {
		return &graphql.Response{Errors: errs}
	}
	ctx, cancel := context.WithTimeout(ctx, inst.lim.execTimeout)
	defer cancel()
	resp := inst.schema.Exec(withReq(ctx, ri), query, opName, vars)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		// graphql-go reports only "context deadline exceeded".
		return &graphql.Response{Errors: []*gqlerrors.QueryError{
			gqlerrors.Errorf("Timed out: the demo runs a document for at most %v", inst.lim.execTimeout)}}
	}
	return resp
}

// tooComplex is the complexity check. Absinthe runs it after validation, so
// an invalid document reports its validation errors instead; validating
// only on refusal keeps the common path to one validation (in Exec).
func (inst *Instance) tooComplex(query string, vars map[string]any, doc *ast.QueryDocument, op *ast.OperationDefinition) []*gqlerrors.QueryError {
	if op == nil {
		return nil // graphql-go reports the parse error or unknown operation
	}
	errs := complexityErrors(doc, op, inst.lim.complexity)
	if errs == nil {
		return nil
	}
	if verrs := inst.schema.ValidateWithVariables(query, vars); len(verrs) > 0 {
		return verrs
	}
	return errs
}
