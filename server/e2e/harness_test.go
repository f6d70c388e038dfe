// Package e2e holds the browser tests: glimchat serve (and, for cross-origin
// cases, a standalone demo instance) on loopback, driven by headless Debian
// chromium through chromedp, and the tests of the wasm/ packages, run in
// chromium through wasmbrowsertest (wasmbrowser_test.go). This file is the
// reusable harness: the servers, the browser and its pages. page_test.go
// reads and drives the widget's pages, instance_test.go talks to the demo
// instance, and the tests of each feature live in their own files.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/glimchat/glimchat/internal/chromium"
	"github.com/glimchat/glimchat/server/demo"
	"github.com/glimchat/glimchat/server/site"
	"github.com/glimchat/glimchat/web"
)

// browser is the one chromium of this test binary; every Page is a tab in it.
var browser context.Context

// wasmName is the content-hashed widget in web.Dist().
var wasmName string

// Timeout bounds each wait of the harness. Generous: two shared cores.
const Timeout = 30 * time.Second

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	name, err := builtWasm(web.Dist())
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v: run make build first\n", err)
		return 1
	}
	wasmName = name

	ctx, stop, err := chromium.Start()
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	defer stop()
	browser = ctx
	return m.Run()
}

// builtWasm checks that the assets were built (the wasm is there and the
// pages point at it) and returns the wasm's name.
func builtWasm(dist fs.FS) (string, error) {
	names, err := fs.Glob(dist, "glimchat.*.wasm")
	if err != nil {
		return "", err
	}
	if len(names) != 1 {
		return "", fmt.Errorf("web.Dist() holds %d glimchat.*.wasm files, want 1", len(names))
	}
	overlay, err := fs.ReadFile(dist, "overlay.html")
	if err != nil {
		return "", fmt.Errorf("web.Dist(): %w", err)
	}
	if !bytes.Contains(overlay, []byte(`content="`+names[0]+`"`)) {
		return "", fmt.Errorf("web.Dist() overlay.html does not point at %s", names[0])
	}
	return names[0], nil
}

// syncBuffer is a log destination that tests read while servers write.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// slogJSON logs everything, as JSON lines, to w.
func slogJSON(w *syncBuffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// ServeOptions configures StartServe.
type ServeOptions struct {
	// Demo configures the demo instance mounted on the same origin. A zero
	// Seed becomes 1, so runs are deterministic.
	Demo demo.Options
	// API, when set, is mounted instead of a demo instance (for example a
	// proxy); Serve.Demo is then nil.
	API http.Handler
	// Instances are extra instance origins the pages may reach (CSP).
	Instances []string
	// Assets replaces web.Dist(), for tests of broken deployments.
	Assets fs.FS
}

// Serve is a running `glimchat serve` equivalent on 127.0.0.1.
type Serve struct {
	URL  string         // origin, e.g. http://127.0.0.1:41234
	Demo *demo.Instance // the mounted demo instance, nil when ServeOptions.API was set
	Log  *syncBuffer    // everything the site and the demo logged (JSON lines)
}

// Page returns the URL of a page of the widget with the given query.
func (s *Serve) Page(name, query string) string {
	u := s.URL + "/" + name
	if query != "" {
		u += "?" + query
	}
	return u
}

// StartServe starts the widget host with the built assets. Everything stops
// when the test ends.
func StartServe(t testing.TB, opts ServeOptions) *Serve {
	t.Helper()
	logs := &syncBuffer{}
	logger := slogJSON(logs)
	s := &Serve{Log: logs}
	api := opts.API
	if api == nil {
		s.Demo = startInstance(t, opts.Demo, logger.With("component", "demo"))
		api = s.Demo.Handler()
	}
	assets := opts.Assets
	if assets == nil {
		assets = web.Dist()
	}
	h, err := site.New(site.Config{Assets: assets, API: api, Instances: opts.Instances, Logger: logger})
	if err != nil {
		t.Fatalf("site.New: %v", err)
	}
	s.URL = listen(t, h, "serve", logs)
	return s
}

// Demo is a standalone demo instance, like `glimchat demo`, on an origin of
// its own: the widget meets it exactly as it would meet a real instance.
type Demo struct {
	URL  string
	Inst *demo.Instance
	Log  *syncBuffer
}

// StartDemo starts a standalone demo instance on 127.0.0.1 (a different port,
// so a different origin from any Serve).
func StartDemo(t testing.TB, opts demo.Options) *Demo {
	t.Helper()
	logs := &syncBuffer{}
	inst := startInstance(t, opts, slogJSON(logs))
	return &Demo{URL: listen(t, inst.Handler(), "demo", logs), Inst: inst, Log: logs}
}

// startInstance creates a demo instance and runs its chatters until the
// test ends.
func startInstance(t testing.TB, opts demo.Options, logger *slog.Logger) *demo.Instance {
	t.Helper()
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.Logger == nil {
		opts.Logger = logger
	}
	inst, err := demo.New(opts)
	if err != nil {
		t.Fatalf("demo.New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		inst.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(Timeout):
			t.Errorf("demo instance did not stop within %v of its context ending", Timeout)
		}
	})
	return inst
}

