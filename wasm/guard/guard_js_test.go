//go:build js && wasm

package guard

// Run in Chromium: GOOS=js GOARCH=wasm go test -exec=bin/wasmbrowsertest ./wasm/guard/

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/glimchat/glimchat/wasm/jstest"
)

// lockedBuffer is a log sink that callbacks write while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// captureLog sends the default logger to a buffer for the test, so that the
// panics it provokes on purpose stay off the console (server/e2e fails on
// a "panic in" there).
func captureLog(t *testing.T) *lockedBuffer {
	buf := &lockedBuffer{}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(buf, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return buf
}

// global hands fn to JavaScript as window[name] until the test ends.
func global(t *testing.T, name string, fn func(safejs.Value, []safejs.Value) any) {
	t.Helper()
	f, err := FuncOf(name, fn)
	if err != nil {
		t.Fatal(err)
	}
	if err := safejs.Global().Set(name, f.Value()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = safejs.Global().Delete(name)
		f.Release()
	})
}

// A callback that panics, whether JavaScript calls it directly, from a
// timer or as an event listener, and whatever it panics with, neither
// throws nor returns anything, and logs the panic; the program lives on and its other
// callbacks keep answering, also after many panics.
func TestPanicInCallbackIsContained(t *testing.T) {
	logs := captureLog(t)
	global(t, "__panicky", func(_ safejs.Value, args []safejs.Value) any {
		kind := "string"
		if len(args) > 0 {
			kind, _ = args[0].String()
		}
		switch kind {
		case "error":
			panic(fmt.Errorf("an error"))
		case "runtime":
			var m map[string]int
			m["x"] = 1 // assignment to entry in nil map
		case "nil":
			panic(nil)
		}
		panic("boom")
	})
	healthy := 0
	global(t, "__healthy", func(safejs.Value, []safejs.Value) any {
		healthy++
		return healthy
	})

	// Timers and listeners run from the event loop, the way the page's
	// events reach the widget; each result lands in __results.
	jstest.Run(t, `
		const results = window.__results = [];
		const call = (...args) => { try { results.push(String(__panicky(...args))); } catch (e) { results.push("threw " + e); } };
		for (const kind of ["string", "error", "runtime", "nil"]) setTimeout(() => call(kind), 0);
		for (let i = 0; i < 20; i++) setTimeout(() => call(), 0);
		const target = new EventTarget();
		target.addEventListener("x", () => call("runtime"));
		setTimeout(() => target.dispatchEvent(new Event("x")), 0);
		setTimeout(() => results.push("healthy " + __healthy()), 0);
		call("error"); // directly, before any of them
	`)
	const want = 4 + 20 + 1 + 1 + 1
	deadline := time.Now().Add(5 * time.Second)
	var results []string
	for {
		n, err := lengthOf("__results")
		if err != nil {
			t.Fatal(err)
		}
		if n >= want || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond) // lets the event loop run the timers
	}
	arr, err := safejs.Global().Get("__results")
	if err != nil {
		t.Fatal(err)
	}
	n, _ := arr.Length()
	for i := range n {
		v, _ := arr.Index(i)
		s, _ := v.String()
		results = append(results, s)
	}
	if len(results) != want {
		t.Fatalf("%d results, want %d: %q", len(results), want, results)
	}
	for _, r := range results[:want-1] {
		if r != "null" && r != "undefined" { // nil becomes null on its way to JavaScript
			t.Errorf("a panicking callback gave JavaScript %q, want nothing", r)
		}
	}
	if last := results[want-1]; last != "healthy 1" {
		t.Errorf("the healthy callback after the panics: %q", last)
	}
	// Synchronously, from Go through JavaScript, after all that.
	f, err := safejs.Global().Get("__healthy")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Invoke(); err != nil {
		t.Errorf("healthy callback: %v", err)
	} else if n, _ := v.Int(); n != 2 {
		t.Errorf("healthy callback returned %d, want 2", n)
	}

	log := logs.String()
	if n := strings.Count(log, "glimchat: panic in callback"); n != want-1 {
		t.Errorf("%d panics logged, want %d", n, want-1)
	}
	for _, s := range []string{"callback=__panicky", "panic=boom", `panic="an error"`, "assignment to entry in nil map", "panic called with nil argument", "guard_js_test.go"} {
		if !strings.Contains(log, s) {
			t.Errorf("the panic log does not say %q", s)
		}
	}
}

func lengthOf(name string) (int, error) {
	v, err := safejs.Global().Get(name)
	if err != nil {
		return 0, err
	}
	return v.Length()
}

// Work a callback hands to Go runs on; a panic there is logged, and the
// program lives on to run the next.
func TestPanicInHandedOffWorkIsContained(t *testing.T) {
	logs := captureLog(t)
	done := make(chan struct{})
	Go("handed off", func() { panic("boom") })
	Go("after it", func() { close(done) })
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the program did not run the work after a panic")
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "callback=\"handed off\"") {
		if time.Now().After(deadline) {
			t.Fatalf("the panic was not logged: %q", logs.String())
		}
		time.Sleep(time.Millisecond)
	}
}
