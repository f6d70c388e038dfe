//go:build js && wasm

package dom

// Run in Chromium: GOOS=js GOARCH=wasm go test -exec=bin/wasmbrowsertest ./wasm/dom/

import (
	"testing"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/glimchat/glimchat/wasm/jstest"
)

// fakeOBS installs window.obsstudio as OBS's browser source does; with
// handler, the page already has an onVisibilityChange that records its
// calls in obsstudio.seen.
func fakeOBS(t *testing.T, handler bool) safejs.Value {
	t.Helper()
	src := `window.obsstudio = {seen: []};`
	if handler {
		src += `window.obsstudio.onVisibilityChange = function (v) { this.seen.push(v); };`
	}
	jstest.Run(t, src)
	t.Cleanup(func() { _ = safejs.Global().Delete("obsstudio") })
	obs, err := safejs.Global().Get("obsstudio")
	if err != nil {
		t.Fatal(err)
	}
	return obs
}

// patience is how long a test waits for what should happen: long, so that
// a busy machine is not a failure. What should not happen gets 300 ms.
const patience = 5 * time.Second

// woke reports whether fn ran, waiting as long as what is expected needs.
func woke(ch <-chan struct{}, expected bool) bool {
	wait := 300 * time.Millisecond
	if expected {
		wait = patience
	}
	select {
	case <-ch:
		return true
	case <-time.After(wait):
		return false
	}
}

func TestOnWakeOBSVisibility(t *testing.T) {
	for _, handler := range []bool{false, true} {
		t.Run(map[bool]string{false: "alone", true: "chained"}[handler], func(t *testing.T) {
			obs := fakeOBS(t, handler)
			wakes := make(chan struct{}, 4)
			if err := OnWake(func() { wakes <- struct{}{} }); err != nil {
				t.Fatal(err)
			}
			// OBS calls it as a method, with a boolean.
			if _, err := obs.Call("onVisibilityChange", false); err != nil {
				t.Fatal(err)
			}
			if woke(wakes, false) {
				t.Error("woke when OBS hid the source")
			}
			if _, err := obs.Call("onVisibilityChange", true); err != nil {
				t.Fatal(err)
			}
			if !woke(wakes, true) {
				t.Error("no wake when OBS showed the source")
			}
			seen, err := obs.Get("seen")
			if err != nil {
				t.Fatal(err)
			}
			n, err := seen.Length()
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{false: 0, true: 2}[handler]; n != want {
				t.Errorf("the page's own handler ran %d times with obsstudio as this, want %d", n, want)
			}
		})
	}
}

func TestOnWakeWithoutOBS(t *testing.T) {
	if err := OnWake(func() {}); err != nil {
		t.Fatalf("OnWake outside OBS: %v", err)
	}
}
