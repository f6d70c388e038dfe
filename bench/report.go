package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// units of the budgeted figures, for the table.
var units = map[string]string{
	"size.brotli_vs_floor":         "x",
	"cold.same_vs_floor":           "x",
	"cold.cross_vs_floor":          "x",
	"cold.same_vs_js":              "x",
	"cold.cross_vs_js":             "x",
	"warm.same_vs_js":              "x",
	"warm.cross_vs_js":             "x",
	"flood.rate":                   "msg/s",
	"flood.frame_p95_ms":           "ms",
	"flood.push_paint_p95_ms":      "ms",
	"flood.shown_over_limit":       "x",
	"flood.elements_over_rest":     "x",
	"steady.painted_share":         "%",
	"soak.js_heap_growth_mb":       "MB",
	"soak.wasm_growth_mb":          "MB",
	"lively.share_vs_js":           "x",
	"lively.ms_per_msg_vs_js":      "x",
	"queries.rest_embed_per_min":   "/min",
	"queries.rest_overlay_per_min": "/min",
	"queries.delete_gone_s":        "s",
	"idle.cpu_share":               "%",
	"idle.vs_js":                   "x",
	"stall.noticed_s":              "s",
}

func format(v float64, unit string) string {
	if math.IsNaN(v) {
		return "–"
	}
	switch unit {
	case "x":
		return fmt.Sprintf("%.2f×", v)
	case "%":
		if v >= 0.995 {
			return fmt.Sprintf("%.1f %%", v*100)
		}
		return fmt.Sprintf("%.2f %%", v*100)
	case "MB":
		return fmt.Sprintf("%.2f MB", v)
	case "ms":
		return ms(v)
	case "s":
		return fmt.Sprintf("%.1f s", v)
	case "msg/s":
		return fmt.Sprintf("%.0f msg/s", v)
	case "/min":
		return fmt.Sprintf("%.2f /min", v)
	}
	return fmt.Sprintf("%.3g %s", v, unit)
}

func ms(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	if v >= 100 {
		return fmt.Sprintf("%.0f ms", v)
	}
	return fmt.Sprintf("%.1f ms", v)
}

func mbytes(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/mb) }

// line is one line of the table. key names the budgeted figure it shows
// (the ratio or the widget's value), "" for a line shown for information.
type line struct {
	row, measure, widget, baseline, key string
}

