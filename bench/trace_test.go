package main

import (
	"math"
	"testing"
)

func TestTraceSelfTimes(t *testing.T) {
	x := func(name string, ts, dur, tdur float64) traceEvent {
		return traceEvent{Name: name, Ph: "X", Ts: ts, Dur: dur, TDur: tdur}
	}
	evs := []traceEvent{
		// A task with a script that forces a layout, then paints.
		x("RunTask", 0, 1000, 900),
		x("FunctionCall", 100, 500, 450),
		x("Layout", 200, 100, 100),
		x("Paint", 700, 200, 200),
		// A task without thread times: wall time counts.
		x("RunTask", 2000, 300, 0),
		x("TimerFire", 2000, 300, 0), // starts with its parent, shorter
		x("MajorGC", 2100, 50, 0),
		{Name: "ScheduleStyleRecalculation", Ph: "I", Ts: 150}, // instant: no time
	}
	byName, byKind, count := traceSelfTimes(evs)
	if count["RunTask"] != 2 || count["Layout"] != 1 {
		t.Errorf("counts %v, want 2 RunTask and 1 Layout", count)
	}
	want := map[string]float64{
		"RunTask": (900 - 450 - 200) / 1000.0, "FunctionCall": 0.35, "Layout": 0.1, "Paint": 0.2,
		"TimerFire": 0.25, "MajorGC": 0.05,
	}
	for k, v := range want {
		if math.Abs(byName[k]-v) > 1e-9 {
			t.Errorf("%s: %v ms, want %v", k, byName[k], v)
		}
	}
	if _, ok := byName["ScheduleStyleRecalculation"]; ok {
		t.Error("an instant event was counted")
	}
	kinds := map[string]float64{kindOther: 0.25, kindScript: 0.6, kindLayout: 0.1, kindPaint: 0.2, kindGC: 0.05}
	for k, v := range kinds {
		if math.Abs(byKind[k]-v) > 1e-9 {
			t.Errorf("kind %s: %v ms, want %v", k, byKind[k], v)
		}
	}
}
