package main

import (
	"math"
	"slices"
	"time"
)

// Results is everything one run measured, raw: each scenario keeps every
// repetition, and the figures are their medians (Metrics).
type Results struct {
	Meta   Meta          `json:"meta"`
	Size   *SizeResult   `json:"size,omitempty"`
	Start  *StartResult  `json:"start,omitempty"`
	Flood  *FloodResult  `json:"flood,omitempty"`
	Steady *SteadyResult `json:"steady,omitempty"`
	Soak   *SoakResult   `json:"soak,omitempty"`
	// Lively is the lively chat at LivelyRate, LivelyFast at LivelyFastRate.
	Lively     *LivelyResult  `json:"lively,omitempty"`
	LivelyFast *LivelyResult  `json:"lively_fast,omitempty"`
	Queries    *QueriesResult `json:"queries,omitempty"`
	Idle       *IdleResult    `json:"idle,omitempty"`
	Stall      *StallResult   `json:"stall,omitempty"`
	Errors     []string       `json:"errors,omitempty"` // scenarios that failed to run
}

type Meta struct {
	Plan     Plan      `json:"plan"`
	Started  time.Time `json:"started"`
	Seconds  float64   `json:"seconds"`
	Chromium string    `json:"chromium"`
	Go       string    `json:"go"`
	CPUs     int       `json:"cpus"`
}

// Bundle is what a page loads, as served: raw, gzip and brotli bytes.
type Bundle struct {
	Files  []FileSize `json:"files"`
	Raw    int64      `json:"raw"`
	Gzip   int64      `json:"gzip"`
	Brotli int64      `json:"brotli"`
}

type FileSize struct {
	Name   string `json:"name"`
	Raw    int64  `json:"raw"`
	Gzip   int64  `json:"gzip"`
	Brotli int64  `json:"brotli"`
}

type SizeResult struct {
	Widget Bundle `json:"widget"` // overlay.html and everything it loads
	Floor  Bundle `json:"floor"`
	JS     Bundle `json:"js"`
}

// The pages of the start-up scenarios.
const (
	WidgetSame  = "widget same-origin"  // glimchat serve with its demo mounted
	WidgetCross = "widget cross-origin" // the standalone demo as instance=
	FloorPage   = "floor"               // same-origin (the bench proxies the API)
	JSSame      = "JS same-origin"
	JSCross     = "JS cross-origin"
	EmbedCross  = "embed cross-origin" // the embed page, in the query counts
)

var startPages = []string{WidgetSame, WidgetCross, FloorPage, JSSame, JSCross}

// StartRun is one page's cold start, in a fresh browser context, then its
// warm start, the same URL again with the HTTP cache filled. Times are ms
// from navigation start to the first history message painted.
type StartRun struct {
	Cold       float64            `json:"cold_ms"`
	Warm       float64            `json:"warm_ms"`
	Phases     map[string]float64 `json:"cold_phases_ms"` // where the cold start went (probe.js phases)
	WarmPhases map[string]float64 `json:"warm_phases_ms"` // and the warm one
}

type StartResult struct {
	Pages map[string][]StartRun `json:"pages"`
}

func (s *StartResult) cold(page string) float64 {
	return median(collect(s.Pages[page], func(r StartRun) float64 { return r.Cold }))
}

func (s *StartResult) warm(page string) float64 {
	return median(collect(s.Pages[page], func(r StartRun) float64 { return r.Warm }))
}

// FloodRun is one flood: FloodSize messages pushed as fast as the demo
// sustains, with at most floodWindow posted and not yet painted or passed.
type FloodRun struct {
	Messages     int     `json:"messages"`
	Rate         float64 `json:"rate"` // messages per second, first post to last message painted
	PushPaintP50 float64 `json:"push_paint_p50_ms"`
	PushPaintP95 float64 `json:"push_paint_p95_ms"` // frame reached the page → painted
	PostPaintP50 float64 `json:"post_paint_p50_ms"` // post request sent → painted (includes the bench's queue)
	FrameP95     float64 `json:"frame_p95_ms"`      // rAF to rAF
	FrameMax     float64 `json:"frame_max_ms"`
	Painted      int     `json:"painted"` // the rest were pruned before a frame showed them
	MaxShown     int     `json:"max_shown"`
	MaxElements  int     `json:"max_elements"`
	RestElements int     `json:"rest_elements"` // after the flood, the log full
	Reconnects   int     `json:"reconnects"`    // times data-state left live
}

