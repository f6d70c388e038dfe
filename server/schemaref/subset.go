package schemaref

import (
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// CheckSubset reports, through t.Errorf, every way in which the schema sdl is
// not a strict subset of ref: a root type with another name, a type missing
// or of another kind, a field, argument, input field, enum value, interface or
// union member missing, a type (nullability included) that differs, a default
// value that differs, or a required argument of ref left out. It goes on after
// a mismatch so that one run names them all.
func CheckSubset(t testing.TB, ref *ast.Schema, sdl string) {
	t.Helper()
	sub, gerr := gqlparser.LoadSchema(&ast.Source{Name: "subset.graphql", Input: sdl})
	if gerr != nil {
		t.Fatalf("parse subset schema: %v", gerr)
		return
	}
	roots := []struct {
		op       string
		sub, ref *ast.Definition
	}{
		{"query", sub.Query, ref.Query},
		{"mutation", sub.Mutation, ref.Mutation},
		{"subscription", sub.Subscription, ref.Subscription},
	}
	for _, r := range roots {
		switch {
		case r.sub == nil:
		case r.ref == nil:
			t.Errorf("schema: %s root %s has no counterpart in the reference", r.op, r.sub.Name)
		case r.sub.Name != r.ref.Name:
			t.Errorf("schema: %s root is %s, the reference calls it %s", r.op, r.sub.Name, r.ref.Name)
		}
	}
	for name, def := range sub.Types {
		if def.BuiltIn {
			continue
		}
		rdef, ok := ref.Types[name]
		if !ok {
			t.Errorf("type %s: not in the reference schema", name)
			continue
		}
		if def.Kind != rdef.Kind {
			t.Errorf("type %s: kind %s, reference has %s", name, def.Kind, rdef.Kind)
			continue
		}
		subsetCheckDefinition(t, def, rdef)
	}
}

func subsetCheckDefinition(t testing.TB, def, rdef *ast.Definition) {
	t.Helper()
	for _, iface := range def.Interfaces {
		if !subsetContains(rdef.Interfaces, iface) {
			t.Errorf("type %s: implements %s, the reference does not", def.Name, iface)
		}
	}
	for _, member := range def.Types {
		if !subsetContains(rdef.Types, member) {
			t.Errorf("union %s: member %s is not in the reference", def.Name, member)
		}
	}
	for _, v := range def.EnumValues {
		if rdef.EnumValues.ForName(v.Name) == nil {
			t.Errorf("enum %s: value %s is not in the reference", def.Name, v.Name)
		}
	}
	for _, f := range def.Fields {
		rf := rdef.Fields.ForName(f.Name)
		if rf == nil {
			t.Errorf("%s.%s: field is not in the reference", def.Name, f.Name)
			continue
		}
		if f.Type.String() != rf.Type.String() {
			t.Errorf("%s.%s: type %s, reference has %s", def.Name, f.Name, f.Type, rf.Type)
		}
		if !subsetSameDefault(f.DefaultValue, rf.DefaultValue) {
			t.Errorf("%s.%s: default %s, reference has %s", def.Name, f.Name, f.DefaultValue, rf.DefaultValue)
		}
		subsetCheckArguments(t, def.Name+"."+f.Name, f.Arguments, rf.Arguments)
	}
	// An input object that leaves out a required field of the reference
	// would accept values the real server rejects.
	if def.Kind == ast.InputObject {
		for _, rf := range rdef.Fields {
			if rf.Type.NonNull && rf.DefaultValue == nil && def.Fields.ForName(rf.Name) == nil {
				t.Errorf("%s.%s: required input field of the reference is missing", def.Name, rf.Name)
			}
		}
	}
}

func subsetCheckArguments(t testing.TB, where string, args, rargs ast.ArgumentDefinitionList) {
	t.Helper()
	for _, a := range args {
		ra := rargs.ForName(a.Name)
		if ra == nil {
			t.Errorf("%s(%s): argument is not in the reference", where, a.Name)
			continue
		}
		if a.Type.String() != ra.Type.String() {
			t.Errorf("%s(%s): type %s, reference has %s", where, a.Name, a.Type, ra.Type)
		}
		if !subsetSameDefault(a.DefaultValue, ra.DefaultValue) {
			t.Errorf("%s(%s): default %s, reference has %s", where, a.Name, a.DefaultValue, ra.DefaultValue)
		}
	}
	for _, ra := range rargs {
		if ra.Type.NonNull && ra.DefaultValue == nil && args.ForName(ra.Name) == nil {
			t.Errorf("%s(%s): required argument of the reference is missing", where, ra.Name)
		}
	}
}

func subsetSameDefault(a, b *ast.Value) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.String() == b.String()
}

func subsetContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