// listen serves h on a loopback httptest server and returns its origin. On
// failure the server's log is printed, since that is where the cause is.
func listen(t testing.TB, h http.Handler, what string, logs *syncBuffer) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s log:\n%s", what, logs.String())
		}
		// Websocket handlers hold their connections; don't let a stuck one
		// hang the whole test binary.
		srv.CloseClientConnections()
		closed := make(chan struct{})
		go func() {
			srv.Close()
			close(closed)
		}()
		select {
		case <-closed:
		case <-time.After(Timeout):
			t.Errorf("%s server did not shut down within %v", what, Timeout)
		}
	})
	return srv.URL
}

// problemHook runs in every document before its own scripts (CDP scripts are
// not subject to the page's CSP) and reports CSP violations as console
// errors, so they are caught even where chromium only counts them.
const problemHook = `document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.effectiveDirective + " blocked " + (e.blockedURI || "an inline resource") +
    " in " + e.sourceFile + ":" + e.lineNumber);
});`

// syncMarker prefixes the console messages Page uses to know that it has seen
// everything the page logged before.
const syncMarker = "glimchat-e2e-sync "

// Page is a browser tab with its console recorded from the start.
type Page struct {
	t   testing.TB
	Ctx context.Context // the tab, for chromedp.Run and chromedp.Do

	mu     sync.Mutex
	msgs   []chromedp.ConsoleMessage
	seen   map[string]chan struct{} // sync markers waited for
	nsyncs int
}

// NewPage opens a tab that closes when the test ends.
func NewPage(t testing.TB) *Page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab
		t.Fatalf("open tab: %v", err)
	}
	p := &Page{t: t, Ctx: ctx, seen: make(map[string]chan struct{})}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: problemHook}); err != nil {
		t.Fatalf("install CSP hook: %v", err)
	}
	messages := chromedp.Console(ctx) // subscribes now, before any navigation
	go func() {
		for m, err := range messages {
			if err != nil {
				return // the tab closed
			}
			p.record(m)
		}
	}()
	return p
}

func (p *Page) record(m chromedp.ConsoleMessage) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if marker, ok := strings.CutPrefix(m.Text, syncMarker); ok && m.Type == chromedp.ConsoleDebug {
		if ch := p.seen[marker]; ch != nil {
			close(ch)
			delete(p.seen, marker)
		}
		return
	}
	p.msgs = append(p.msgs, m)
}

// SetSession stores key=value in the sessionStorage of origin before any
// script of each later document of that origin runs, as a signed-in page
// would have it. The value never appears in a URL.
func (p *Page) SetSession(origin, key, value string) {
	p.t.Helper()
	src := fmt.Sprintf(`if (location.origin === %s) sessionStorage.setItem(%s, %s);`,
		jsString(origin), jsString(key), jsString(value))
	if _, err := chromedp.Call(p.Ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
		p.t.Fatalf("install sessionStorage script: %v", err)
	}
}

// Navigate loads url and waits for its load event.
func (p *Page) Navigate(url string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		p.t.Fatalf("navigate to %s: %v", url, err)
	}
}

