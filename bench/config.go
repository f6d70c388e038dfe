package main

import "time"

// Plan sizes one run of the bench: how many repetitions of each scenario
// and how large each is. Every figure is the median of its repetitions.
type Plan struct {
	Name string

	StartReps int // cold and warm starts, per page

	FloodReps, FloodSize int
	Limit                int // limit= of the pages in flood, steady and soak

	SteadyReps int
	SteadyRate float64 // messages per second
	SteadyFor  time.Duration

	// Lively chat: LivelyRate (and LivelyFastRate) messages a second for
	// LivelyFor, from several chatters, into the overlay with limit=Limit.
	LivelyReps                 int
	LivelyRate, LivelyFastRate float64
	LivelyFor                  time.Duration

	// Instance queries: QueriesReps pages of each kind at rest for RestFor
	// of page time, their clocks Warp times real time (warp.js); then one
	// lively chat (LivelyRate for LivelyFor) with deletes.
	QueriesReps int
	RestFor     time.Duration
	Warp        float64

	SoakTabs        int // widget pages soaked together (memory is per page), with one JS page
	SoakAt, SoakEnd int // messages at the first and the last checkpoint

	IdleTabs int
	IdleFor  time.Duration

	StallTabs int
	StallCap  time.Duration // waited at most; longer shows as "> cap"

	// BrotliQuality compresses the baselines; web/bundle's 11 (best) so
	// that sizes compare, lower only where sizes do not matter.
	BrotliQuality int

	Only    []string // scenarios to run (-only); none means all
	Profile bool     // profile the widget's start, flood and steady runs (-profile)
}

// FullPlan is `make bench`: 5 to 10 minutes on 2 shared cores, the soak
// most of it.
var FullPlan = Plan{
	Name:      "full",
	StartReps: 5,
	FloodReps: 5, FloodSize: 2000, Limit: 100,
	SteadyReps: 3, SteadyRate: 2000, SteadyFor: 10 * time.Second,
	LivelyReps: 3, LivelyRate: 20, LivelyFastRate: 100, LivelyFor: 30 * time.Second,
	QueriesReps: 3, RestFor: 5 * time.Minute, Warp: 10,
	SoakTabs: 2, SoakAt: 20_000, SoakEnd: 100_000,
	IdleTabs: 3, IdleFor: 60 * time.Second,
	StallTabs: 3, StallCap: 90 * time.Second,
	BrotliQuality: 11,
}

// QuickPlan is `make bench QUICK=1`: every row, fewer and smaller runs, in
// under 2 minutes. The stall cap sits just above its budget, so the row
// still passes or fails truthfully.
var QuickPlan = Plan{
	Name:      "quick",
	StartReps: 1,
	FloodReps: 1, FloodSize: 2000, Limit: 100,
	SteadyReps: 1, SteadyRate: 2000, SteadyFor: 3 * time.Second,
	LivelyReps: 1, LivelyRate: 20, LivelyFastRate: 100, LivelyFor: 10 * time.Second,
	QueriesReps: 1, RestFor: 2 * time.Minute, Warp: 10,
	SoakTabs: 1, SoakAt: 2_000, SoakEnd: 10_000,
	IdleTabs: 1, IdleFor: 10 * time.Second,
	StallTabs: 1, StallCap: 42 * time.Second,
	BrotliQuality: 11,
}

// SmokePlan only proves that the harness still produces every row (the
// smoke test); its figures mean nothing.
var SmokePlan = Plan{
	Name:      "smoke",
	StartReps: 1,
	FloodReps: 1, FloodSize: 200, Limit: 100,
	SteadyReps: 1, SteadyRate: 200, SteadyFor: time.Second,
	LivelyReps: 1, LivelyRate: 20, LivelyFastRate: 100, LivelyFor: 3 * time.Second,
	QueriesReps: 1, RestFor: 20 * time.Second, Warp: 10,
	SoakTabs: 1, SoakAt: 100, SoakEnd: 300,
	IdleTabs: 1, IdleFor: 2 * time.Second,
	StallTabs: 1, StallCap: 2 * time.Second,
	BrotliQuality: 1, // best takes ~30 s for a wasm on a cold cache
}