// lines describes r for the table, row by row, in the order of the issue.
func (r *Results) lines() []line {
	var out []line
	add := func(row, measure, widget, baseline, key string) {
		out = append(out, line{row, measure, widget, baseline, key})
	}
	if s := r.Size; s != nil {
		add("size", "brotli: page + css + js + wasm_exec + wasm", mbytes(s.Widget.Brotli), "floor "+mbytes(s.Floor.Brotli), "size.brotli_vs_floor")
		add("size", "raw / gzip", mbytes(s.Widget.Raw)+" / "+mbytes(s.Widget.Gzip),
			"floor "+mbytes(s.Floor.Raw)+" / "+mbytes(s.Floor.Gzip), "")
		add("size", "JS baseline raw / gzip / brotli", "", fmt.Sprintf("%d / %d / %d B", s.JS.Raw, s.JS.Gzip, s.JS.Brotli), "")
	}
	if s := r.Start; s != nil {
		for _, c := range []struct{ page, base, key string }{
			{WidgetSame, FloorPage, "cold.same_vs_floor"},
			{WidgetCross, FloorPage, "cold.cross_vs_floor"},
			{WidgetSame, JSSame, "cold.same_vs_js"},
			{WidgetCross, JSCross, "cold.cross_vs_js"},
		} {
			add("cold start", "nav → first message, "+strings.TrimPrefix(c.page, "widget ")+" vs "+c.base,
				ms(s.cold(c.page)), c.base+" "+ms(s.cold(c.base)), c.key)
		}
		for _, c := range []struct{ page, base, key string }{
			{WidgetSame, JSSame, "warm.same_vs_js"},
			{WidgetCross, JSCross, "warm.cross_vs_js"},
		} {
			add("warm start", "reload, warm cache, "+strings.TrimPrefix(c.page, "widget ")+" vs "+c.base,
				ms(s.warm(c.page)), c.base+" "+ms(s.warm(c.base)), c.key)
		}
		add("warm start", "floor, for reference", "", FloorPage+" "+ms(s.warm(FloorPage)), "")
	}
	if f := r.Flood; f != nil {
		med := func(runs []FloodRun, get func(FloodRun) float64) float64 { return median(collect(runs, get)) }
		n := 0
		if len(f.Widget) > 0 {
			n = f.Widget[0].Messages
		}
		add("flood", fmt.Sprintf("%d msgs into limit=%d, rendered", n, f.Limit),
			format(med(f.Widget, func(x FloodRun) float64 { return x.Rate }), "msg/s"),
			"JS "+format(med(f.JS, func(x FloodRun) float64 { return x.Rate }), "msg/s"), "flood.rate")
		add("flood", "frame time p95 (max)",
			ms(med(f.Widget, func(x FloodRun) float64 { return x.FrameP95 }))+" ("+ms(med(f.Widget, func(x FloodRun) float64 { return x.FrameMax }))+")",
			"JS "+ms(med(f.JS, func(x FloodRun) float64 { return x.FrameP95 }))+" ("+ms(med(f.JS, func(x FloodRun) float64 { return x.FrameMax }))+")",
			"flood.frame_p95_ms")
		add("flood", "push → paint p95 (p50)",
			ms(med(f.Widget, func(x FloodRun) float64 { return x.PushPaintP95 }))+" ("+ms(med(f.Widget, func(x FloodRun) float64 { return x.PushPaintP50 }))+")",
			"JS "+ms(med(f.JS, func(x FloodRun) float64 { return x.PushPaintP95 }))+" ("+ms(med(f.JS, func(x FloodRun) float64 { return x.PushPaintP50 }))+")",
			"flood.push_paint_p95_ms")
		add("flood", "most messages shown ÷ limit",
			fmt.Sprintf("%.0f", maxOf(collect(f.Widget, func(x FloodRun) float64 { return float64(x.MaxShown) }))),
			fmt.Sprintf("JS %.0f", maxOf(collect(f.JS, func(x FloodRun) float64 { return float64(x.MaxShown) }))), "flood.shown_over_limit")
		add("flood", "most DOM elements ÷ at rest after",
			fmt.Sprintf("%.0f / %.0f", maxOf(collect(f.Widget, func(x FloodRun) float64 { return float64(x.MaxElements) })),
				med(f.Widget, func(x FloodRun) float64 { return float64(x.RestElements) })),
			fmt.Sprintf("JS %.0f / %.0f", maxOf(collect(f.JS, func(x FloodRun) float64 { return float64(x.MaxElements) })),
				med(f.JS, func(x FloodRun) float64 { return float64(x.RestElements) })), "flood.elements_over_rest")
		add("flood", "painted (others pruned unseen); post → paint p50",
			fmt.Sprintf("%.0f; %s", med(f.Widget, func(x FloodRun) float64 { return float64(x.Painted) }), ms(med(f.Widget, func(x FloodRun) float64 { return x.PostPaintP50 }))),
			fmt.Sprintf("JS %.0f; %s", med(f.JS, func(x FloodRun) float64 { return float64(x.Painted) }), ms(med(f.JS, func(x FloodRun) float64 { return x.PostPaintP50 }))), "")
	}
	if s := r.Steady; s != nil {
		rate := median(collect(s.Widget, func(x SteadyRun) float64 { return x.Rate }))
		add("steady rate", fmt.Sprintf("%.0f msg/s (%.0f achieved) for %s, share painted", r.Meta.Plan.SteadyRate, rate, r.Meta.Plan.SteadyFor),
			format(median(collect(s.Widget, SteadyRun.share)), "%"),
			"JS "+format(median(collect(s.JS, SteadyRun.share)), "%"), "steady.painted_share")
		add("steady rate", "frame time p95",
			ms(median(collect(s.Widget, func(x SteadyRun) float64 { return x.FrameP95 }))),
			"JS "+ms(median(collect(s.JS, func(x SteadyRun) float64 { return x.FrameP95 }))), "")
	}
	if s := r.Soak; s != nil {
		med := func(runs []SoakRun, get func(SoakRun) float64) float64 { return median(collect(runs, get)) }
		growth := func(runs []SoakRun, get func(Memory) float64) string {
			return fmt.Sprintf("%+.2f MB", med(runs, func(x SoakRun) float64 { return (get(x.End) - get(x.At)) / mb }))
		}
		js := func(m Memory) float64 { return m.JSHeap }
		wasm := func(m Memory) float64 { return m.Wasm }
		span := fmt.Sprintf("%dk → %dk", s.At/1000, s.End/1000)
		if s.At < 1000 {
			span = fmt.Sprintf("%d → %d", s.At, s.End)
		}
		add("soak", "JS heap growth, "+span, growth(s.Widget, js), "JS "+growth(s.JS, js), "soak.js_heap_growth_mb")
		add("soak", "wasm memory growth, "+span, growth(s.Widget, wasm), "", "soak.wasm_growth_mb")
		at := func(runs []SoakRun, end bool) string {
			pick := func(x SoakRun) Memory {
				if end {
					return x.End
				}
				return x.At
			}
			return fmt.Sprintf("%.1f / %.1f MB / %.0f",
				med(runs, func(x SoakRun) float64 { return pick(x).JSHeap / mb }),
				med(runs, func(x SoakRun) float64 { return pick(x).Wasm / mb }),
				med(runs, func(x SoakRun) float64 { return float64(pick(x).DOMNodes) }))
		}
		add("soak", "JS heap / wasm / DOM nodes at the first checkpoint", at(s.Widget, false), "JS "+at(s.JS, false), "")
		add("soak", "the same at the last", at(s.Widget, true), "JS "+at(s.JS, true), "")
	}
	for _, l := range []*LivelyResult{r.Lively, r.LivelyFast} {
		if l == nil {
			continue
		}
		w, js := l.shares()
		wm, jsm := l.msPerMessage()
		if l == r.Lively {
			add("lively chat", fmt.Sprintf("%.0f msg/s for %.0f s into limit=%d, main thread busy (share of one core)", l.Rate, l.Seconds, l.Limit),
				format(w, "%"), "JS "+format(js, "%"), "lively.share_vs_js")
			add("lively chat", "main thread CPU per message", ms(wm), "JS "+ms(jsm), "lively.ms_per_msg_vs_js")
			continue
		}
		add("lively chat", fmt.Sprintf("%.0f msg/s: share of one core; CPU per message (ratios)", l.Rate),
			fmt.Sprintf("%s; %s (%s; %s)", format(w, "%"), ms(wm), format(ratio(w, js), "x"), format(ratio(wm, jsm), "x")),
			fmt.Sprintf("JS %s; %s", format(js, "%"), ms(jsm)), "")
	}
	if q := r.Queries; q != nil {
		rest := func(page string) string { return format(median(q.Rest[page]), "/min") }
		chat := func(page string) string { return format(median(q.Chat[page]), "/min") }
		span := fmt.Sprintf("%.0f min of page time (clocks ×%.0f)", q.RestMinutes, q.Warp)
		if q.RestMinutes < 1 {
			span = fmt.Sprintf("%.0f s of page time (clocks ×%.0f)", q.RestMinutes*60, q.Warp)
		}
		add("instance queries", "at rest, "+span+", embed page", rest(EmbedCross), "JS "+rest(JSCross), "queries.rest_embed_per_min")
		add("instance queries", "at rest, overlay", rest(WidgetCross), "JS "+rest(JSCross), "queries.rest_overlay_per_min")
		add("instance queries", fmt.Sprintf("during a %.0f msg/s chat, overlay / embed", q.ChatRate),
			chat(WidgetCross)+" / "+chat(EmbedCross), "JS "+chat(JSCross), "")
		gone := func(pages ...string) string {
			m := q.worstDelete(pages...)
			var all []float64
			for _, p := range pages {
				all = append(all, collect(q.Deletes[p], func(s Stalled) float64 { return s.Seconds })...)
			}
			w := format(m.Value, "s")
			if m.Censored {
				w = "> " + w
			}
			return fmt.Sprintf("%s (median %s)", w, format(median(all), "s"))
		}
		add("instance queries", fmt.Sprintf("%d deletes in that chat: gone from the page after, worst (median)", q.DeleteCount),
			gone(WidgetCross, EmbedCross), "JS "+gone(JSCross), "queries.delete_gone_s")
	}
	if s := r.Idle; s != nil {
		add("idle", fmt.Sprintf("main thread busy, %.0f s without chat", s.Seconds),
			format(median(s.Widget), "%"), "JS "+format(median(s.JS), "%"), "idle.cpu_share")
		add("idle", "widget ÷ JS baseline", "", "", "idle.vs_js")
	}
	if s := r.Stall; s != nil {
		show := func(ss []Stalled) string {
			m := medianStalled(ss)
			if m.Censored {
				return "> " + format(m.Value, "s")
			}
			return format(m.Value, "s")
		}
		add("stall", "half-open socket noticed after", show(s.Widget), "JS "+show(s.JS), "stall.noticed_s")
	}
	return out
}

