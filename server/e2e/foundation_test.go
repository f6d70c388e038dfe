package e2e

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/glimchat/glimchat/internal/testids"
	"github.com/glimchat/glimchat/server/demo"
)

// The foundation: serve starts, the overlay loads, the wasm runs and writes
// its status line, and the page reports no error or CSP violation.
func TestOverlayRunsWasm(t *testing.T) {
	srv := StartServe(t, ServeOptions{})
	p := openPage(t, srv, "overlay.html", "channel=demo&"+readOnly)
	t.Logf("status %s", waitWasmStatus(t, p, "overlay.html"))

	// The wasm came over the wire compressed (the bundle's .br or .gz).
	sizes := Eval[[]float64](p, `(() => {
		const e = performance.getEntriesByType("resource").find(e => e.name.endsWith("/`+wasmName+`"));
		return e ? [e.encodedBodySize, e.decodedBodySize] : [];
	})()`)
	switch {
	case len(sizes) != 2:
		t.Errorf("the page did not fetch %s", wasmName)
	case sizes[0] <= 0 || sizes[0] >= sizes[1]/2:
		t.Errorf("%s transferred %v bytes for %v decoded, want a precompressed encoding", wasmName, sizes[0], sizes[1])
	}
	if mode := Eval[string](p, `document.getElementById("glimchat").dataset.mode`); mode != "overlay" {
		t.Errorf("data-mode = %q, want overlay", mode)
	}
	p.AssertNoProblems()
}

// waitWasmStatus waits until the wasm changed #glimchat-status of the page
// pageName from the text it was served with, and says to what.
func waitWasmStatus(t *testing.T, p *Page, pageName string) string {
	t.Helper()
	return WaitFor[string](p, "the wasm to write #glimchat-status", `(() => {
		const t = document.getElementById("glimchat-status").textContent;
		// A healthy chat empties (and hides) the line, so report that as a
		// change too: the poll needs a truthy value.
		return t !== `+jsString(initialStatus(t, pageName))+` ? "changed to " + JSON.stringify(t) : "";
	})()`)
}

// The embed page runs the same wasm, and the landing page (the generator)
// loads cleanly and offers the demo's overlay.
func TestPagesLoadCleanly(t *testing.T) {
	srv := StartServe(t, ServeOptions{})

	t.Run("embed", func(t *testing.T) {
		p := openPage(t, srv, "embed.html", "channel=demo&"+readOnly)
		waitWasmStatus(t, p, "embed.html")
		for _, id := range []string{"glimchat-composer", "glimchat-counter", "glimchat-alert", "glimchat-log"} {
			if !Eval[bool](p, `!!document.getElementById(`+jsString(id)+`)`) {
				t.Errorf("embed.html has no #%s", id)
			}
		}
		p.AssertNoProblems()
	})

	t.Run("index", func(t *testing.T) {
		p := NewPage(t)
		p.Navigate(srv.Page("", ""))
		u := WaitFor[string](p, "the generator's overlay URL",
			`(v => v.includes("channel=demo") ? v : "")(document.getElementById("glimchat-url").value)`)
		if !strings.Contains(u, "overlay.html?") {
			t.Errorf("the generator offers %q, want an overlay.html URL", u)
		}
		// The stylesheet applied: the landing layout is narrower than the window.
		if w := Eval[float64](p, `document.querySelector("main").getBoundingClientRect().width`); w <= 0 || w >= 1000 {
			t.Errorf("landing main width = %v, want the glimchat.css column", w)
		}
		p.AssertNoProblems()
	})
}

// A standalone demo runs on an origin of its own and answers GraphQL.
func TestStandaloneDemoOrigin(t *testing.T) {
	d := StartDemo(t, demo.Options{})
	srv := StartServe(t, ServeOptions{Instances: []string{d.URL}})
	if d.URL == srv.URL {
		t.Fatalf("demo and serve share the origin %s", d.URL)
	}
	var data struct {
		Channel struct{ ID string }
	}
	graphQL(t, d.URL, `query { channel(streamerUsername: "demo") { id } }`, nil, &data)
	if data.Channel.ID == "" {
		t.Error("POST /api/graph answered no id for the demo channel")
	}
}

// The harness must notice what it is meant to catch, or every "no problems"
// assertion above would pass vacuously.
func TestHarnessCatchesProblems(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/csp", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "script-src 'self'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><title>csp</title><script>window.ran = true</script>`))
	})
	mux.HandleFunc("/throw", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><title>throw</title><script>throw new Error("boom from the page")</script>`))
	})
	mux.HandleFunc("/clean", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><title>clean</title><script>console.log("fine")</script>`))
	})
	// Chromium may ask for /favicon.ico and log a 404 as a console error,
	// which would make the clean page look dirty at random.
	mux.HandleFunc("/favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	tests := []struct {
		path string
		want string // a problem containing this, or none when empty
	}{
		{"/csp", "CSP violation: script-src-elem"},
		{"/throw", "boom from the page"},
		{"/clean", ""},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.path, "/"), func(t *testing.T) {
			p := NewPage(t)
			p.Navigate(srv.URL + tt.path)
			problems := p.Problems()
			if tt.want == "" {
				if len(problems) != 0 {
					t.Errorf("problems on a clean page: %q", problems)
				}
				if logs := p.Console(); len(logs) != 1 || logs[0].Text != "fine" {
					t.Errorf("console = %v, want the one log line", logs)
				}
				return
			}
			if !slices.ContainsFunc(problems, func(s string) bool { return strings.Contains(s, tt.want) }) {
				t.Errorf("problems = %q, want one containing %q", problems, tt.want)
			}
		})
	}
}

func TestBuiltWasm(t *testing.T) {
	page := []byte(`<meta name="glimchat-wasm" content="` + testids.HashedWasm + `">`)
	tests := []struct {
		name string
		fs   fstest.MapFS
		ok   bool
	}{
		{"built", fstest.MapFS{testids.HashedWasm: {}, "overlay.html": {Data: page}}, true},
		{"nothing built", fstest.MapFS{}, false},
		{"no pages", fstest.MapFS{testids.HashedWasm: {}}, false},
		{"stale page", fstest.MapFS{"glimchat.ffffffffffff.wasm": {}, "overlay.html": {Data: page}}, false},
		{"two builds", fstest.MapFS{testids.HashedWasm: {}, "glimchat.ffffffffffff.wasm": {}, "overlay.html": {Data: page}}, false},
	}
	for _, tt := range tests {
		name, err := builtWasm(tt.fs)
		if (err == nil) != tt.ok {
			t.Errorf("%s: builtWasm = %q, %v; want ok=%v", tt.name, name, err, tt.ok)
		}
	}
}
