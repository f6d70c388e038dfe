package main

import (
	"fmt"
	"sort"
	"strconv"
	"time"
)

// The closed loop of flood and soak: batches of pushBatch, with at most
// pushWindow messages posted and not yet painted (or passed: with limit=100
// a burst's older messages may be pruned before any frame shows them). The
// demo cuts a subscriber 1024 pushes behind, so the window keeps the flood
// "as fast as the demo and the page sustain" rather than a test of that cut.
const (
	pushBatch  = 100
	pushWindow = 800
)

// pushed is what a closed-loop push sent.
type pushed struct {
	ids    []int64   // in order, ascending
	posted []float64 // unix ms each batch's request was sent, per message
}

// handled is how many of the posted messages the page has painted or
// passed: those up to the newest it painted.
func (p *pushed) handled(maxID int64) int {
	return sort.Search(len(p.ids), func(i int) bool { return p.ids[i] > maxID })
}

func (p *pushed) last() int64 { return p.ids[len(p.ids)-1] }

// pushClosed posts until p holds n messages, as fast as the slowest of
// tabs takes them.
func pushClosed(tabs []*Tab, poster *Poster, p *pushed, n int) error {
	handled := 0
	for len(p.ids) < n {
		k := min(pushBatch, n-len(p.ids))
		for len(p.ids)+k-handled > pushWindow {
			h := len(p.ids)
			for _, t := range tabs {
				maxID, err := eval[int64](t, `__bench.maxID`)
				if err != nil {
					return err
				}
				h = min(h, p.handled(maxID))
			}
			if h > handled {
				handled = h
				continue
			}
			time.Sleep(2 * time.Millisecond)
		}
		at := unixMS(time.Now())
		ids, err := poster.Post(k)
		if err != nil {
			return err
		}
		p.ids = append(p.ids, ids...)
		for range ids {
			p.posted = append(p.posted, at)
		}
	}
	return nil
}

// waitHandled waits until the page has painted the newest message posted.
func waitHandled(t *Tab, p *pushed) error {
	_, err := waitFor[bool](t, "the last message posted", `__bench.maxID >= `+strconv.FormatInt(p.last(), 10), waitTimeout)
	if err != nil {
		return fmt.Errorf("%w (%d messages posted)", err, len(p.ids))
	}
	return nil
}

func unixMS(t time.Time) float64 { return float64(t.UnixNano()) / 1e6 }