// table renders the lines with their verdicts: one line per figure, the
// budgeted ones with their budget and pass or FAIL, then the row verdicts.
func table(r *Results, vs []Verdict) [][]string {
	byKey := map[string]Verdict{}
	for _, v := range vs {
		byKey[v.Check.Metric] = v
	}
	rows := [][]string{{"row", "measure", "widget", "baseline", "figure", "budget", "result"}}
	prev := ""
	for _, l := range r.lines() {
		row := l.row
		if row == prev {
			row = ""
		}
		prev = l.row
		cells := []string{row, l.measure, l.widget, l.baseline, "", "", ""}
		if v, ok := byKey[l.key]; ok {
			u := units[l.key]
			cells[4] = format(v.Metric.Value, u)
			if v.Metric.Censored {
				cells[4] = "> " + cells[4]
			}
			cells[5] = budgetText(v.Check, u)
			cells[6] = "pass"
			if !v.Pass {
				cells[6] = "FAIL"
			}
		}
		rows = append(rows, cells)
	}
	return rows
}

func budgetText(c Check, unit string) string {
	var parts []string
	if c.Min != nil {
		parts = append(parts, "≥ "+format(*c.Min, unit))
	}
	if c.Max != nil {
		parts = append(parts, "≤ "+format(*c.Max, unit))
	}
	return strings.Join(parts, ", ")
}