// Eval evaluates a JavaScript expression in the page and returns its value.
func Eval[T any](p *Page, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// WaitFor polls a JavaScript expression until it is truthy and returns its
// value. On timeout the test fails with what the page logged.
func WaitFor[T any](p *Page, what, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, Timeout+5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Poll[T](expr,
		chromedp.WithPollingInterval(25*time.Millisecond), chromedp.WithPollingTimeout(Timeout)))
	if err != nil {
		p.t.Fatalf("wait for %s: %v\nconsole:\n%s", what, err, p.consoleText())
	}
	return v
}

// Text returns the textContent of the element with the given id ("" when
// it is missing).
func (p *Page) Text(id string) string {
	p.t.Helper()
	return Eval[string](p, fmt.Sprintf(`(document.getElementById(%s) || {}).textContent || ""`, jsString(id)))
}

// Sync returns once every console message the page wrote so far has been
// recorded: it logs a marker and waits for it to come through.
func (p *Page) Sync() {
	p.t.Helper()
	p.mu.Lock()
	p.nsyncs++
	marker := fmt.Sprint(p.nsyncs)
	ch := make(chan struct{})
	p.seen[marker] = ch
	p.mu.Unlock()
	Eval[chromedp.Void](p, fmt.Sprintf(`console.debug(%s)`, jsString(syncMarker+marker)))
	select {
	case <-ch:
	case <-time.After(Timeout):
		p.t.Fatalf("console of the page did not deliver the sync marker within %v", Timeout)
	}
}

// Console returns every console message so far (after a Sync).
func (p *Page) Console() []chromedp.ConsoleMessage {
	p.Sync()
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]chromedp.ConsoleMessage(nil), p.msgs...)
}

// Problems returns the console errors, uncaught exceptions, unhandled
// rejections and CSP violations so far, as text.
func (p *Page) Problems() []string {
	var out []string
	for _, m := range p.Console() {
		if isProblem(m) {
			out = append(out, describe(m))
		}
	}
	return out
}

// AssertNoProblems fails the test for each problem the page reported.
func (p *Page) AssertNoProblems() {
	p.t.Helper()
	for _, pr := range p.Problems() {
		p.t.Errorf("page reported: %s", pr)
	}
}

// AssertNoPageProblems is AssertNoProblems for pages meant to meet a failing
// server: the browser's own reports of failed requests (refused
// connections, HTTP errors, CORS refusals) are expected there, while script
// errors, exceptions and CSP violations still fail.
func (p *Page) AssertNoPageProblems() {
	p.t.Helper()
	for _, m := range p.Console() {
		if isProblem(m) && !failedRequest(m) {
			p.t.Errorf("page reported: %s", describe(m))
		}
	}
}

// failedRequest reports whether m is the browser logging a request that
// failed or that CORS refused (not one that the CSP blocked).
func failedRequest(m chromedp.ConsoleMessage) bool {
	if strings.Contains(m.Text, "Content Security Policy") {
		return false
	}
	return m.Source == "network" || m.Source == "javascript" && strings.Contains(m.Text, "blocked by CORS policy")
}

func isProblem(m chromedp.ConsoleMessage) bool {
	return m.Type == chromedp.ConsoleError || m.IsException() ||
		strings.Contains(m.Text, "Content Security Policy")
}

func describe(m chromedp.ConsoleMessage) string {
	s := m.String()
	if m.Source != "" {
		s = "[" + m.Source + "] " + s
	}
	if m.URL != "" {
		s += fmt.Sprintf(" (%s:%d)", m.URL, m.Line+1)
	}
	return s
}

func (p *Page) consoleText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	for _, m := range p.msgs {
		b.WriteString("  " + describe(m) + "\n")
	}
	return b.String()
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// jsArray writes ss as a JavaScript array of string literals.
func jsArray(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = jsString(s)
	}
	return "[" + strings.Join(q, ",") + "]"
}

// initialStatus is the text #glimchat-status has in a page before the wasm
// writes to it.
func initialStatus(t testing.TB, pageName string) string {
	t.Helper()
	html, err := fs.ReadFile(web.Dist(), pageName)
	if err != nil {
		t.Fatalf("read %s: %v", pageName, err)
	}
	m := regexp.MustCompile(`<p id="glimchat-status"[^>]*>([^<]*)</p>`).FindSubmatch(html)
	if m == nil {
		t.Fatalf("%s has no #glimchat-status paragraph", pageName)
	}
	return string(m[1])
}
