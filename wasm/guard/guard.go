//go:build js && wasm

// Package guard wraps Go functions handed to JavaScript so that a panic in
// one callback is logged instead of killing the whole wasm program.
package guard

import (
	"fmt"
	"os"
	"runtime/debug"

	"github.com/hack-pad/safejs"
)

// FuncOf is safejs.FuncOf with the callback's panics recovered and logged
// under name. A recovered callback returns undefined to JavaScript.
func FuncOf(name string, fn func(this safejs.Value, args []safejs.Value) any) (safejs.Func, error) {
	return safejs.FuncOf(func(this safejs.Value, args []safejs.Value) (result any) {
		defer func() {
			if r := recover(); r != nil {
				fmt.Fprintf(os.Stderr, "glimchat: panic in %s callback: %v\n%s", name, r, debug.Stack())
				result = nil
			}
		}()
		return fn(this, args)
	})
}
