//go:build js && wasm

// Package dom is the widget's thin browser glue: it applies rendered HTML to
// the page once per animation frame and forwards page events into Go.
package dom

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/hack-pad/safejs"

	"github.com/glimchat/glimchat/wasm/guard"
)

// View is the chat on the page: the root, its status line and the log.
type View struct {
	root, status, log, win safejs.Value

	mu        sync.Mutex
	want      []string
	html      func(i int) string
	scheduled bool

	shown []string // touched only inside the frame callback
	frame safejs.Func

	// pinned: the reader is at the newest line, so the log stays there as
	// lines arrive and as it changes size. Scrolling up unpins it.
	pinned atomic.Bool
}

// Mount finds the page's chat elements (see web/*.html).
func Mount() (*View, error) {
	win := safejs.Global()
	doc, err := win.Get("document")
	if err != nil {
		return nil, err
	}
	v := &View{win: win}
	for _, el := range []struct {
		id  string
		dst *safejs.Value
	}{{"glimchat", &v.root}, {"glimchat-status", &v.status}, {"glimchat-log", &v.log}} {
		if *el.dst, err = byID(doc, el.id); err != nil {
			return nil, err
		}
	}
	v.frame, err = guard.FuncOf("animation frame", func(safejs.Value, []safejs.Value) any {
		v.paint()
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := v.pin(); err != nil {
		// The chat works without it; only resizes may hide the newest line.
		fmt.Println("glimchat: keep the log at the newest line:", err)
	}
	return v, nil
}

// pin tracks whether the reader is at the newest line, and keeps the log
// there when it shrinks or grows (an alert appears, the textarea is
// resized, the window changes) rather than hiding the newest lines.
func (v *View) pin() error {
	v.pinned.Store(true)
	onScroll, err := guard.FuncOf("log scroll", func(safejs.Value, []safejs.Value) any {
		v.pinned.Store(v.atBottom())
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := v.log.Call("addEventListener", "scroll", onScroll); err != nil {
		return err
	}
	ctor, err := v.win.Get("ResizeObserver")
	if err != nil || ctor.IsUndefined() {
		return nil // older browsers: the log is pinned when lines arrive only
	}
	onResize, err := guard.FuncOf("log resize", func(safejs.Value, []safejs.Value) any {
		if v.pinned.Load() {
			v.toBottom()
		}
		return nil
	})
	if err != nil {
		return err
	}
	obs, err := ctor.New(onResize)
	if err != nil {
		return fmt.Errorf("new ResizeObserver: %w", err)
	}
	_, err = obs.Call("observe", v.log)
	return err
}

func (v *View) toBottom() {
	if h, err := v.log.Get("scrollHeight"); err == nil {
		_ = v.log.Set("scrollTop", h)
	}
}

func byID(doc safejs.Value, id string) (safejs.Value, error) {
	el, err := doc.Call("getElementById", id)
	if err != nil {
		return safejs.Value{}, fmt.Errorf("find #%s: %w", id, err)
	}
	if el.IsNull() {
		return safejs.Value{}, fmt.Errorf("the page has no #%s element", id)
	}
	return el, nil
}

// Mode is the root's data-mode: "overlay" or "embed".
func (v *View) Mode() string {
	m, _ := attr(v.root, "data-mode")
	return m
}

// SetState sets the connection state shown by the indicator.
func (v *View) SetState(state string) {
	_, _ = v.root.Call("setAttribute", "data-state", state)
}

// SetStatus shows a plain-words line; an empty text hides it.
func (v *View) SetStatus(text string) { setText(v.status, text, false) }

// SetError shows a plain-words problem in the status line.
func (v *View) SetError(text string) { setText(v.status, text, true) }

func setText(el safejs.Value, text string, isErr bool) {
	_ = el.Set("textContent", text)
	_ = el.Set("hidden", text == "")
	if isErr {
		_, _ = el.Call("setAttribute", "data-error", "")
	} else {
		_, _ = el.Call("removeAttribute", "data-error")
	}
}

// Show makes the log display ids (in order) at the next animation frame;
// html renders want[i] and is only called for items not yet shown. Later
// calls before that frame replace earlier ones, so a hidden page, which gets
// no frames, holds one pending list, never a growing queue.
func (v *View) Show(ids []string, html func(i int) string) {
	v.mu.Lock()
	v.want, v.html = ids, html
	schedule := !v.scheduled
	v.scheduled = true
	v.mu.Unlock()
	if schedule {
		if _, err := v.win.Call("requestAnimationFrame", v.frame); err != nil {
			v.paint()
		}
	}
}

func (v *View) paint() {
	v.mu.Lock()
	want, html := v.want, v.html
	v.scheduled = false
	v.mu.Unlock()
	stick := v.pinned.Load()
	edits := Plan(v.shown, want, html)
	children, err := v.log.Get("children")
	if err != nil {
		return
	}
	var errs []error
	for _, i := range edits.Remove {
		if child, err := children.Call("item", i); err == nil && !child.IsNull() {
			_, err = child.Call("remove")
			errs = append(errs, err)
		}
	}
	for _, ins := range edits.Insert {
		if ins.At < 0 {
			_, err = v.log.Call("insertAdjacentHTML", "beforeend", ins.HTML)
		} else if child, cerr := children.Call("item", ins.At); cerr == nil && !child.IsNull() {
			_, err = child.Call("insertAdjacentHTML", "beforebegin", ins.HTML)
		}
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		fmt.Println("glimchat: render:", err)
	}
	v.shown = want
	if stick {
		v.toBottom()
	}
}

// atBottom reports whether the log is scrolled to (near) its end, so a
// reader who scrolled up to read older lines is not yanked down.
func (v *View) atBottom() bool {
	var n [3]float64
	for i, p := range []string{"scrollTop", "scrollHeight", "clientHeight"} {
		x, err := v.log.Get(p)
		if err != nil {
			return true
		}
		if n[i], err = x.Float(); err != nil {
			return true
		}
	}
	return n[1]-n[0]-n[2] < 40
}

func attr(el safejs.Value, name string) (string, error) {
	a, err := el.Call("getAttribute", name)
	if err != nil || a.IsNull() {
		return "", err
	}
	return a.String()
}
