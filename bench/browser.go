package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/heapprofiler"
	"github.com/chromedp/cdproto/memory"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/glimchat/glimchat/internal/chromium"
)

//go:embed probe.js
var probeJS string

//go:embed warp.js
var warpJS string

// waitTimeout bounds each wait for a page; generous, 2 shared cores.
const waitTimeout = 60 * time.Second

// Browser is one headless Debian chromium for the whole run, launched as
// server/e2e launches it, with background throttling off: several tabs run
// at once in the idle and stall scenarios.
type Browser struct {
	ctx     context.Context
	Version string
	cancel  func()
}

func launch() (*Browser, error) {
	ctx, stop, err := chromium.Start(
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
	)
	if err != nil {
		return nil, err
	}
	b := &Browser{ctx: ctx, cancel: stop}
	v, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("chromium version: %w", err)
	}
	b.Version = v.Product
	return b, nil
}

func (b *Browser) Close() { b.cancel() }

// Tab is a page in a browser context of its own: an empty HTTP cache and a
// renderer process of its own, like a fresh profile, with the probe
// installed for every document.
type Tab struct {
	ctx    context.Context
	cancel func()
}

func (b *Browser) NewTab() (*Tab, error) { return b.newTab(0) }

// NewWarpedTab is NewTab with the page's clocks and timers running warp
// times faster than real time (warp.js), after the probe.
func (b *Browser) NewWarpedTab(warp float64) (*Tab, error) { return b.newTab(warp) }

func (b *Browser) newTab(warp float64) (*Tab, error) {
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t := &Tab{ctx: ctx, cancel: cancel}
	scripts := []string{probeJS}
	if warp > 0 {
		scripts = append(scripts, strings.Replace(warpJS, "const K = WARP;", "const K = "+strconv.FormatFloat(warp, 'g', -1, 64)+";", 1))
	}
	for _, src := range scripts {
		if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
			cancel()
			return nil, fmt.Errorf("install the probe: %w", err)
		}
	}
	return t, nil
}

// Close closes the tab and drops its browser context.
func (t *Tab) Close() { t.cancel() }

// Navigate loads url and waits for its load event.
func (t *Tab) Navigate(url string) error {
	ctx, cancel := context.WithTimeout(t.ctx, waitTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		return fmt.Errorf("navigate to %s: %w", url, err)
	}
	return nil
}

// eval evaluates a JavaScript expression (awaiting a promise) in the page.
func eval[T any](t *Tab, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(t.ctx, waitTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		return v, fmt.Errorf("evaluate %.80q: %w", expr, err)
	}
	return v, nil
}

// waitFor polls expr until it is truthy, at most d.
func waitFor[T any](t *Tab, what, expr string, d time.Duration) (T, error) {
	deadline := time.Now().Add(d)
	for {
		ctx, cancel := context.WithTimeout(t.ctx, time.Until(deadline)+5*time.Second)
		v, err := chromedp.Run(ctx, chromedp.Poll[T](expr,
			chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(time.Until(deadline))))
		cancel()
		// Right after a navigation chromedp may still name the old
		// document's context; the new one comes with the next event.
		if err != nil && strings.Contains(err.Error(), "Cannot find context with specified id") && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		if err != nil {
			return v, fmt.Errorf("wait for %s: %w", what, err)
		}
		return v, nil
	}
}

// waitLive waits for the root's data-state to be "live".
func (t *Tab) waitLive() error {
	_, err := waitFor[bool](t, "data-state=live",
		`document.getElementById("glimchat")?.getAttribute("data-state") === "live"`, waitTimeout)
	return err
}

// Memory is what a page holds, after a full garbage collection.
type Memory struct {
	JSHeap   float64 `json:"js_heap_bytes"`     // V8 heap used (Runtime.getHeapUsage)
	Wasm     float64 `json:"wasm_bytes"`        // wasm linear memory
	DOMNodes int64   `json:"dom_nodes"`         // nodes alive in the renderer, attached or not
	Elements int     `json:"document_elements"` // elements in the document
}

func (t *Tab) memory() (Memory, error) {
	var m Memory
	for range 2 { // a second pass collects what the first one's finalizers freed
		if _, err := chromedp.Call(t.ctx, heapprofiler.CollectGarbage, cdp.Empty{}); err != nil {
			return m, fmt.Errorf("collect garbage: %w", err)
		}
	}
	hu, err := chromedp.Call(t.ctx, runtime.GetHeapUsage, cdp.Empty{})
	if err != nil {
		return m, err
	}
	m.JSHeap = hu.UsedSize
	dc, err := chromedp.Call(t.ctx, memory.GetDOMCounters, cdp.Empty{})
	if err != nil {
		return m, err
	}
	m.DOMNodes = dc.Nodes
	if m.Wasm, err = eval[float64](t, `__bench.wasmBytes()`); err != nil {
		return m, err
	}
	m.Elements, err = eval[int](t, `document.getElementsByTagName("*").length`)
	return m, err
}

// taskSeconds is the renderer main thread's busy time so far (CDP
// Performance TaskDuration) and the metrics' own clock, both in seconds.
func (t *Tab) taskSeconds() (busy, at float64, err error) {
	m, err := t.metrics()
	return m["TaskDuration"], m["Timestamp"], err
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