type FloodResult struct {
	Limit  int        `json:"limit"`
	Widget []FloodRun `json:"widget"`
	JS     []FloodRun `json:"js"`
}

// SteadyRun is SteadyRate messages a second for SteadyFor.
type SteadyRun struct {
	Posted   int     `json:"posted"`
	Painted  int     `json:"painted"`
	Rate     float64 `json:"rate"` // as posted
	FrameP95 float64 `json:"frame_p95_ms"`
}

func (r SteadyRun) share() float64 { return ratio(float64(r.Painted), float64(r.Posted)) }

type SteadyResult struct {
	Widget []SteadyRun `json:"widget"`
	JS     []SteadyRun `json:"js"`
}

// SoakRun is SoakEnd messages as fast as the page takes them, the page's
// memory measured at SoakAt and at SoakEnd.
type SoakRun struct {
	At      Memory  `json:"at"`
	End     Memory  `json:"end"`
	Seconds float64 `json:"seconds"`
}

type SoakResult struct {
	At     int       `json:"at"`
	End    int       `json:"end"`
	Widget []SoakRun `json:"widget"`
	JS     []SoakRun `json:"js"`
}

// LivelyRun is one lively chat into one page: the renderer main thread's
// busy time (CDP TaskDuration) over the wall time from the first message
// posted to the last one painted.
type LivelyRun struct {
	Posted  int     `json:"posted"`
	Seconds float64 `json:"seconds"`
	Busy    float64 `json:"busy_seconds"`
}

func (r LivelyRun) share() float64 { return ratio(r.Busy, r.Seconds) }

// msPerMessage is the main thread's busy time per message posted.
func (r LivelyRun) msPerMessage() float64 { return ratio(r.Busy*1000, float64(r.Posted)) }

type LivelyResult struct {
	Rate    float64     `json:"rate"`
	Seconds float64     `json:"seconds"`
	Limit   int         `json:"limit"`
	Widget  []LivelyRun `json:"widget"`
	JS      []LivelyRun `json:"js"`
}

func (l *LivelyResult) shares() (widget, js float64) {
	return median(collect(l.Widget, LivelyRun.share)), median(collect(l.JS, LivelyRun.share))
}

func (l *LivelyResult) msPerMessage() (widget, js float64) {
	return median(collect(l.Widget, LivelyRun.msPerMessage)), median(collect(l.JS, LivelyRun.msPerMessage))
}

// QueriesResult is the queries per minute each page sends (by page: one
// figure per page counted), at rest and during a lively chat, and how
// long each delete made during that chat took to leave each page (from
// the delete's answer to the line leaving the DOM).
type QueriesResult struct {
	RestMinutes float64              `json:"rest_minutes"` // of page time
	Warp        float64              `json:"warp"`         // page time ÷ real time, at rest
	ChatRate    float64              `json:"chat_rate"`
	Rest        map[string][]float64 `json:"rest_per_minute"`
	Chat        map[string][]float64 `json:"chat_per_minute"`
	DeleteCount int                  `json:"deletes"`
	Deletes     map[string][]Stalled `json:"delete_gone"`
}

// worstDelete is the slowest delete over the widget's pages; censored when
// one of them never left.
func (q *QueriesResult) worstDelete(pages ...string) Metric {
	var all []Stalled
	for _, p := range pages {
		all = append(all, q.Deletes[p]...)
	}
	if len(all) == 0 {
		return Metric{Value: math.NaN()}
	}
	m := Metric{Value: math.Inf(-1)}
	for _, s := range all {
		m.Value = math.Max(m.Value, s.Seconds)
		m.Censored = m.Censored || s.Censored
	}
	return m
}

// IdleResult holds the main thread's busy share of wall time, one per tab.
type IdleResult struct {
	Seconds float64   `json:"seconds"`
	Widget  []float64 `json:"widget"`
	JS      []float64 `json:"js"`
}

// Stalled is how long a page took to notice a half-open socket; Censored
// when it had not noticed by the cap, which Seconds then holds.
type Stalled struct {
	Seconds  float64 `json:"seconds"`
	Censored bool    `json:"censored,omitempty"`
}

type StallResult struct {
	Cap    float64   `json:"cap_seconds"`
	Widget []Stalled `json:"widget"`
	JS     []Stalled `json:"js"`
}

