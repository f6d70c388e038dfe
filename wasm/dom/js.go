//go:build js && wasm

package dom

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/hack-pad/safejs"

	"github.com/glimchat/glimchat/wasm/guard"
)

// The helpers below take a member as the DOM names it, "Interface.name", and
// put that name on their errors, so a log line says which JS call failed.

// member is the property or method name in "Interface.name".
func member(name string) string { return name[strings.LastIndexByte(name, '.')+1:] }

func call(v safejs.Value, name string, args ...any) (safejs.Value, error) {
	r, err := v.Call(member(name), args...)
	if err != nil {
		return safejs.Value{}, fmt.Errorf("%s: %w", name, err)
	}
	return r, nil
}

func get(v safejs.Value, name string) (safejs.Value, error) {
	r, err := v.Get(member(name))
	if err != nil {
		return safejs.Value{}, fmt.Errorf("%s: %w", name, err)
	}
	return r, nil
}

func set(v safejs.Value, name string, x any) error {
	if err := v.Set(member(name), x); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// prop reads a property and converts it, e.g. with safejs.Value.String.
func prop[T any](v safejs.Value, name string, as func(safejs.Value) (T, error)) (T, error) {
	p, err := get(v, name)
	if err != nil {
		var zero T
		return zero, err
	}
	t, err := as(p)
	if err != nil {
		return t, fmt.Errorf("%s: %w", name, err)
	}
	return t, nil
}

// toggle adds the empty attribute name to el when on, and removes it when not.
func toggle(el safejs.Value, name string, on bool) error {
	_, err := call(el, "Element.toggleAttribute", name, on)
	return err
}

func attr(el safejs.Value, name string) (string, error) {
	a, err := call(el, "Element.getAttribute", name)
	if err != nil || a.IsNull() {
		return "", err
	}
	s, err := a.String()
	if err != nil {
		return "", fmt.Errorf("Element.getAttribute: %w", err)
	}
	return s, nil
}

// listen adds fn, guarded under name, as a listener for event on target.
func listen(target safejs.Value, event, name string, fn func(safejs.Value, []safejs.Value) any) error {
	f, err := guard.FuncOf(name, fn)
	if err != nil {
		return err
	}
	return addListener(target, event, f)
}

func addListener(target safejs.Value, event string, f safejs.Func) error {
	if _, err := call(target, "EventTarget.addEventListener", event, f); err != nil {
		return fmt.Errorf("listen for %s: %w", event, err)
	}
	return nil
}

// report logs the errors of something that returns nothing (a page edit, an
// event handler): the widget goes on without that edit.
func report(what string, errs ...error) {
	if err := errors.Join(errs...); err != nil {
		slog.Default().Warn("dom: "+what, "err", err)
	}
}

// Mark puts a performance mark ("glimchat:" + name) on the page's timeline,
// where DevTools and make bench read the start-up's steps. Best effort.
func Mark(name string) {
	perf, err := get(safejs.Global(), "Window.performance")
	if err == nil && !perf.IsUndefined() {
		_, err = call(perf, "Performance.mark", "glimchat:"+name)
	}
	if err != nil {
		slog.Default().Debug("performance mark", "name", name, "err", err)
	}
}
