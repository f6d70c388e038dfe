//go:build js && wasm

// Package jstest helps js/wasm tests set up the page they run in.
package jstest

import (
	"testing"

	"github.com/hack-pad/safejs"
)

// Run runs the JavaScript statements src in the page, as a function body,
// and fails the test if they throw.
func Run(t testing.TB, src string) {
	t.Helper()
	ctor, err := safejs.Global().Get("Function")
	if err != nil {
		t.Fatal(err)
	}
	fn, err := ctor.New(src)
	if err != nil {
		t.Fatalf("compile test script: %v", err)
	}
	if _, err := fn.Invoke(); err != nil {
		t.Fatalf("run test script: %v", err)
	}
}