// medianStalled is the median wait; censored when the middle one is.
func medianStalled(ss []Stalled) Metric {
	if len(ss) == 0 {
		return Metric{Value: math.NaN()}
	}
	s := slices.Clone(ss)
	key := func(x Stalled) float64 {
		if x.Censored {
			return math.Inf(1)
		}
		return x.Seconds
	}
	slices.SortFunc(s, func(a, b Stalled) int {
		switch {
		case key(a) < key(b):
			return -1
		case key(a) > key(b):
			return 1
		}
		return 0
	})
	if len(s)%2 == 1 {
		m := s[len(s)/2]
		return Metric{Value: m.Seconds, Censored: m.Censored}
	}
	a, b := s[len(s)/2-1], s[len(s)/2]
	return Metric{Value: (a.Seconds + b.Seconds) / 2, Censored: a.Censored || b.Censored}
}

func collect[T any](xs []T, f func(T) float64) []float64 {
	out := make([]float64, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

// Metric is one figure a budget can check. Censored means the true value is
// at least Value (a wait that hit its cap). NaN means not measured.
type Metric struct {
	Value    float64 `json:"value"`
	Censored bool    `json:"censored,omitempty"`
}

const mb = 1e6

// Metrics are the budgeted figures of r, by the names budgets.json uses.
func (r *Results) Metrics() map[string]Metric {
	m := map[string]Metric{}
	put := func(k string, v float64) { m[k] = Metric{Value: v} }
	if s := r.Size; s != nil {
		put("size.brotli_vs_floor", ratio(float64(s.Widget.Brotli), float64(s.Floor.Brotli)))
	}
	if s := r.Start; s != nil {
		put("cold.same_vs_floor", ratio(s.cold(WidgetSame), s.cold(FloorPage)))
		put("cold.cross_vs_floor", ratio(s.cold(WidgetCross), s.cold(FloorPage)))
		put("cold.same_vs_js", ratio(s.cold(WidgetSame), s.cold(JSSame)))
		put("cold.cross_vs_js", ratio(s.cold(WidgetCross), s.cold(JSCross)))
		put("warm.same_vs_js", ratio(s.warm(WidgetSame), s.warm(JSSame)))
		put("warm.cross_vs_js", ratio(s.warm(WidgetCross), s.warm(JSCross)))
	}
	if f := r.Flood; f != nil {
		w := f.Widget
		put("flood.rate", median(collect(w, func(x FloodRun) float64 { return x.Rate })))
		put("flood.frame_p95_ms", median(collect(w, func(x FloodRun) float64 { return x.FrameP95 })))
		put("flood.push_paint_p95_ms", median(collect(w, func(x FloodRun) float64 { return x.PushPaintP95 })))
		// The worst run: the bound must hold in every one.
		put("flood.shown_over_limit", maxOf(collect(w, func(x FloodRun) float64 { return ratio(float64(x.MaxShown), float64(f.Limit)) })))
		put("flood.elements_over_rest", maxOf(collect(w, func(x FloodRun) float64 { return ratio(float64(x.MaxElements), float64(x.RestElements)) })))
	}
	if s := r.Steady; s != nil {
		put("steady.painted_share", median(collect(s.Widget, SteadyRun.share)))
	}
	if s := r.Soak; s != nil {
		put("soak.js_heap_growth_mb", median(collect(s.Widget, func(x SoakRun) float64 { return (x.End.JSHeap - x.At.JSHeap) / mb })))
		put("soak.wasm_growth_mb", median(collect(s.Widget, func(x SoakRun) float64 { return (x.End.Wasm - x.At.Wasm) / mb })))
	}
	if l := r.Lively; l != nil {
		w, js := l.shares()
		put("lively.share_vs_js", ratio(w, js))
		w, js = l.msPerMessage()
		put("lively.ms_per_msg_vs_js", ratio(w, js))
	}
	if q := r.Queries; q != nil {
		put("queries.rest_embed_per_min", median(q.Rest[EmbedCross]))
		put("queries.rest_overlay_per_min", median(q.Rest[WidgetCross]))
		m["queries.delete_gone_s"] = q.worstDelete(WidgetCross, EmbedCross)
	}
	if s := r.Idle; s != nil {
		put("idle.cpu_share", median(s.Widget))
		put("idle.vs_js", ratio(median(s.Widget), median(s.JS)))
	}
	if s := r.Stall; s != nil {
		m["stall.noticed_s"] = medianStalled(s.Widget)
	}
	return m
}

// maxOf is the largest of xs, NaN when empty or when any is NaN.
func maxOf(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	out := math.Inf(-1)
	for _, x := range xs {
		if math.IsNaN(x) {
			return math.NaN()
		}
		out = math.Max(out, x)
	}
	return out
}
