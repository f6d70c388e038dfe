package demo

import (
	"testing"

	"github.com/glimchat/glimchat/server/schemaref"
)

// The embedded schema must be a strict subset of the real one.
func TestSchemaIsSubsetOfReference(t *testing.T) {
	ref := schemaref.Load(t)
	schemaref.CheckSubset(t, ref, schemaSDL)
}

func TestIntrospectionEnabled(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.gql(t, clientAuth(), `{ __schema { queryType { name } mutationType { name } subscriptionType { name } } __type(name: "EmoteToken") { interfaces { name } } }`, nil)
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	for path, want := range map[[2]string]string{
		{"queryType", "name"}:        "RootQueryType",
		{"mutationType", "name"}:     "RootMutationType",
		{"subscriptionType", "name"}: "RootSubscriptionType",
	} {
		if got := at(t, r.body, "data", "__schema", path[0], path[1]); got != want {
			t.Errorf("%v = %v, want %s", path, got, want)
		}
	}
	if got := at(t, r.body, "data", "__type", "interfaces", 0, "name"); got != "ChatMessageToken" {
		t.Errorf("EmoteToken implements %v", got)
	}
}
