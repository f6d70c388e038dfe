package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// clipState checks every line of the overlay's log as a frame is painted:
// a line that does not fit whole is marked data-clipped, and only such a
// line is. It measures in a ResizeObserver callback of its own, two frames
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
			const cut = li.offsetTop < -0.5 || li.offsetTop + li.offsetHeight > h + 0.5;
			const marked = li.hasAttribute("data-clipped");
			if (marked) clipped++;
			if (cut !== marked) bad.push(li.dataset.messageId + (cut ? " cut, not marked" : " marked, fits"));
		}
		done(JSON.stringify({n: log.children.length, clipped, bad}));
	});
	ro.observe(log);
})))`

// growNewest makes the newest line taller, as an emote that loads after its
// line was painted does (its width was its alt text's until then), and
// fires the image's load event. The log keeps its size.
const growNewest = `(() => {
	const img = document.createElement("img");
	img.style.height = "160px";
	img.style.display = "block";
	document.getElementById("glimchat-log").lastElementChild.append(img);
	img.dispatchEvent(new Event("load"));
})()`

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
			// A line that grows after its paint moves the others: the
			// marks follow, though the log's own size did not change.
			Eval[chromedp.Void](p, growNewest)
			if got := Eval[string](p, clipState); !strings.Contains(got, `"bad":[]`) {
				t.Errorf("after an image grew the newest line: %s", got)
			}
		})
	}
}
