package demo

import (
	"encoding/base64"
	"fmt"
	"testing"

	graphql "github.com/graph-gophers/graphql-go"
)

func nullInt(v int) graphql.NullInt {
	n := int32(v)
	return graphql.NullInt{Value: &n, Set: true}
}

func cursor(i int) *string {
	c := offsetToCursor(i)
	return &c
}

func TestPaginate(t *testing.T) {
	cases := []struct {
		name  string
		total int
		args  pageArgs
		want  page
	}{
		{"default first 100", 150, pageArgs{}, page{0, 100, false, true}},
		{"first", 150, pageArgs{First: nullInt(10)}, page{0, 10, false, true}},
		{"first all", 5, pageArgs{First: nullInt(10)}, page{0, 5, false, false}},
		{"first exact", 10, pageArgs{First: nullInt(10)}, page{0, 10, false, false}},
		{"first after", 150, pageArgs{First: nullInt(10), After: cursor(9)}, page{10, 10, true, true}},
		{"after the end", 150, pageArgs{First: nullInt(10), After: cursor(149)}, page{150, 0, true, false}},
		{"first wins over last", 150, pageArgs{First: nullInt(3), Last: nullInt(7)}, page{0, 3, false, true}},
		{"last", 150, pageArgs{Last: nullInt(10)}, page{140, 10, true, false}},
		{"last more than all", 5, pageArgs{Last: nullInt(10)}, page{0, 5, false, false}},
		{"last before", 150, pageArgs{Last: nullInt(10), Before: cursor(140)}, page{130, 10, true, true}},
		// absinthe_relay: near the start the page shrinks to the before offset.
		{"last before near start", 150, pageArgs{Last: nullInt(10), Before: cursor(4)}, page{0, 4, false, true}},
		{"clamp first", 5000, pageArgs{First: nullInt(5000)}, page{0, 1000, false, true}},
		{"clamp last", 5000, pageArgs{Last: nullInt(5000)}, page{4000, 1000, true, false}},
		{"first zero", 150, pageArgs{First: nullInt(0)}, page{0, 0, false, true}},
		{"after wins over before", 150, pageArgs{First: nullInt(2), After: cursor(5), Before: cursor(1)}, page{6, 2, true, true}},
	}
	for _, c := range cases {
		got, err := paginate(0, c.total, c.args)
		if err != nil || got != c.want {
			t.Errorf("%s: got %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
	bad := "bm9wZQ==" // "nope"
	for name, args := range map[string]pageArgs{
		"You must either supply `:first` or `:last`":   {First: graphql.NullInt{Set: true}},
		"Invalid cursor provided as `after` argument":  {First: nullInt(1), After: &bad},
		"Invalid cursor provided as `before` argument": {Last: nullInt(1), Before: &bad},
	} {
		if _, err := paginate(0, 10, args); err == nil || err.Error() != name {
			t.Errorf("want error %q, got %v", name, err)
		}
	}
	if _, err := paginate(0, 10, pageArgs{First: nullInt(-1)}); err == nil {
		t.Errorf("a negative first must fail")
	}
}

func TestCursors(t *testing.T) {
	if got := offsetToCursor(4); got != "YXJyYXljb25uZWN0aW9uOjQ=" {
		t.Errorf("cursor(4) = %s", got)
	}
	for in, want := range map[string]int{
		"YXJyYXljb25uZWN0aW9uOjQ=": 4,
		base64.StdEncoding.EncodeToString([]byte("arrayconnection:12abc")): 12,
	} {
		if got, ok := cursorToOffset(in); !ok || got != want {
			t.Errorf("cursorToOffset(%s) = %d %v", in, got, ok)
		}
	}
	for _, in := range []string{"YXJyYXljb25uZWN0aW9uOjQ", "!!", base64.StdEncoding.EncodeToString([]byte("other:4")), base64.StdEncoding.EncodeToString([]byte("arrayconnection:x"))} {
		if _, ok := cursorToOffset(in); ok {
			t.Errorf("cursorToOffset(%q) accepted", in)
		}
	}
}

func TestPaginationOverHTTP(t *testing.T) {
	h := newHarness(t, Options{})
	q := `query($f: Int, $l: Int, $a: String, $b: String){ channel(id: 6){ chatMessages(first: $f, last: $l, after: $a, before: $b){
		count edges { cursor node { id } } pageInfo { hasPreviousPage hasNextPage startCursor endCursor } } } }`
	page := func(vars map[string]any) map[string]any {
		r := h.gql(t, clientAuth(), q, vars)
		if r.body["errors"] != nil {
			t.Fatalf("%v: %s", vars, r.raw)
		}
		return at(t, r.body, "data", "channel", "chatMessages").(map[string]any)
	}
	// No first or last argument: the default first 100.
	r0 := h.gql(t, clientAuth(), `{ channel(id: 6){ chatMessages { count edges { cursor node { id } } pageInfo { hasPreviousPage hasNextPage startCursor endCursor } } } }`, nil)
	all := at(t, r0.body, "data", "channel", "chatMessages").(map[string]any)
	edges := all["edges"].([]any)
	if all["count"] != float64(100) || len(edges) != 100 {
		t.Fatalf("default page: count %v, %d edges", all["count"], len(edges))
	}
	prev := 0
	for i, e := range edges {
		var id int
		fmt.Sscan(at(t, e, "node", "id").(string), &id)
		if id <= prev {
			t.Fatalf("edge %d id %d not ascending after %d", i, id, prev)
		}
		prev = id
		if at(t, e, "cursor") != offsetToCursor(i) {
			t.Errorf("edge %d cursor %v", i, at(t, e, "cursor"))
		}
	}
	pi := all["pageInfo"].(map[string]any)
	if pi["hasNextPage"] != true || pi["hasPreviousPage"] != false || pi["startCursor"] != offsetToCursor(0) || pi["endCursor"] != offsetToCursor(99) {
		t.Errorf("pageInfo %v", pi)
	}
	// Older page with last/before from the newest page's startCursor.
	newest := page(map[string]any{"l": 50})
	start := newest["pageInfo"].(map[string]any)["startCursor"].(string)
	older := page(map[string]any{"l": 50, "b": start})
	if older["count"] != float64(50) || at(t, older, "edges", 49, "cursor") != offsetToCursor(99) {
		t.Errorf("older page: count %v last cursor %v", older["count"], at(t, older, "edges", 49, "cursor"))
	}
	// count is the page size, not a total.
	if c := page(map[string]any{"f": 3, "a": offsetToCursor(10)})["count"]; c != float64(3) {
		t.Errorf("count = %v", c)
	}
	// More than 1000 messages: first 5000 is clamped to 1000.
	for i := range 1000 {
		if _, err := h.inst.Post("demo", "ViewerVic", fmt.Sprint("flood ", i)); err != nil {
			t.Fatal(err)
		}
	}
	if c := page(map[string]any{"f": 5000})["count"]; c != float64(1000) {
		t.Errorf("clamped count = %v", c)
	}
	last := page(map[string]any{"l": 1})
	if at(t, last, "edges", 0, "cursor") != offsetToCursor(1149) {
		t.Errorf("last edge cursor %v", at(t, last, "edges", 0, "cursor"))
	}
	r := h.gql(t, clientAuth(), q, map[string]any{"f": 1, "a": "garbage"})
	wantOneError(t, r, "Invalid cursor provided as `after` argument")
	// first and last both null count as given, as in Absinthe: no default.
	r = h.gql(t, clientAuth(), q, map[string]any{"f": nil, "l": nil})
	wantOneError(t, r, "You must either supply `:first` or `:last`")
}
