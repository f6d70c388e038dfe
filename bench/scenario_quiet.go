package main

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// The quiet scenarios run at the same time, on separate instances: idle
// pages on glimchat serve's own demo, stalled pages on the standalone demo,
// whose stall fault hits every socket it holds. Neither posts anything.

// idleSettle lets a page finish starting before its idle time is counted.
const idleSettle = 2 * time.Second

// measureIdle opens one JS baseline page and IdleTabs widget pages, same
// origin, and measures each main thread's CPU share over IdleFor.
func (b *Bench) measureIdle() (*IdleResult, error) {
	r := &IdleResult{Seconds: b.plan.IdleFor.Seconds()}
	urls := []string{b.pageURL(JSSame)}
	for range b.plan.IdleTabs {
		urls = append(urls, b.pageURL(WidgetSame))
	}
	tabs, err := b.openAll(urls)
	if err != nil {
		return r, err
	}
	defer closeAll(tabs)
	time.Sleep(idleSettle)
	busy0 := make([]float64, len(tabs))
	at0 := make([]float64, len(tabs))
	for i, t := range tabs {
		if busy0[i], at0[i], err = t.cpuSeconds(); err != nil {
			return r, err
		}
	}
	time.Sleep(b.plan.IdleFor)
	for i, t := range tabs {
		busy, at, err := t.cpuSeconds()
		if err != nil {
			return r, err
		}
		share := ratio(busy-busy0[i], at-at0[i])
		if i == 0 {
			r.JS = append(r.JS, share)
		} else {
			r.Widget = append(r.Widget, share)
		}
	}
	return r, nil
}

// leftLiveSince is the first time (unix ms) #glimchat left "live" at or
// after since, 0 if it has not.
const leftLiveSince = `__bench.states.find(s => s[0] >= %f && s[1] !== "live")?.[0] || 0`

// measureStall opens one JS baseline page and StallTabs widget pages, cross
// origin, makes every socket of the standalone demo half-open (no replies,
// TCP stays open), and waits, at most StallCap, for each page to notice.
func (b *Bench) measureStall() (*StallResult, error) {
	r := &StallResult{Cap: b.plan.StallCap.Seconds()}
	urls := []string{b.pageURL(JSCross)}
	for range b.plan.StallTabs {
		urls = append(urls, b.pageURL(WidgetCross))
	}
	tabs, err := b.openAll(urls)
	if err != nil {
		return r, err
	}
	defer closeAll(tabs)
	// Longer than the wait, so that no socket recovers on its own.
	before := unixMS(time.Now())
	if err := fault(b.srv.Demo.URL, fmt.Sprintf("stall?for=%s", b.plan.StallCap+30*time.Second)); err != nil {
		return r, err
	}
	after := unixMS(time.Now())
	stalled := (before + after) / 2
	deadline := time.Now().Add(b.plan.StallCap)
	noticed := make([]float64, len(tabs))
	for {
		all := true
		for i, t := range tabs {
			if noticed[i] > 0 {
				continue
			}
			at, err := eval[float64](t, fmt.Sprintf(leftLiveSince, before))
			if err != nil {
				return r, err
			}
			noticed[i] = at
			all = all && at > 0
		}
		if all || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for i := range tabs {
		s := Stalled{Seconds: (noticed[i] - stalled) / 1000}
		if noticed[i] == 0 {
			s = Stalled{Seconds: r.Cap, Censored: true}
		}
		if i == 0 {
			r.JS = append(r.JS, s)
		} else {
			r.Widget = append(r.Widget, s)
		}
	}
	return r, nil
}

// measureQuiet runs idle and stall side by side.
func (b *Bench) measureQuiet() (*IdleResult, *StallResult, error) {
	var idle *IdleResult
	var stall *StallResult
	var errIdle, errStall error
	var wg sync.WaitGroup
	wg.Go(func() { idle, errIdle = b.measureIdle() })
	wg.Go(func() { stall, errStall = b.measureStall() })
	wg.Wait()
	if errIdle != nil {
		errIdle = fmt.Errorf("idle: %w", errIdle)
	}
	if errStall != nil {
		errStall = fmt.Errorf("stall: %w", errStall)
	}
	return idle, stall, errors.Join(errIdle, errStall)
}
