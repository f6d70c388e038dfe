package main

import (
	"sort"
	"strings"
)

// traceEvent is the part of a Chrome trace event read here.
type traceEvent struct {
	Name string  `json:"name"`
	Ph   string  `json:"ph"`
	Ts   float64 `json:"ts"`   // µs
	Dur  float64 `json:"dur"`  // µs, wall
	TDur float64 `json:"tdur"` // µs, the thread's CPU, when the trace has it
	Tid  int64   `json:"tid"`
	Pid  int64   `json:"pid"`
	Args struct {
		Name string `json:"name"`
	} `json:"args"`
}

// The kinds of main-thread work a chat line costs, as the DevTools
// performance panel groups its events.
const (
	kindScript = "script" // JavaScript and wasm, and the calls into the DOM they make
	kindStyle  = "style"
	kindLayout = "layout"
	kindPaint  = "paint" // pre-paint, paint, layerization and the commit to the compositor
	kindParse  = "parse" // HTML parsing (insertAdjacentHTML)
	kindGC     = "gc"
	kindOther  = "other" // the tasks' own time: the event loop, IPC, network and socket events in the browser's code
)

var traceKinds = []string{kindScript, kindStyle, kindLayout, kindPaint, kindParse, kindGC, kindOther}

// kindOf names the kind of a trace event.
func kindOf(name string) string {
	switch {
	case strings.Contains(name, "GC") || strings.Contains(name, "Sweep") || strings.Contains(name, "concurrent marking"):
		return kindGC
	case strings.HasPrefix(name, "V8.") || strings.HasPrefix(name, "v8."):
		return kindScript
	}
	switch name {
	case "FunctionCall", "EvaluateScript", "TimerFire", "FireAnimationFrame", "EventDispatch", "RunMicrotasks",
		"FireIdleCallback", "XHRReadyStateChange", "XHRLoad", "ResizeObserverCallback":
		return kindScript
	case "UpdateLayoutTree", "RecalculateStyles", "ParseAuthorStyleSheet":
		return kindStyle
	case "Layout", "UpdateLayout":
		return kindLayout
	case "Paint", "PaintImage", "PrePaint", "UpdateLayer", "UpdateLayerTree", "Layerize", "Commit",
		"CompositeLayers", "PaintSetup", "Decode Image", "ImageDecodeTask":
		return kindPaint
	case "ParseHTML":
		return kindParse
	}
	return kindOther
}

// selfTimes is each event's own time (its duration less that of the
// events nested in it), summed by name and by kind, over the complete
// ("X") events of one thread, and how many of each name there were. It is the thread's CPU time where the trace
// has it (tdur), else wall time; in ms.
func traceSelfTimes(evs []traceEvent) (byName, byKind map[string]float64, count map[string]int) {
	xs := make([]traceEvent, 0, len(evs))
	for _, e := range evs {
		if e.Ph == "X" {
			xs = append(xs, e)
		}
	}
	// Parents first: earlier start, and the longer of two that start
	// together.
	sort.SliceStable(xs, func(i, j int) bool {
		if xs[i].Ts != xs[j].Ts {
			return xs[i].Ts < xs[j].Ts
		}
		return xs[i].Dur > xs[j].Dur
	})
	cost := func(e traceEvent) float64 {
		if e.TDur > 0 {
			return e.TDur
		}
		return e.Dur
	}
	self := make([]float64, len(xs))
	var stack []int
	for i, e := range xs {
		self[i] = cost(e)
		for len(stack) > 0 {
			top := xs[stack[len(stack)-1]]
			if e.Ts < top.Ts+top.Dur {
				break
			}
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 {
			self[stack[len(stack)-1]] -= cost(e)
		}
		stack = append(stack, i)
	}
	byName, byKind, count = map[string]float64{}, map[string]float64{}, map[string]int{}
	for i, e := range xs {
		ms := max(self[i], 0) / 1000
		count[e.Name]++
		byName[e.Name] += ms
		byKind[kindOf(e.Name)] += ms
	}
	return byName, byKind, count
}
