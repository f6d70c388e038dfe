//go:build js && wasm

// Package guard wraps Go functions handed to JavaScript so that a panic in
// one callback is logged instead of killing the whole wasm program.
package guard

import (
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/hack-pad/safejs"
)

// FuncOf is safejs.FuncOf with the callback's panics recovered and logged
// under name. A recovered callback returns null to JavaScript.
func FuncOf(name string, fn func(this safejs.Value, args []safejs.Value) any) (safejs.Func, error) {
	f, err := safejs.FuncOf(func(this safejs.Value, args []safejs.Value) (result any) {
		defer func() {
			if r := recover(); r != nil {
				logPanic(name, r)
				result = nil
			}
		}()
		return fn(this, args)
	})
	if err != nil {
		return f, fmt.Errorf("js.FuncOf for the %s callback: %w", name, err)
	}
	return f, nil
}

// Go runs fn on a goroutine of its own, with its panics recovered and
// logged under name. Callbacks hand their work off with it: they must not
// block, and a panic on a goroutine they start would end the program too.
func Go(name string, fn func()) {
	go func() {
		defer func() {
			if r := recover(); r != nil {
				logPanic(name, r)
			}
		}()
		fn()
	}()
}

func logPanic(name string, r any) {
	// server/e2e looks for "glimchat: panic in" on the console.
	slog.Default().Error("glimchat: panic in callback", "callback", name, "panic", r, "stack", string(debug.Stack()))
}
