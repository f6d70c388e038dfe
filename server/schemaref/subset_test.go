package schemaref

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// subsetRecorder collects what CheckSubset reports instead of failing the test.
type subsetRecorder struct {
	testing.TB
	mu   sync.Mutex
	msgs []string
}

func (r *subsetRecorder) Helper() {}
func (r *subsetRecorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}
func (r *subsetRecorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
}

const subsetRefSDL = `
schema { query: RootQueryType mutation: RootMutationType }
type RootQueryType { channel(id: ID, streamerId: Int): Channel  user(id: Int): User }
type RootMutationType { send(channelId: ID!, message: In!): Channel }
input In { message: String  need: Int! }
interface Tok { text: String }
type T implements Tok { text: String }
enum Status { LIVE OFFLINE }
type Channel { id: ID  status: Status  streamer: User!  list(first: Int = 10): [User] }
type User { id: ID!  name: String! }
`

func loadSubsetRef(t *testing.T) *ast.Schema {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "ref", Input: subsetRefSDL})
	if err != nil {
		t.Fatalf("parse reference: %v", err)
	}
	return s
}

func checkSubsetSDL(t *testing.T, sdl string) []string {
	t.Helper()
	r := &subsetRecorder{TB: t}
	CheckSubset(r, loadSubsetRef(t), sdl)
	return r.msgs
}

func TestCheckSubsetAcceptsSubset(t *testing.T) {
	msgs := checkSubsetSDL(t, `
schema { query: RootQueryType mutation: RootMutationType }
type RootQueryType { channel(id: ID): Channel }
type RootMutationType { send(channelId: ID!, message: In!): Channel }
input In { need: Int! }
interface Tok { text: String }
type T implements Tok { text: String }
enum Status { LIVE }
type Channel { id: ID  status: Status  streamer: User!  list(first: Int = 10): [User] }
type User { id: ID! }
`)
	if len(msgs) != 0 {
		t.Fatalf("a true subset was reported: %q", msgs)
	}
}

func TestCheckSubsetReportsEveryMismatch(t *testing.T) {
	msgs := checkSubsetSDL(t, `
schema { query: Query mutation: RootMutationType }
type Query { channel(id: Int, extra: String): Channel }
type RootMutationType { send(message: In!): Channel }
input In { message: String }
interface Tok { text: String }
type T implements Tok { text: String! }
enum Status { LIVE GONE }
type Channel { id: ID!  streamer: User  title: String  list(first: Int = 5): [User] }
type User { id: ID! }
type Extra { x: Int }
scalar Mystery
`)
	want := []string{
		"query root is Query, the reference calls it RootQueryType",
		"type Query: not in the reference schema",
		"T.text: type String!, reference has String",
		"enum Status: value GONE is not in the reference",
		"Channel.id: type ID!, reference has ID",
		"Channel.streamer: type User, reference has User!",
		"Channel.title: field is not in the reference",
		"Channel.list(first): default 5, reference has 10",
		"RootMutationType.send(channelId): required argument of the reference is missing",
		"In.need: required input field of the reference is missing",
		"type Extra: not in the reference schema",
		"type Mystery: not in the reference schema",
	}
	all := strings.Join(msgs, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("missing report %q in:\n%s", w, all)
		}
	}
}

func TestCheckSubsetReportsArgumentTypes(t *testing.T) {
	// Query keeps its name here so the argument checks are reached.
	msgs := checkSubsetSDL(t, `
schema { query: RootQueryType }
type RootQueryType { channel(id: Int, extra: String): Channel }
type Channel { id: ID }
`)
	all := strings.Join(msgs, "\n")
	for _, w := range []string{
		"RootQueryType.channel(id): type Int, reference has ID",
		"RootQueryType.channel(extra): argument is not in the reference",
	} {
		if !strings.Contains(all, w) {
			t.Errorf("missing report %q in:\n%s", w, all)
		}
	}
}

func TestCheckSubsetKindAndParse(t *testing.T) {
	msgs := checkSubsetSDL(t, `
schema { query: RootQueryType }
type RootQueryType { channel: Channel }
enum Channel { ID }
`)
	if !strings.Contains(strings.Join(msgs, "\n"), "type Channel: kind ENUM, reference has OBJECT") {
		t.Errorf("kind mismatch not reported: %q", msgs)
	}
	msgs = checkSubsetSDL(t, `type {`)
	if len(msgs) != 1 || !strings.Contains(msgs[0], "parse subset schema") {
		t.Errorf("unparsable SDL: got %q", msgs)
	}
}
