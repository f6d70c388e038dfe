//go:build js && wasm

package dom

import (
	"errors"

	"github.com/hack-pad/safejs"

	"github.com/glimchat/glimchat/wasm/guard"
)

// Location returns the page's URL and its query string.
func Location() (href, search string) {
	loc, err := get(safejs.Global(), "Window.location")
	if err == nil {
		var errHref, errSearch error
		href, errHref = prop(loc, "Location.href", safejs.Value.String)
		search, errSearch = prop(loc, "Location.search", safejs.Value.String)
		err = errors.Join(errHref, errSearch)
	}
	report("read the page's URL", err)
	return href, search
}

// SessionValue reads key from sessionStorage ("" when absent or blocked).
func SessionValue(key string) string {
	// Reading sessionStorage throws where storage is blocked (a sandboxed
	// frame, site data turned off).
	store, err := get(safejs.Global(), "Window.sessionStorage")
	if err != nil || store.IsNull() || store.IsUndefined() {
		report("read sessionStorage", err)
		return ""
	}
	v, err := call(store, "Storage.getItem", key)
	if err != nil || v.IsNull() {
		report("read sessionStorage", err)
		return ""
	}
	s, err := v.String()
	report("read sessionStorage", err)
	return s
}

// OnWake calls fn (on its own goroutine) whenever the page may have slept:
// it became visible again, the network came back, it was restored from the
// back/forward cache, or OBS shows its browser source again.
func OnWake(fn func()) error {
	win := safejs.Global()
	doc, err := get(win, "Window.document")
	if err != nil {
		return err
	}
	wake, err := guard.FuncOf("wake", func(safejs.Value, []safejs.Value) any {
		hidden, err := prop(doc, "Document.hidden", safejs.Value.Truthy)
		report("wake", err)
		if !hidden {
			guard.Go("wake", fn)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := addListener(doc, "visibilitychange", wake); err != nil {
		return err
	}
	for _, ev := range []string{"online", "pageshow", "focus"} {
		if err := addListener(win, ev, wake); err != nil {
			return err
		}
	}
	return onOBSVisible(win, fn)
}

// Hidden reports whether the page is hidden (document.hidden), and so
// paints no frames; true when that cannot be read.
func Hidden() bool {
	doc, err := get(safejs.Global(), "Window.document")
	if err != nil {
		report("read document", err)
		return true
	}
	hidden, err := prop(doc, "Document.hidden", safejs.Value.Truthy)
	report("read document.hidden", err)
	return hidden || err != nil
}

// OnVisibility calls fn (on its own goroutine) with whether the page
// shows, whenever that changes (document.hidden).
func OnVisibility(fn func(visible bool)) error {
	doc, err := get(safejs.Global(), "Window.document")
	if err != nil {
		return err
	}
	changed, err := guard.FuncOf("visibility", func(safejs.Value, []safejs.Value) any {
		hidden, err := prop(doc, "Document.hidden", safejs.Value.Truthy)
		report("visibility", err)
		if err == nil {
			guard.Go("visibility", func() { fn(!hidden) })
		}
		return nil
	})
	if err != nil {
		return err
	}
	return addListener(doc, "visibilitychange", changed)
}

// onOBSVisible calls fn (on its own goroutine) when OBS shows the browser
// source. OBS calls window.obsstudio.onVisibilityChange(visible) and offers
// no listener list, so a handler already there is kept and called first.
func onOBSVisible(win safejs.Value, fn func()) error {
	obs, err := get(win, "Window.obsstudio")
	if err != nil || obs.IsUndefined() || obs.IsNull() {
		return err // not in OBS
	}
	prev, err := get(obs, "obsstudio.onVisibilityChange")
	if err != nil {
		return err
	}
	chain := prev.Type() == safejs.TypeFunction
	handler, err := guard.FuncOf("obs visibility", func(this safejs.Value, args []safejs.Value) any {
		if chain {
			callArgs := []any{this}
			for _, a := range args {
				callArgs = append(callArgs, a)
			}
			_, err := call(prev, "Function.call", callArgs...)
			report("the page's own obsstudio.onVisibilityChange", err)
		}
		if len(args) == 0 {
			return nil
		}
		visible, err := args[0].Truthy()
		report("obsstudio.onVisibilityChange", err)
		if visible {
			guard.Go("wake", fn)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return set(obs, "obsstudio.onVisibilityChange", handler)
}

// Languages returns the browser's preferred languages, most preferred
// first (navigator.languages), or nil when it cannot say.
func Languages() []string {
	nav, err := safejs.Global().Get("navigator")
	if err != nil {
		return nil
	}
	langs, err := get(nav, "Navigator.languages")
	if err != nil || langs.IsUndefined() || langs.IsNull() {
		return nil
	}
	n, err := langs.Length()
	if err != nil {
		return nil
	}
	out := make([]string, 0, min(n, 8))
	for i := range min(n, 8) {
		v, err := langs.Index(i)
		if err != nil {
			break
		}
		if s, err := v.String(); err == nil {
			out = append(out, s)
		}
	}
	return out
}
