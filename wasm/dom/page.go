//go:build js && wasm

package dom

import (
	"github.com/hack-pad/safejs"

	"github.com/glimchat/glimchat/wasm/guard"
)

// Location returns the page's URL and its query string.
func Location() (href, search string) {
	loc, err := safejs.Global().Get("location")
	if err != nil {
		return "", ""
	}
	href, _ = str(loc, "href")
	search, _ = str(loc, "search")
	return href, search
}

// SessionValue reads key from sessionStorage ("" when absent or blocked).
func SessionValue(key string) string {
	store, err := safejs.Global().Get("sessionStorage")
	if err != nil || store.IsNull() || store.IsUndefined() {
		return ""
	}
	v, err := store.Call("getItem", key)
	if err != nil || v.IsNull() {
		return ""
	}
	s, _ := v.String()
	return s
}

// OnWake calls fn (on its own goroutine) whenever the page may have slept:
// it became visible again, the network came back, or it was restored from
// the back/forward cache. OBS also reports visibility through obsstudio.
func OnWake(fn func()) error {
	win := safejs.Global()
	doc, err := win.Get("document")
	if err != nil {
		return err
	}
	wake, err := guard.FuncOf("wake", func(safejs.Value, []safejs.Value) any {
		hidden, _ := boolProp(doc, "hidden")
		if !hidden {
			go fn()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := doc.Call("addEventListener", "visibilitychange", wake); err != nil {
		return err
	}
	for _, ev := range []string{"online", "pageshow", "focus"} {
		if _, err := win.Call("addEventListener", ev, wake); err != nil {
			return err
		}
	}
	return nil
}
