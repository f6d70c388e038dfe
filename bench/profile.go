package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/performance"
	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/cdproto/tracing"
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
	if !strings.Contains(url, "overlay.html") {
		return nil, nil
	}
	return b.startProfileAny(t)
}

// startProfileAny is startProfile for any page (the lively chat profiles
// the JS baseline too, to compare where each spends its time).
func (b *Bench) startProfileAny(t *Tab) (*profile, error) {
	if !b.plan.Profile {
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

// A trace is -profile's account of the renderer's main thread by kind of
// work (the DevTools timeline's events): script, style, layout, paint and
// the rest, which the CPU profile lumps together as "(program)".
type trace struct {
	t      *Tab
	cancel func()
	mu     sync.Mutex
	events []json.RawMessage
	done   chan struct{}
}

// traceCategories are the DevTools performance panel's.
var traceCategories = []string{"devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "blink.user_timing"}

func (b *Bench) startTrace(t *Tab) (*trace, error) {
	if !b.plan.Profile {
		return nil, nil
	}
	tr := &trace{t: t, done: make(chan struct{})}
	ctx, cancel := context.WithCancel(t.ctx)
	tr.cancel = cancel
	if err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *tracing.EventDataCollected:
			tr.mu.Lock()
			for _, v := range e.Value {
				raw, err := json.Marshal(v)
				if err == nil {
					tr.events = append(tr.events, raw)
				}
			}
			tr.mu.Unlock()
		case *tracing.EventTracingComplete:
			close(tr.done)
		}
	}); err != nil {
		cancel()
		return nil, err
	}
	_, err := chromedp.Call(t.ctx, tracing.Start, tracing.StartParams{
		TransferMode: tracing.StartTransferModeReportEvents,
		TraceConfig:  &tracing.TraceConfig{IncludedCategories: traceCategories},
	})
	if err != nil {
		cancel()
	}
	return tr, err
}

// traceEvent is the part of a Chrome trace event read here.
type traceEvent struct {
	Name string  `json:"name"`
	Ph   string  `json:"ph"`
	Dur  float64 `json:"dur"` // µs
	Tid  int64   `json:"tid"`
	Pid  int64   `json:"pid"`
	Args struct {
		Name string `json:"name"`
	} `json:"args"`
}

// stopPer ends the trace and logs, per message, the main thread's time in
// the events that matter for a chat line: the task around everything,
// script, style, layout, paint and what follows it, HTML parsing, GC.
func (tr *trace) stopPer(b *Bench, name string, messages int) error {
	if tr == nil {
		return nil
	}
	defer tr.cancel()
	if _, err := chromedp.Call(tr.t.ctx, tracing.End, cdp.Empty{}); err != nil {
		return err
	}
	select {
	case <-tr.done:
	case <-time.After(30 * time.Second):
		return fmt.Errorf("trace of %s: no tracingComplete", name)
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	evs := make([]traceEvent, 0, len(tr.events))
	main := map[[2]int64]bool{}
	for _, raw := range tr.events {
		var e traceEvent
		if json.Unmarshal(raw, &e) != nil {
			continue
		}
		if e.Ph == "M" && e.Name == "thread_name" && e.Args.Name == "CrRendererMain" {
			main[[2]int64{e.Pid, e.Tid}] = true
		}
		evs = append(evs, e)
	}
	sum := map[string]float64{}
	for _, e := range evs {
		if e.Ph == "X" && main[[2]int64{e.Pid, e.Tid}] {
			sum[e.Name] += e.Dur / 1000
		}
	}
	type kv struct {
		k string
		v float64
	}
	var all []kv
	for k, v := range sum {
		all = append(all, kv{k, v})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v })
	var sb strings.Builder
	fmt.Fprintf(&sb, "trace of %s, main thread, ms per message (%d; events nest, so they do not add up):\n", name, messages)
	for _, x := range all[:min(30, len(all))] {
		fmt.Fprintf(&sb, "  %8.3f  %s\n", x.v/float64(max(messages, 1)), x.k)
	}
	b.logf("%s", sb.String())
	return nil
}