// printTable writes the table, aligned, then the verdict of every row.
func printTable(w io.Writer, r *Results, vs []Verdict) {
	m := r.Meta
	fmt.Fprintf(w, "\nglimchat bench (%s plan; medians; %s, %s, %d CPUs; %.0f s)\n\n",
		m.Plan.Name, m.Chromium, m.Go, m.CPUs, m.Seconds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, cells := range table(r, vs) {
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
	rows, pass := RowResults(vs)
	var verdicts []string
	for _, row := range rows {
		v := "pass"
		if !pass[row] {
			v = "FAIL"
		}
		verdicts = append(verdicts, row+" "+v)
	}
	fmt.Fprintf(w, "\nrows: %s\n", strings.Join(verdicts, ", "))
	if r.Start != nil {
		fmt.Fprintf(w, "\ncold start, where the time goes (ms since navigation, medians):\n\n")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, cells := range phaseTable(r.Start, false) {
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		tw.Flush()
		fmt.Fprintf(w, "\nwarm start, the same:\n\n")
		for _, cells := range phaseTable(r.Start, true) {
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		tw.Flush()
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "error: %s\n", e)
	}
}

// phases are the probe's start-up marks, in the order they happen.
var phases = []struct{ key, name string }{
	{"htmlDone", "html"},
	{"domContentLoaded", "DOMContentLoaded"},
	{"wasmDownloaded", "wasm downloaded"},
	{"wasmReady", "wasm compiled"},
	{"glimchat:main", "Go main"},
	{"glimchat:start query", "start query"},
	{"firstAPIStart", "1st HTTP query sent"},
	{"firstAPIDone", "1st HTTP query answered"},
	{"socketOpen", "socket open"},
	{"glimchat:start answered", "start answered"},
	{"firstMessage", "1st message painted"},
}

func phaseTable(s *StartResult, warm bool) [][]string {
	head := []string{"page"}
	for _, p := range phases {
		head = append(head, p.name)
	}
	out := [][]string{head}
	for _, page := range startPages {
		cells := []string{page}
		for _, p := range phases {
			var xs []float64
			for _, run := range s.Pages[page] {
				ph := run.Phases
				if warm {
					ph = run.WarmPhases
				}
				if v, ok := ph[p.key]; ok {
					xs = append(xs, v)
				}
			}
			cells = append(cells, strings.TrimSuffix(ms(median(xs)), " ms"))
		}
		out = append(out, cells)
	}
	return out
}
