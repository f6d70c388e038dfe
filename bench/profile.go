package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/performance"
	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"
)

// A profile is -profile's view of one widget run (a start, a flood, a
// steady rate; the last run of each is the one left in bench/out): where the renderer's main
// thread spent its time (CDP Performance metrics, before and after) and
// which functions the sampling profiler caught on top (a .cpuprofile for
// DevTools, and the top of it printed). Wasm functions carry their Go
// names only in a build that keeps them: -ldflags without -s.
type profile struct {
	b      *Bench
	t      *Tab
	before map[string]float64
}

// startProfile starts profiling t when -profile is on and url is the
// widget's; nil otherwise.
func (b *Bench) startProfile(t *Tab, url string) (*profile, error) {
	if !b.plan.Profile || !strings.Contains(url, "overlay.html") {
		return nil, nil
	}
	p := &profile{b: b, t: t}
	var err error
	if p.before, err = t.metrics(); err != nil {
		return nil, err
	}
	if _, err := chromedp.Call(t.ctx, profiler.Enable, cdp.Empty{}); err != nil {
		return nil, err
	}
	if _, err := chromedp.Call(t.ctx, profiler.SetSamplingInterval, profiler.SetSamplingIntervalParams{Interval: 200}); err != nil {
		return nil, err
	}
	_, err = chromedp.Call(t.ctx, profiler.Start, cdp.Empty{})
	return p, err
}

// stop ends the profile, saves it as bench/out/profile-<name>.cpuprofile
// and prints where the time went.
func (p *profile) stop(name string) error { return p.stopPer(name, 0) }

// stopPer is stop, with the main thread's times per message too when
// messages > 0.
func (p *profile) stopPer(name string, messages int) error {
	if p == nil {
		return nil
	}
	res, err := chromedp.Call(p.t.ctx, profiler.Stop, cdp.Empty{})
	if err != nil {
		return err
	}
	after, err := p.t.metrics()
	if err != nil {
		return err
	}
	raw, err := json.Marshal(res.Profile)
	if err != nil {
		return err
	}
	file := filepath.Join(p.b.paths.Out, "profile-"+strings.ReplaceAll(name, " ", "-")+".cpuprofile")
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		return err
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "profile of %s (%s):\n  main thread, s:", name, file)
	for _, m := range []string{"TaskDuration", "ScriptDuration", "RecalcStyleDuration", "LayoutDuration"} {
		fmt.Fprintf(&sb, " %s %.3f", strings.TrimSuffix(m, "Duration"), after[m]-p.before[m])
	}
	if messages > 0 {
		d := func(m string) float64 { return (after[m] - p.before[m]) * 1000 / float64(messages) }
		other := d("TaskDuration") - d("ScriptDuration") - d("RecalcStyleDuration") - d("LayoutDuration")
		fmt.Fprintf(&sb, "\n  per message (%d), ms: task %.3f script %.3f style %.3f layout %.3f other (paint, GC, parsing, …) %.3f",
			messages, d("TaskDuration"), d("ScriptDuration"), d("RecalcStyleDuration"), d("LayoutDuration"), other)
	}
	sb.WriteString("\n  self time on top, ms:\n")
	for _, f := range selfTimes(res.Profile, 25) {
		fmt.Fprintf(&sb, "  %8.1f  %s\n", f.ms, f.name)
	}
	p.b.logf("%s", sb.String())
	return nil
}

type fnTime struct {
	name string
	ms   float64
}

// selfTimes sums the sampled time each function was on top of the stack.
func selfTimes(pr *profiler.Profile, top int) []fnTime {
	name := map[int64]string{}
	for _, n := range pr.Nodes {
		f := n.CallFrame.FunctionName
		if f == "" {
			f = "(anonymous) " + n.CallFrame.URL
		}
		name[n.ID] = f
	}
	sum := map[string]float64{}
	for i, id := range pr.Samples {
		if i+1 < len(pr.TimeDeltas) {
			sum[name[id]] += float64(pr.TimeDeltas[i+1]) / 1000
		}
	}
	out := make([]fnTime, 0, len(sum))
	for n, ms := range sum {
		out = append(out, fnTime{n, ms})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ms > out[j].ms })
	return out[:min(top, len(out))]
}

// metrics is the page's CDP Performance metrics by name.
func (t *Tab) metrics() (map[string]float64, error) {
	if _, err := chromedp.Call(t.ctx, performance.Enable, performance.EnableParams{}); err != nil {
		return nil, err
	}
	r, err := chromedp.Call(t.ctx, performance.GetMetrics, cdp.Empty{})
	if err != nil {
		return nil, err
	}
	m := make(map[string]float64, len(r.Metrics))
	for _, x := range r.Metrics {
		m[x.Name] = x.Value
	}
	return m, nil
}
