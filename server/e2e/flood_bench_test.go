package e2e

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/glimchat/glimchat/server/demo"
)

// floodSize is how many messages one flood pushes, floodChunk how many
// are posted back to back, and floodInFlight how many may be posted but
// not yet painted: "as fast as the demo sustains" without overrunning it.
const (
	floodSize     = 2000
	floodChunk    = 100
	floodInFlight = 800
)

// BenchmarkFlood pushes floodSize messages into the demo channel as fast as
// the demo instance and the page sustain them, while the overlay (limit=1000, on another
// origin, so over the socket) follows, and reports how fast the page
// painted them and how long each took from Post to paint.
func BenchmarkFlood(b *testing.B) {
	srv, d := startCrossOrigin(b, demo.Options{})
	p := NewPage(b)
	p.Navigate(srv.Page("overlay.html", crossQuery(d, "history=0&limit=1000")))
	waitState(p, "live")
	// The page paints a batch of DOM edits per animation frame, so the
	// moment a message's li is added is the frame it is painted in. The
	// observer is installed over CDP, outside the page's CSP.
	Eval[chromedp.Void](p, `(() => {
		window.__painted = new Map();
		new MutationObserver(records => {
			const at = performance.timeOrigin + performance.now();
			for (const r of records) for (const n of r.addedNodes) {
				const id = n.nodeType === 1 && n.getAttribute("data-message-id");
				if (id && !window.__painted.has(id)) window.__painted.set(id, at);
			}
		}).observe(document.getElementById("glimchat-log"), {childList: true});
	})()`)

	var latencies []float64 // ms, every painted message of every flood
	var rendered int
	var painting time.Duration // first post to last paint, summed
	b.ResetTimer()
	for range b.N {
		Eval[chromedp.Void](p, `window.__painted.clear()`)
		ids := make([]string, floodSize)
		posted := make([]float64, floodSize) // unix ms
		for i := range floodSize {
			if i%floodChunk == 0 {
				// Closed loop: the demo's hub drops pushes for a subscriber
				// 1024 behind, so at most floodInFlight are unpainted.
				for i-Eval[int](p, `window.__painted.size`) > floodInFlight-floodChunk {
					time.Sleep(2 * time.Millisecond)
				}
			}
			at := time.Now()
			id, err := d.Inst.Post("demo", "ViewerVic", fmt.Sprintf("flood %d :glimsmile: keep up", i))
			if err != nil {
				b.Fatalf("post %d: %v", i, err)
			}
			ids[i], posted[i] = id, float64(at.UnixNano())/1e6
		}
		last := ids[floodSize-1]
		WaitFor[bool](p, "the last message of the flood to be painted", `window.__painted.has(`+jsString(last)+`)`)
		b.StopTimer()

		painted := Eval[map[string]float64](p, `Object.fromEntries(window.__painted)`)
		end := 0.0
		for i, id := range ids {
			at, ok := painted[id]
			if !ok {
				continue // a message pruned in the same frame it arrived (limit) is never painted
			}
			latencies = append(latencies, at-posted[i])
			end = math.Max(end, at)
			rendered++
		}
		painting += time.Duration((end - posted[0]) * float64(time.Millisecond))
		// Whatever was skipped, the screen ends with the newest 1000, in order.
		if got := logIDs(p); !slices.Equal(got, ids[floodSize-1000:]) {
			b.Errorf("after the flood the log holds %d messages, want the newest 1000 in order; %s",
				len(got), diffIDs(got, ids[floodSize-1000:]))
		}
		b.StartTimer()
	}
	b.StopTimer()
	if rendered == 0 {
		b.Fatal("no message of the flood was painted")
	}
	slices.Sort(latencies)
	b.ReportMetric(float64(rendered)/painting.Seconds(), "msgs/s")
	b.ReportMetric(float64(rendered)/float64(b.N), "painted/op")
	b.ReportMetric(percentile(latencies, 0.50), "p50-ms")
	b.ReportMetric(percentile(latencies, 0.95), "p95-ms")
	p.AssertNoProblems()
}

// percentile of sorted values, nearest rank.
func percentile(sorted []float64, q float64) float64 {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
