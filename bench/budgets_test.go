package main

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

func loadTestBudgets(t *testing.T) Budgets {
	t.Helper()
	b, err := loadBudgets("budgets.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fullResults is a run where every figure sits exactly on its budget.
func fullResults() *Results {
	r := &Results{
		Size: &SizeResult{Widget: Bundle{Brotli: 105}, Floor: Bundle{Brotli: 100}},
		Start: &StartResult{Pages: map[string][]StartRun{
			// cold: widget 150 vs floor 100 (1.5×) and JS 37.5 (4×); warm: 100 vs JS 50 (2×)
			WidgetSame:  {{Cold: 140, Warm: 90}, {Cold: 150, Warm: 100}, {Cold: 900, Warm: 900}},
			WidgetCross: {{Cold: 150, Warm: 100}},
			FloorPage:   {{Cold: 100, Warm: 80}},
			JSSame:      {{Cold: 37.5, Warm: 50}},
			JSCross:     {{Cold: 37.5, Warm: 50}},
		}},
		Flood: &FloodResult{Limit: 100, Widget: []FloodRun{
			{Rate: 2000, FrameP95: 20, PushPaintP95: 50, MaxShown: 100, MaxElements: 110, RestElements: 100},
		}},
		Steady: &SteadyResult{Widget: []SteadyRun{{Posted: 20000, Painted: 20000}}},
		Soak: &SoakResult{Widget: []SoakRun{{
			At:  Memory{JSHeap: 1e6, Wasm: 10e6},
			End: Memory{JSHeap: 3e6, Wasm: 14e6},
		}}},
		// 3 s of 32 s against 2.5 s (1.2×), 512 messages each.
		Lively: &LivelyResult{Widget: []LivelyRun{{Posted: 512, Seconds: 32, Busy: 3}}, JS: []LivelyRun{{Posted: 512, Seconds: 32, Busy: 2.5}}},
		Queries: &QueriesResult{
			Rest:    map[string][]float64{EmbedCross: {2}, WidgetCross: {6}},
			Deletes: map[string][]Stalled{WidgetCross: {{Seconds: 7}, {Seconds: 3}}, EmbedCross: {{Seconds: 6}}},
		},
		// 3·2⁻¹² (0.073 %) against 2⁻¹¹: 1.5×.
		Idle:  &IdleResult{Widget: []float64{0.000732421875}, JS: []float64{0.00048828125}},
		Stall: &StallResult{Cap: 120, Widget: []Stalled{{Seconds: 40}}},
	}
	return r
}

func verdicts(t *testing.T, r *Results) map[string]Verdict {
	t.Helper()
	out := map[string]Verdict{}
	for _, v := range Evaluate(r.Metrics(), loadTestBudgets(t)) {
		out[v.Check.Metric] = v
	}
	return out
}

func TestEveryBudgetNamesAFigure(t *testing.T) {
	ms := fullResults().Metrics()
	for _, c := range loadTestBudgets(t).Checks {
		if _, ok := ms[c.Metric]; !ok {
			t.Errorf("budgets.json checks %s, which the harness does not produce", c.Metric)
		}
		if units[c.Metric] == "" {
			t.Errorf("%s has no unit for the table", c.Metric)
		}
	}
	for k := range ms {
		if units[k] == "" {
			t.Errorf("figure %s has no unit for the table", k)
		}
	}
}

// The budgets are the issue's; a change here must be a decision, never a
// way to turn a row green.
func TestBudgetsAreTheIssues(t *testing.T) {
	want := map[string]string{
		"size.brotli_vs_floor": "max 1.05", "cold.same_vs_floor": "max 1.5", "cold.cross_vs_floor": "max 1.5",
		"cold.same_vs_js": "max 4", "cold.cross_vs_js": "max 4", "warm.same_vs_js": "max 2", "warm.cross_vs_js": "max 2",
		"flood.rate": "min 2000", "flood.frame_p95_ms": "max 20", "flood.push_paint_p95_ms": "max 50",
		"flood.shown_over_limit": "max 1", "flood.elements_over_rest": "max 1.1", "steady.painted_share": "min 1",
		"soak.js_heap_growth_mb": "max 2", "soak.wasm_growth_mb": "max 4",
		"lively.share_vs_js": "max 1.2", "lively.ms_per_msg_vs_js": "max 1.2",
		"queries.rest_embed_per_min": "max 2", "queries.rest_overlay_per_min": "max 6", "queries.delete_gone_s": "max 7",
		"idle.cpu_share": "max 0.001", "idle.vs_js": "max 1.5",
		"stall.noticed_s": "max 40",
	}
	got := map[string]string{}
	for _, c := range loadTestBudgets(t).Checks {
		var parts []string
		if c.Min != nil {
			parts = append(parts, "min "+fmtG(*c.Min))
		}
		if c.Max != nil {
			parts = append(parts, "max "+fmtG(*c.Max))
		}
		got[c.Metric] = strings.Join(parts, " ")
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("budget %s = %q, want %q", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("budgets.json has %d checks, want %d", len(got), len(want))
	}
}

func fmtG(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func TestOnTheBudgetPasses(t *testing.T) {
	for k, v := range verdicts(t, fullResults()) {
		if !v.Pass {
			t.Errorf("%s = %v: FAIL (%s), want pass on the budget", k, v.Metric.Value, v.Why)
		}
	}
	rows, pass := RowResults(Evaluate(fullResults().Metrics(), loadTestBudgets(t)))
	if want := []string{"size", "cold start", "warm start", "flood", "steady rate", "soak", "lively chat", "instance queries", "idle", "stall"}; strings.Join(rows, ",") != strings.Join(want, ",") {
		t.Errorf("rows %q, want %q", rows, want)
	}
	for _, row := range rows {
		if !pass[row] {
			t.Errorf("row %s FAIL, want pass", row)
		}
	}
}

func TestOverTheBudgetFails(t *testing.T) {
	cases := []struct {
		metric string
		break_ func(r *Results)
	}{
		{"size.brotli_vs_floor", func(r *Results) { r.Size.Widget.Brotli = 106 }},
		{"cold.same_vs_floor", func(r *Results) { r.Start.Pages[WidgetSame][1].Cold = 151; r.Start.Pages[JSSame][0].Cold = 38 }},
		{"cold.cross_vs_js", func(r *Results) { r.Start.Pages[JSCross][0].Cold = 37 }},
		{"cold.same_vs_js", func(r *Results) { r.Start.Pages[JSSame][0].Cold = 37 }},
		{"cold.cross_vs_floor", func(r *Results) { r.Start.Pages[WidgetCross][0].Cold = 151; r.Start.Pages[JSCross][0].Cold = 38 }},
		{"warm.same_vs_js", func(r *Results) { r.Start.Pages[WidgetSame][1].Warm = 101 }},
		{"warm.cross_vs_js", func(r *Results) { r.Start.Pages[WidgetCross][0].Warm = 101 }},
		{"flood.rate", func(r *Results) { r.Flood.Widget[0].Rate = 1999 }},
		{"flood.frame_p95_ms", func(r *Results) { r.Flood.Widget[0].FrameP95 = 20.1 }},
		{"flood.push_paint_p95_ms", func(r *Results) { r.Flood.Widget[0].PushPaintP95 = 51 }},
		{"flood.shown_over_limit", func(r *Results) { r.Flood.Widget[0].MaxShown = 101 }},
		{"flood.elements_over_rest", func(r *Results) { r.Flood.Widget[0].MaxElements = 111 }},
		{"steady.painted_share", func(r *Results) { r.Steady.Widget[0].Painted = 19999 }},
		{"soak.js_heap_growth_mb", func(r *Results) { r.Soak.Widget[0].End.JSHeap = 3.1e6 }},
		{"soak.wasm_growth_mb", func(r *Results) { r.Soak.Widget[0].End.Wasm = 14.1e6 }},
		{"lively.share_vs_js", func(r *Results) { r.Lively.Widget[0].Busy = 3.01 }},
		{"lively.ms_per_msg_vs_js", func(r *Results) { r.Lively.Widget[0].Posted = 511 }},
		{"lively.share_vs_js", func(r *Results) { r.Lively.JS = nil }},
		{"queries.rest_embed_per_min", func(r *Results) { r.Queries.Rest[EmbedCross][0] = 2.1 }},
		{"queries.rest_overlay_per_min", func(r *Results) { r.Queries.Rest[WidgetCross][0] = 6.1 }},
		{"queries.delete_gone_s", func(r *Results) { r.Queries.Deletes[EmbedCross][0].Seconds = 7.1 }},
		// A delete that never left the page proves nothing.
		{"queries.delete_gone_s", func(r *Results) { r.Queries.Deletes[WidgetCross][1] = Stalled{Seconds: 5, Censored: true} }},
		{"queries.delete_gone_s", func(r *Results) { r.Queries.Deletes = nil }},
		{"idle.cpu_share", func(r *Results) { r.Idle.Widget[0] = 0.0011 }},
		{"idle.cpu_share", func(r *Results) { r.Idle.Widget[0] = 0.011 }},
		{"idle.vs_js", func(r *Results) { r.Idle.JS[0] = 0.00048 }},
		{"stall.noticed_s", func(r *Results) { r.Stall.Widget[0].Seconds = 40.5 }},
		// A wait that hit its cap proves nothing under a max.
		{"stall.noticed_s", func(r *Results) { r.Stall.Widget[0] = Stalled{Seconds: 30, Censored: true} }},
		// Not measured is a FAIL.
		{"flood.rate", func(r *Results) { r.Flood = nil }},
		{"idle.cpu_share", func(r *Results) { r.Idle.Widget = nil }},
		{"cold.same_vs_js", func(r *Results) { r.Start.Pages[JSSame][0].Cold = math.NaN() }},
	}
	for _, c := range cases {
		r := fullResults()
		c.break_(r)
		vs := verdicts(t, r)
		if v := vs[c.metric]; v.Pass {
			t.Errorf("%s = %v: pass, want FAIL", c.metric, v.Metric.Value)
		}
		rows, pass := RowResults(Evaluate(r.Metrics(), loadTestBudgets(t)))
		failed := 0
		for _, row := range rows {
			if !pass[row] {
				failed++
			}
		}
		if failed != 1 {
			t.Errorf("breaking %s failed %d rows, want 1", c.metric, failed)
		}
	}
}

// make bench exits 1 on a FAIL or a failed scenario, else 0.
func TestExitCode(t *testing.T) {
	b := loadTestBudgets(t)
	if got := exitCode(Evaluate(fullResults().Metrics(), b), nil); got != 0 {
		t.Errorf("every row passing: exit %d, want 0", got)
	}
	if got := exitCode(Evaluate(fullResults().Metrics(), b), []string{"soak: tab crashed"}); got != 1 {
		t.Errorf("a scenario failed: exit %d, want 1", got)
	}
	r := fullResults()
	r.Idle.Widget[0] = 0.5
	if got := exitCode(Evaluate(r.Metrics(), b), nil); got != 1 {
		t.Errorf("a FAIL: exit %d, want 1", got)
	}
}

func TestMedians(t *testing.T) {
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("median = %v, want 2", got)
	}
	if got := median([]float64{4, 1, 2, 3}); got != 2.5 {
		t.Errorf("median = %v, want 2.5", got)
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median of nothing is not NaN")
	}
	if got := percentile([]float64{1, 2, 3, 4, 5}, 0.95); math.Abs(got-4.8) > 1e-9 {
		t.Errorf("p95 = %v, want 4.8", got)
	}
	m := medianStalled([]Stalled{{Seconds: 50}, {Seconds: 120, Censored: true}, {Seconds: 40}})
	if m.Value != 50 || m.Censored {
		t.Errorf("median stall = %+v, want 50 s", m)
	}
	m = medianStalled([]Stalled{{Seconds: 120, Censored: true}, {Seconds: 120, Censored: true}, {Seconds: 40}})
	if m.Value != 120 || !m.Censored {
		t.Errorf("median stall = %+v, want > 120 s", m)
	}
}
