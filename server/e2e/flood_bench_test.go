package e2e

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/glimchat/glimchat/internal/wsframes"
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

// frameHook runs in every document before the widget does (CDP scripts are
// not subject to the page's CSP) and timestamps each websocket frame as the
// page receives it, on the same clock as the paint observer. It listens
// rather than wraps: the first time a socket's onmessage is set, a listener
// is added ahead of it, so it runs just before the widget's handler sees
// the frame and the widget sees exactly what it would without it. Frames
// are kept raw and parsed after the flood, so the hook costs the page next
// to nothing while it is measured.
const frameHook = `(() => {
	const frames = window.__frames = [];
	const hooked = new WeakSet();
	const record = e => frames.push([performance.timeOrigin + performance.now(), e.data]);
	const d = Object.getOwnPropertyDescriptor(WebSocket.prototype, "onmessage");
	Object.defineProperty(WebSocket.prototype, "onmessage", {
		configurable: true, enumerable: d.enumerable, get: d.get,
		set(fn) {
			if (!hooked.has(this)) { hooked.add(this); this.addEventListener("message", record); }
			d.set.call(this, fn);
		},
	});
})();`

// BenchmarkFlood pushes floodSize messages into the demo channel as fast as
// the demo instance and the page sustain them, while the overlay (limit=1000, on another
// origin, so over the socket) follows, and reports how fast the page
// painted them against how fast they were posted, and how long each took
// from Post to paint, split at the moment its frame reached the page into
// the network+server part and the widget's own part.
//
// Metrics (medians over messages; every figure from the same run):
//   - msgs/s: painted messages per second, first post to last paint;
//     posts/s: posted messages per second, first post to last post;
//     paint/post-rate = msgs/s ÷ posts/s, ≈1 when the widget keeps up with
//     the source (the post loop is throttled by the page, so < 1 means the
//     page holds the source back or skips pruned messages).
//   - p50-ms, p95-ms: Post to paint.
//   - net-p50-ms: Post to frame arrival in the page (server, loopback, and
//     the wait for the page's main thread to take the frame: when the
//     widget is busy, that wait counts here, so widget-p50-ms is a lower
//     bound of the widget's cost).
//   - widget-p50-ms: frame arrival to paint, on the page's own clock;
//     widget/total = widget-p50-ms ÷ p50-ms.
func BenchmarkFlood(b *testing.B) {
	srv, d := startCrossOrigin(b, demo.Options{})
	p := NewPage(b)
	if _, err := chromedp.Call(p.Ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: frameHook}); err != nil {
		b.Fatalf("install websocket frame hook: %v", err)
	}
	p.Navigate(srv.Page("overlay.html", crossQuery(d, "history=0&limit=1000")))
	waitState(p, "live")
	if !Eval[bool](p, `Array.isArray(window.__frames) && window.__frames.length > 0`) {
		b.Fatal("the websocket frame hook saw no frame: the widget's socket was not hooked")
	}
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

	var total, network, widget []float64 // ms, per painted message of every flood
	var rendered int
	var posting, painting time.Duration // first post to last post / last paint, summed
	b.ResetTimer()
	for range b.N {
		Eval[chromedp.Void](p, `window.__painted.clear(); window.__frames.length = 0`)
		ids := make([]string, floodSize)
		posted := make([]float64, floodSize) // unix ms
		start := time.Now()
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
		posting += time.Since(start)
		last := ids[floodSize-1]
		WaitFor[bool](p, "the last message of the flood to be painted", `window.__painted.has(`+jsString(last)+`)`)
		b.StopTimer()

		painted := Eval[map[string]float64](p, `Object.fromEntries(window.__painted)`)
		arrived := Eval[map[string]float64](p, wsframes.Arrivals("window.__frames"))
		end := 0.0
		for i, id := range ids {
			at, ok := painted[id]
			if !ok {
				continue // a message pruned in the same frame it arrived (limit) is never painted
			}
			total = append(total, at-posted[i])
			end = math.Max(end, at)
			rendered++
			in, ok := arrived[id]
			if !ok {
				b.Errorf("message %s was painted but no subscription:data frame carrying it was seen", id)
				continue
			}
			network = append(network, in-posted[i])
			widget = append(widget, at-in)
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
	if rendered == 0 || len(widget) == 0 {
		b.Fatalf("%d messages of the flood were painted, %d of them with a frame seen", rendered, len(widget))
	}
	for _, s := range [][]float64{total, network, widget} {
		slices.Sort(s)
	}
	// Both splits are causal: a frame cannot reach the page before its
	// Post began (Go's and the page's wall clocks agree to well under a
	// millisecond on one machine), nor be painted before it arrived (one
	// clock). Anything else means a wrong clock or a wrong id match.
	if network[0] < -1 || widget[0] < 0 {
		b.Errorf("impossible split: earliest Post-to-arrival %.2f ms, arrival-to-paint %.2f ms", network[0], widget[0])
	}
	paintRate := float64(rendered) / painting.Seconds()
	postRate := float64(floodSize*b.N) / posting.Seconds()
	p50 := percentile(total, 0.50)
	b.ReportMetric(paintRate, "msgs/s")
	b.ReportMetric(postRate, "posts/s")
	b.ReportMetric(paintRate/postRate, "paint/post-rate")
	b.ReportMetric(float64(rendered)/float64(b.N), "painted/op")
	b.ReportMetric(p50, "p50-ms")
	b.ReportMetric(percentile(total, 0.95), "p95-ms")
	b.ReportMetric(percentile(network, 0.50), "net-p50-ms")
	b.ReportMetric(percentile(widget, 0.50), "widget-p50-ms")
	b.ReportMetric(percentile(widget, 0.50)/p50, "widget/total")
	p.AssertNoProblems()
}

// percentile of sorted values, nearest rank.
func percentile(sorted []float64, q float64) float64 {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
