package main

import "fmt"

// measureStart loads every start-up page StartReps times, in turn so that
// noise spreads over all of them: cold in a fresh browser context, then
// warm, the same URL again with the HTTP cache filled.
func (b *Bench) measureStart() (*StartResult, error) {
	r := &StartResult{Pages: map[string][]StartRun{}}
	for rep := range b.plan.StartReps {
		for i := range startPages {
			page := startPages[(i+rep)%len(startPages)]
			run, err := b.startOnce(page)
			if err != nil { // once more: a tab can fail for reasons of the browser's own
				b.logf("start: %s: %v; again", page, err)
				run, err = b.startOnce(page)
			}
			if err != nil {
				return r, fmt.Errorf("%s: %w", page, err)
			}
			r.Pages[page] = append(r.Pages[page], run)
		}
	}
	return r, nil
}

const firstPainted = `__bench.first`

func (b *Bench) startOnce(page string) (StartRun, error) {
	var run StartRun
	url := b.pageURL(page)
	t, err := b.br.NewTab()
	if err != nil {
		return run, err
	}
	defer t.Close()
	for _, warm := range []bool{false, true} {
		prof, err := b.startProfile(t, url)
		if err != nil {
			return run, err
		}
		if err := t.Navigate(url); err != nil {
			return run, err
		}
		first, err := waitFor[float64](t, "the first message", firstPainted, waitTimeout)
		if err != nil {
			return run, err
		}
		name := "start-cold-" + page
		if warm {
			name = "start-warm-" + page
		}
		if err := prof.stop(name); err != nil {
			return run, err
		}
		phases, err := eval[map[string]float64](t, `__bench.phases()`)
		if err != nil {
			return run, err
		}
		if warm {
			run.Warm, run.WarmPhases = first, phases
			break
		}
		run.Cold, run.Phases = first, phases
	}
	return run, nil
}
