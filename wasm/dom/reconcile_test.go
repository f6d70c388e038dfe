package dom

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"testing"
)

func TestPlan(t *testing.T) {
	cases := []struct {
		name        string
		shown, want []string
		edits       Edits
	}{
		{"empty", nil, nil, Edits{}},
		{"append batch", []string{"1"}, []string{"1", "2", "3"}, Edits{Insert: []Insert{{-1, "<2><3>", 2}}}},
		{"prune and append", []string{"1", "2"}, []string{"2", "3"}, Edits{Remove: []int{0}, Insert: []Insert{{-1, "<3>", 1}}}},
		{"insert in middle", []string{"1", "4"}, []string{"1", "2", "3", "4"}, Edits{Insert: []Insert{{1, "<2><3>", 2}}}},
		{"insert at front", []string{"5"}, []string{"3", "5"}, Edits{Insert: []Insert{{0, "<3>", 1}}}},
		{"replace all", []string{"1", "2"}, []string{"7", "8"}, Edits{Remove: []int{1, 0}, Insert: []Insert{{-1, "<7><8>", 2}}}},
		{"unchanged", []string{"1", "2"}, []string{"1", "2"}, Edits{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Plan(c.shown, c.want, func(i int) string { return "<" + c.want[i] + ">" })
			if !reflect.DeepEqual(got, c.edits) {
				t.Fatalf("Plan(%v, %v) = %+v, want %+v", c.shown, c.want, got, c.edits)
			}
		})
	}
}

// apply plays edits on a slice the way the browser plays them on children.
func apply(children []string, e Edits) []string {
	out := slices.Clone(children)
	for _, i := range e.Remove {
		out = slices.Delete(out, i, i+1)
	}
	for _, ins := range e.Insert {
		var items []string
		for _, s := range splitItems(ins.HTML) {
			items = append(items, s)
		}
		if ins.At < 0 {
			out = append(out, items...)
		} else {
			out = slices.Insert(out, ins.At, items...)
		}
	}
	return out
}

func splitItems(html string) []string {
	var items []string
	for len(html) > 0 {
		end := 0
		for html[end] != '>' {
			end++
		}
		items = append(items, html[1:end])
		html = html[end+1:]
	}
	return items
}

func TestPlanRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pick := func() []string {
		var ids []string
		for i := range 30 {
			if r.IntN(2) == 0 {
				ids = append(ids, strconv.Itoa(i))
			}
		}
		return ids
	}
	for range 500 {
		shown, want := pick(), pick()
		got := apply(shown, Plan(shown, want, func(i int) string { return "<" + want[i] + ">" }))
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("shown %v want %v: edits produce %v", shown, want, got)
		}
	}
}

func TestPlanRendersOnlyNew(t *testing.T) {
	var rendered []int
	Plan([]string{"1", "2"}, []string{"1", "2", "3"}, func(i int) string {
		rendered = append(rendered, i)
		return ""
	})
	if !reflect.DeepEqual(rendered, []int{2}) {
		t.Fatalf("rendered %v, want only index 2", rendered)
	}
}

func BenchmarkPlanAppendOne(b *testing.B) {
	shown := make([]string, 100)
	for i := range shown {
		shown[i] = strconv.Itoa(1000 + i)
	}
	want := append(slices.Clone(shown[1:]), "2000")
	b.ReportAllocs()
	for b.Loop() {
		Plan(shown, want, func(int) string { return "<li></li>" })
	}
}

func TestRuns(t *testing.T) {
	for _, tc := range []struct {
		desc []int
		want []Run
	}{
		{nil, nil},
		{[]int{3}, []Run{{3, 3}}},
		{[]int{4, 3, 2, 1, 0}, []Run{{0, 4}}},
		{[]int{9, 8, 5, 3, 2}, []Run{{8, 9}, {5, 5}, {2, 3}}},
	} {
		if got := Runs(tc.desc); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Runs(%v) = %v, want %v", tc.desc, got, tc.want)
		}
	}
}
