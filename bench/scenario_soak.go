package main

import (
	"strconv"
	"time"
)

// measureSoak pushes SoakEnd messages through the closed loop into SoakTabs
// widget pages and one JS baseline page at once (one stream of pushes
// serves them all; memory is per page, so they need not take turns) and
// measures each page's memory at SoakAt and at SoakEnd: the growth between
// the two is what a long stream leaks.
func (b *Bench) measureSoak(poster *Poster) (*SoakResult, error) {
	r := &SoakResult{At: b.plan.SoakAt, End: b.plan.SoakEnd}
	limit := strconv.Itoa(b.plan.Limit)
	urls := []string{b.pageURL(JSCross, "limit", limit)}
	for range b.plan.SoakTabs {
		urls = append(urls, b.pageURL(WidgetCross, "limit", limit))
	}
	tabs, err := b.openAll(urls)
	if err != nil {
		return r, err
	}
	defer closeAll(tabs)
	runs := make([]SoakRun, len(tabs))
	start := time.Now()
	var p pushed
	for _, n := range []int{b.plan.SoakAt, b.plan.SoakEnd} {
		if err := pushClosed(tabs, poster, &p, n); err != nil {
			return r, err
		}
		for _, t := range tabs {
			if err := waitHandled(t, &p); err != nil {
				return r, err
			}
		}
		time.Sleep(soakSettle)
		for i, t := range tabs {
			m, err := t.memory()
			if err != nil {
				return r, err
			}
			if n == b.plan.SoakAt {
				runs[i].At = m
			} else {
				runs[i].End = m
			}
		}
	}
	for i := range runs {
		runs[i].Seconds = time.Since(start).Seconds()
	}
	r.JS, r.Widget = runs[:1], runs[1:]
	return r, nil
}

// soakSettle lets the pages finish what the last messages started (frames,
// timers) before their memory is measured.
const soakSettle = time.Second
