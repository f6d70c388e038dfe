package main

import (
	"context"
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

// TestBenchSmoke runs the whole harness with tiny sizes and one repetition
// (SmokePlan), so that `make test` keeps it from rotting: every scenario
// runs, every budgeted figure is produced and the table and the JSON are
// written. It never looks at the timings. It needs `make build` (the
// glimchat binary and web/dist) and chromium, as server/e2e does.
func TestBenchSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("drives chromium")
	}
	paths := newPaths("..")
	paths.Out = t.TempDir()
	for _, need := range []string{paths.Glimchat, paths.Dist + "/overlay.html"} {
		if _, err := os.Stat(need); err != nil {
			t.Fatalf("%v: run make build first", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var log strings.Builder
	r, err := Run(ctx, paths, SmokePlan, &log)
	t.Logf("harness log:\n%s", log.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range r.Errors {
		t.Errorf("scenario failed: %s", e)
	}
	budgets := loadTestBudgets(t)
	ms := r.Metrics()
	for _, c := range budgets.Checks {
		if m, ok := ms[c.Metric]; !ok || math.IsNaN(m.Value) {
			t.Errorf("row %s: %s was not measured", c.Row, c.Metric)
		}
	}
	vs := Evaluate(ms, budgets)
	var out strings.Builder
	printTable(&out, r, vs)
	t.Logf("table (smoke sizes: the figures mean nothing):\n%s", out.String())
	rows, _ := RowResults(vs)
	for _, row := range rows {
		if !strings.Contains(out.String(), "\n"+row+" ") {
			t.Errorf("the table has no row %q", row)
		}
	}
	if _, err := save(paths.Out, r, vs); err != nil {
		t.Fatal(err)
	}
}
