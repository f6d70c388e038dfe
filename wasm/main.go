//go:build js && wasm

// Command wasm is the glimchat widget, compiled to WebAssembly. This file is
// wiring only; the logic lives in the portable packages beside it.
package main

import (
	"github.com/hack-pad/safejs"
)

func main() {
	doc, err := safejs.Global().Get("document")
	if err != nil {
		return
	}
	status, err := doc.Call("getElementById", "glimchat-status")
	if err != nil || status.IsNull() {
		return
	}
	_ = status.Set("textContent", "glimchat is running")
	select {}
}
