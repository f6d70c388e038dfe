package e2e

import (
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/glimchat/glimchat/server/demo"
)

// cspProbes are what a bug that let markup or script into the page would
// try next, run through CDP (which the policy does not cover) in the page:
// each answers what happened to it. off is an origin the policy does not
// list.
const cspProbes = `(async (off) => {
	const out = {};
	out.fetch = await fetch(off + "/fetch").then(r => "fetched " + r.status, e => "rejected " + e.name);
	out.socket = await new Promise(resolve => {
		try {
			const ws = new WebSocket(off.replace("http", "ws") + "/socket");
			ws.onopen = () => resolve("open");
			ws.onerror = () => resolve("error");
		} catch (e) { resolve("threw " + e.name); }
	});
	const s = document.createElement("script");
	s.textContent = "window.pwned = 1";
	document.body.appendChild(s);
	try { eval("window.pwned = 2"); out.eval = "ran"; } catch (e) { out.eval = "threw " + e.name; }
	const st = document.createElement("style");
	st.textContent = "#glimchat-log { display: none }";
	document.head.appendChild(st);
	out.image = await new Promise(resolve => {
		const img = new Image();
		img.onload = () => resolve("loaded");
		img.onerror = () => resolve("error");
		img.src = off + "/image.png";
	});
	out.pwned = typeof window.pwned;
	out.logShown = getComputedStyle(document.getElementById("glimchat-log")).display !== "none";
	return out;
})`

type cspOutcome struct {
	Fetch, Socket, Eval, Image, Pwned string
	LogShown                          bool
}

// The policy glimchat serve sends holds in the browser, while the widget
// runs cross-origin under it without a single violation of its own: an
// inline script, eval, an inline style, and a fetch, a websocket and an
// image to an origin the policy does not list are all blocked and
// reported (no request reaches that origin), and the widget goes on
// rendering new messages.
func TestCSPBlocksInjectedScriptsAndOffListOrigins(t *testing.T) {
	t.Parallel()
	var reached atomic.Int64
	off := listen(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		http.NotFound(w, r)
	}), "off-list origin", &syncBuffer{})
	for _, pageName := range []string{"overlay.html", "embed.html"} {
		t.Run(strings.TrimSuffix(pageName, ".html"), func(t *testing.T) {
			srv, d := startCrossOrigin(t, demo.Options{})
			p := NewPage(t)
			watch := watchExecution(p)
			p.Navigate(srv.Page(pageName, crossQuery(d, "history=5")))
			waitCount(p, 5)
			waitState(p, "live")
			p.AssertNoProblems() // the widget itself needs nothing the policy forbids
			if v := watch.violations(); len(v) > 0 {
				t.Fatalf("violations before any probe: %q", v)
			}

			got := Eval[cspOutcome](p, cspProbes+"("+jsString(off)+")")
			want := cspOutcome{Fetch: "rejected TypeError", Socket: "error", Eval: "threw EvalError", Image: "error", Pwned: "undefined", LogShown: true}
			if got != want {
				t.Errorf("probes: %+v\nwant %+v", got, want)
			}
			directives := WaitFor[[]string](p, "every probe reported", `(() => {
				const d = window.__violations.map(v => v.split(" ")[0]);
				return d.length >= 6 ? d.sort() : null;
			})()`)
			if want := []string{"connect-src", "connect-src", "img-src", "script-src", "script-src-elem", "style-src-elem"}; !slices.Equal(directives, want) {
				t.Errorf("violated directives %q, want %q", directives, want)
			}
			if n := reached.Load(); n != 0 {
				t.Errorf("the off-list origin got %d requests", n)
			}

			id := post(t, d.Inst, "Noor", "still rendering under the policy")
			waitShown(p, id)
		})
	}
}
