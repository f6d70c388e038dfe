package e2e

import (
	"strings"
	"testing"
)

// clipState checks every line of the overlay's log after two frames: a line
// that does not fit whole is marked data-clipped, and only such a line is.
const clipState = `new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => {
	const log = document.getElementById("glimchat-log");
	const h = log.clientHeight, bad = [];
	let clipped = 0;
	for (const li of log.children) {
		const cut = li.offsetTop < -0.5 || li.offsetTop + li.offsetHeight > h + 0.5;
		const marked = li.hasAttribute("data-clipped");
		if (marked) clipped++;
		if (cut !== marked) bad.push(li.dataset.messageId + (cut ? " cut, not marked" : " marked, fits"));
	}
	done(JSON.stringify({n: log.children.length, clipped, bad}));
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
