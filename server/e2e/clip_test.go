package e2e

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/glimchat/glimchat/server/demo"
)

// clipState checks every line of the overlay's log as a frame is painted:
// a line that does not fit whole is marked data-clipped, and only such a
// line is. offsetTop and offsetHeight are rounded: a line may overflow by a
// pixel that is only their sum's rounding. It measures in a ResizeObserver callback of its own, two frames
// on: observers are called in the order they were made, so the widget's has
// marked the lines of that frame's layout by then (an image that loaded
// just before the frame included), as the browser paints them.
const clipState = `new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => {
	const log = document.getElementById("glimchat-log");
	const ro = new ResizeObserver(() => {
		ro.disconnect();
		const h = log.clientHeight, bad = [];
		let clipped = 0;
		for (const li of log.children) {
			const cut = li.offsetTop < -1 || li.offsetTop + li.offsetHeight > h + 1;
			const marked = li.hasAttribute("data-clipped");
			if (marked) clipped++;
			if (cut !== marked) bad.push(li.dataset.messageId + (cut ? " cut, not marked" : " marked, fits"));
		}
		done(JSON.stringify({n: log.children.length, clipped, bad}));
	});
	ro.observe(log);
})))`

// The overlay hides a line that does not fit whole (measured after the
// browser's own layout of the frame, never in the middle of the paint), and
// with prevent_clipping removes it.
func TestOverlayClipping(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{})
	for _, c := range []struct{ name, query string }{
		{"marked", ""},
		{"pushed out", "&prevent_clipping=1"},
		{"direction top", "&direction=top"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := openPage(t, srv, "overlay.html", "channel=demo&"+readOnly+"&history=80&limit=100&font_size=40"+c.query)
			WaitFor[bool](p, "the history", `document.querySelectorAll("#glimchat-log > li").length > 0`)
			got := Eval[string](p, clipState)
			if strings.Contains(got, `"bad":[]`) == false {
				t.Errorf("lines: %s", got)
			}
			pushOut := c.query == "&prevent_clipping=1"
			if pushOut && !strings.Contains(got, `"clipped":0`) {
				t.Errorf("prevent_clipping marked lines instead of removing them: %s", got)
			}
			if !pushOut && strings.Contains(got, `"clipped":0,`) {
				t.Errorf("80 lines of 40 px fit the overlay? %s", got)
			}
			if pushOut && strings.Contains(got, `"n":80`) {
				t.Errorf("prevent_clipping kept every line: %s", got)
			}
		})
	}
}

// cutJS is the ids of the lines that do not fit whole, by their layout.
const cutJS = `(() => {
	const log = document.getElementById("glimchat-log"), h = log.clientHeight;
	return [...log.children].filter(li => li.offsetTop < -1 || li.offsetTop + li.offsetHeight > h + 1)
		.map(li => li.dataset.messageId).join();
})()`

// Emotes that load after their lines were painted change the lines'
// sizes (an image still loading has no width), and so which lines fit:
// the marks follow, though the log's own size does not change. Every emote
// image is held until the lines are on the page, and is then a wide one
// (three times its height, the widest an emote is shown): in a narrow
// overlay, its line wraps once it is in.
func TestOverlayClippingFollowsLoadingEmotes(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var held atomic.Int32
	inst := startInstance(t, demo.Options{Seed: 1}, slog.New(slog.DiscardHandler))
	api := inst.Handler()
	srv := StartServe(t, ServeOptions{API: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/uploads/emotes/") {
			held.Add(1)
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
			w.Header().Set("Content-Type", "image/svg+xml")
			_, _ = io.WriteString(w, `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="32"><rect width="96" height="32" fill="#f4900c"/></svg>`)
			return
		}
		api.ServeHTTP(w, r)
	})})
	srv.Demo = inst
	p := NewPage(t)
	// A narrow source: a line with an emote wraps once the emote is in.
	if _, err := chromedp.Run(p.Ctx, chromedp.EmulateViewport(420, 600)); err != nil {
		t.Fatal(err)
	}
	p.Navigate(srv.Page("overlay.html", "channel=demo&"+readOnly+"&history=30&limit=100&font_size=20&emote_scale=2"))
	WaitFor[bool](p, "the history", `document.querySelectorAll("#glimchat-log > li").length > 0`)
	WaitFor[bool](p, "an emote on its way", `document.querySelector("#glimchat-log img.glimchat-emote") !== null`)
	if held.Load() == 0 {
		t.Fatal("no emote image was requested: the test would hold nothing")
	}
	if got := Eval[string](p, clipState); !strings.Contains(got, `"bad":[]`) {
		t.Errorf("while the emotes load: %s", got)
	}
	before := Eval[string](p, cutJS)
	close(release)
	WaitFor[bool](p, "the emotes", `[...document.querySelectorAll("#glimchat-log img")].every(i => i.complete)`)
	if got := Eval[string](p, clipState); !strings.Contains(got, `"bad":[]`) {
		t.Errorf("after the emotes loaded: %s", got)
	}
	if after := Eval[string](p, cutJS); after == before {
		t.Fatalf("the emotes loading left the same lines cut (%s): the test shows nothing", after)
	}
}
