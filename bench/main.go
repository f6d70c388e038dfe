// Command bench is `make bench`: it measures the glimchat widget in headless
// Chromium against two baselines run in the same invocation, the floor (the
// least a Go widget must link, bench/floor) and a hand-written JavaScript
// overlay (bench/jsbase), prints one table with every row's budget
// (bench/budgets.json) and exits non-zero when a row fails. Raw results go
// to bench/out/ (git-ignored).
//
//	go run ./bench [-quick] [-only start,flood] [-profile] [-root .]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	root := flag.String("root", ".", "the repository (built with make build)")
	quick := flag.Bool("quick", false, "every row, fewer and smaller runs (under 2 minutes)")
	only := flag.String("only", "", "run only these scenarios, comma-separated ("+strings.Join(scenarios, ", ")+"); the rest are unmeasured")
	prof := flag.Bool("profile", false, "profile the widget's start, flood and steady runs: bench/out/profile-*.cpuprofile, and the top printed")
	flag.Parse()
	plan := FullPlan
	if *quick {
		plan = QuickPlan
	}
	plan.Profile = *prof
	if *only != "" {
		plan.Only = strings.Split(*only, ",")
		for _, o := range plan.Only {
			if !slices.Contains(scenarios, o) {
				fmt.Fprintf(os.Stderr, "bench: -only: no scenario %q; there are %q\n", o, scenarios)
				os.Exit(2)
			}
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(benchMain(ctx, newPaths(*root), plan, os.Stdout, os.Stderr))
}

func benchMain(ctx context.Context, paths Paths, plan Plan, stdout, stderr io.Writer) int {
	budgets, err := loadBudgets(filepath.Join(paths.Root, "bench", "budgets.json"))
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	r, err := Run(ctx, paths, plan, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	vs := Evaluate(r.Metrics(), budgets)
	printTable(stdout, r, vs)
	name, err := save(paths.Out, r, vs)
	if err != nil {
		fmt.Fprintln(stderr, "bench: save results:", err)
		return 2
	}
	fmt.Fprintf(stdout, "raw results: %s\n", name)
	return exitCode(vs, r.Errors)
}

// exitCode is 1 when a row FAILs or a scenario failed, else 0.
func exitCode(vs []Verdict, errs []string) int {
	_, pass := RowResults(vs)
	for _, ok := range pass {
		if !ok {
			return 1
		}
	}
	if len(errs) > 0 {
		return 1
	}
	return 0
}

// scenarios are the names of Run's steps, for -only.
var scenarios = []string{"start", "flood", "steady rate", "soak", "lively chat", "instance queries", "idle and stall"}

// Run builds the baselines, starts the servers and the browser, and runs
// every scenario of plan. A scenario that fails is noted in Results.Errors
// and its row is left unmeasured (a FAIL); the others still run.
func Run(ctx context.Context, paths Paths, plan Plan, log io.Writer) (*Results, error) {
	r := &Results{Meta: Meta{Plan: plan, Started: time.Now(), Go: goruntime.Version(), CPUs: goruntime.NumCPU()}}
	b := &Bench{plan: plan, paths: paths, log: log}
	b.logf("building the floor and staging the baselines in %s", paths.site())
	if err := stage(paths, plan.BrotliQuality); err != nil {
		return nil, err
	}
	size, err := measureSize(paths)
	if err != nil {
		return nil, err
	}
	r.Size = size
	if b.srv, err = startServers(ctx, paths.Glimchat, paths.site(), paths.logs()); err != nil {
		return nil, err
	}
	defer b.srv.Stop()
	if b.br, err = launch(); err != nil {
		return nil, err
	}
	defer b.br.Close()
	r.Meta.Chromium = b.br.Version
	token, err := b.srv.Demo.Token("ViewerVic")
	if err != nil {
		return nil, err
	}
	poster, err := newPoster(b.srv.Demo.URL, token)
	if err != nil {
		return nil, err
	}
	chat, err := newChatters(b.srv.Demo)
	if err != nil {
		return nil, err
	}
	streamerToken, err := b.srv.Demo.Token("demo")
	if err != nil {
		return nil, err
	}
	streamer, err := newPoster(b.srv.Demo.URL, streamerToken)
	if err != nil {
		return nil, err
	}
	fail := func(what string, err error) {
		if err != nil {
			b.logf("%s: %v", what, err)
			r.Errors = append(r.Errors, what+": "+err.Error())
		}
	}
	steps := []struct {
		what string
		run  func() error
	}{
		{"start", func() (err error) { r.Start, err = b.measureStart(); return }},
		{"flood", func() (err error) { r.Flood, err = b.measureFlood(poster); return }},
		{"steady rate", func() (err error) { r.Steady, err = b.measureSteady(poster); return }},
		{"soak", func() (err error) { r.Soak, err = b.measureSoak(poster); return }},
		{"lively chat", func() (err error) {
			if r.Lively, err = b.measureLively(chat, plan.LivelyRate); err != nil {
				return err
			}
			r.LivelyFast, err = b.measureLively(chat, plan.LivelyFastRate)
			return
		}},
		{"instance queries", func() (err error) { r.Queries, err = b.measureQueries(chat, streamer); return }},
		// Last: the stall fault stays on the standalone demo after it.
		{"idle and stall", func() (err error) { r.Idle, r.Stall, err = b.measureQuiet(); return }},
	}
	for _, s := range steps {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if len(plan.Only) > 0 && !slices.Contains(plan.Only, s.what) {
			continue
		}
		b.logf("%s", s.what)
		fail(s.what, s.run())
	}
	r.Meta.Seconds = time.Since(r.Meta.Started).Seconds()
	return r, nil
}
