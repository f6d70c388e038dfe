package main

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// measureFlood runs FloodReps floods into the widget and the JS baseline.
func (b *Bench) measureFlood(poster *Poster) (*FloodResult, error) {
	r := &FloodResult{Limit: b.plan.Limit}
	var err error
	r.Widget, r.JS, err = alternate(b, b.plan.FloodReps, func(url string) (FloodRun, error) { return b.floodOnce(poster, url) })
	return r, err
}

func (b *Bench) floodOnce(poster *Poster, url string) (FloodRun, error) {
	run := FloodRun{Messages: b.plan.FloodSize}
	t, err := b.openMeasured(url, "flood", true)
	if err != nil {
		return run, err
	}
	defer t.Close()
	var p pushed
	if err := pushClosed([]*Tab{t.Tab}, poster, &p, b.plan.FloodSize); err != nil {
		return run, err
	}
	if err := waitHandled(t.Tab, &p); err != nil {
		return run, err
	}
	time.Sleep(100 * time.Millisecond) // the last frame done, before the page is read at rest
	rec, err := t.finish()
	if err != nil {
		return run, err
	}
	if run.RestElements, err = eval[int](t.Tab, `document.getElementsByTagName("*").length`); err != nil {
		return run, err
	}
	var pushPaint, postPaint []float64
	lastPaint := math.Inf(-1)
	for i, id := range p.ids {
		at, ok := rec.Painted[strconv.FormatInt(id, 10)]
		if !ok {
			continue
		}
		run.Painted++
		lastPaint = math.Max(lastPaint, at)
		postPaint = append(postPaint, rec.TimeOrigin+at-p.posted[i])
		if in, ok := rec.Arrivals[strconv.FormatInt(id, 10)]; ok {
			pushPaint = append(pushPaint, at-in)
		}
	}
	if run.Painted == 0 {
		return run, fmt.Errorf("none of the %d messages was painted", len(p.ids))
	}
	firstPost := p.posted[0] - rec.TimeOrigin
	run.Rate = float64(len(p.ids)) / ((lastPaint - firstPost) / 1000)
	run.PushPaintP50, run.PushPaintP95 = percentile(pushPaint, 0.5), percentile(pushPaint, 0.95)
	run.PostPaintP50 = percentile(postPaint, 0.5)
	run.FrameP95, run.FrameMax = framesBetween(rec.Frames, firstPost, lastPaint)
	run.MaxShown, run.MaxElements = rec.MaxShown, rec.MaxNodes
	run.Reconnects = leftLive(rec.States)
	return run, nil
}
