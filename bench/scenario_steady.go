package main

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// measureSteady posts SteadyRate messages a second for SteadyFor into the
// widget and the JS baseline, and counts the messages ever painted.
func (b *Bench) measureSteady(poster *Poster) (*SteadyResult, error) {
	r := &SteadyResult{}
	var err error
	r.Widget, r.JS, err = alternate(b, b.plan.SteadyReps, func(url string) (SteadyRun, error) { return b.steadyOnce(poster, url) })
	return r, err
}

// steadyTick is how often the open loop posts what is due.
const steadyTick = 10 * time.Millisecond

func (b *Bench) steadyOnce(poster *Poster, url string) (SteadyRun, error) {
	var run SteadyRun
	t, err := b.openMeasured(url, "steady", false)
	if err != nil {
		return run, err
	}
	defer t.Close()
	var p pushed
	total := int(b.plan.SteadyRate * b.plan.SteadyFor.Seconds())
	start := time.Now()
	tick := time.NewTicker(steadyTick)
	for len(p.ids) < total {
		now := <-tick.C
		due := min(total, int(now.Sub(start).Seconds()*b.plan.SteadyRate)) - len(p.ids)
		for due > 0 {
			k := min(due, maxBatch)
			ids, err := poster.Post(k)
			if err != nil {
				tick.Stop()
				return run, err
			}
			p.ids = append(p.ids, ids...)
			due -= k
		}
	}
	tick.Stop()
	run.Posted = len(p.ids)
	run.Rate = float64(run.Posted) / time.Since(start).Seconds()
	if run.Posted == 0 {
		return run, fmt.Errorf("nothing posted in %v", b.plan.SteadyFor)
	}
	if err := waitHandled(t.Tab, &p); err != nil {
		return run, err
	}
	rec, err := t.finish()
	if err != nil {
		return run, err
	}
	for _, id := range p.ids {
		if _, ok := rec.Painted[strconv.FormatInt(id, 10)]; ok {
			run.Painted++
		}
	}
	run.FrameP95, _ = framesBetween(rec.Frames, 0, math.Inf(1))
	return run, nil
}
