//go:build js && wasm

// Package dom is the widget's thin browser glue: it applies rendered HTML to
// the page once per animation frame and forwards page events into Go.
package dom

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/hack-pad/safejs"

	"github.com/glimchat/glimchat/wasm/guard"
)

// View is the chat on the page: the root, its status line and the log.
type View struct {
	root, status, log, win, doc safejs.Value

	mu        sync.Mutex
	want      []string
	html      func(i int) string
	scheduled bool

	shown []string // touched only inside the frame callback
	frame safejs.Func

	// Set before the first Show, read in the frame callback only.
	beforePaint func()          // brings the model up to date (fade)
	clip        bool            // mark lines that do not fit whole (overlay)
	pushOut     bool            // remove them instead (prevent_clipping)
	clipped     map[string]bool // ids marked data-clipped
	gone        map[string]bool // ids pushed out

	// pinned: the reader is at the newest line, so the log stays there as
	// lines arrive and as it changes size. Scrolling up unpins it.
	pinned atomic.Bool
}

// Mount finds the page's chat elements (see web/*.html).
func Mount() (*View, error) {
	v := &View{win: safejs.Global()}
	var err error
	if v.doc, err = get(v.win, "Window.document"); err != nil {
		return nil, err
	}
	for _, el := range []struct {
		id  string
		dst *safejs.Value
	}{{"glimchat", &v.root}, {"glimchat-status", &v.status}, {"glimchat-log", &v.log}} {
		if *el.dst, err = byID(v.doc, el.id); err != nil {
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
	// The chat works without it; only resizes may hide the newest line.
	report("keep the log at the newest line", v.pin())
	return v, nil
}

// pin tracks whether the reader is at the newest line, and keeps the log
// there when it shrinks or grows (an alert appears, the textarea is
// resized, the window changes) rather than hiding the newest lines.
func (v *View) pin() error {
	v.pinned.Store(true)
	err := listen(v.log, "scroll", "log scroll", func(safejs.Value, []safejs.Value) any {
		v.pinned.Store(v.atBottom())
		return nil
	})
	if err != nil {
		return err
	}
	ctor, err := get(v.win, "Window.ResizeObserver")
	if err != nil || ctor.IsUndefined() {
		return err // undefined in older browsers: the log is pinned when lines arrive only
	}
	onResize, err := guard.FuncOf("log resize", func(safejs.Value, []safejs.Value) any {
		if v.pinned.Load() {
			report("keep the log at the newest line", v.toBottom())
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
	_, err = call(obs, "ResizeObserver.observe", v.log)
	return err
}

func (v *View) toBottom() error {
	h, err := get(v.log, "Element.scrollHeight")
	if err != nil {
		return err
	}
	return set(v.log, "Element.scrollTop", h)
}

func byID(doc safejs.Value, id string) (safejs.Value, error) {
	el, err := call(doc, "Document.getElementById", id)
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
	m, err := attr(v.root, "data-mode")
	report("read data-mode", err)
	return m
}

// SetState sets the connection state shown by the indicator.
func (v *View) SetState(state string) {
	_, err := call(v.root, "Element.setAttribute", "data-state", state)
	report("set data-state", err)
}

// SetStatus shows a plain-words line; an empty text hides it.
func (v *View) SetStatus(text string) { v.setStatus(text, false) }

// SetError shows a plain-words problem in the status line.
func (v *View) SetError(text string) { v.setStatus(text, true) }

func (v *View) setStatus(text string, isErr bool) {
	report("show the status line",
		set(v.status, "Node.textContent", text),
		set(v.status, "HTMLElement.hidden", text == ""),
		toggle(v.status, "data-error", isErr))
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
		if _, err := call(v.win, "Window.requestAnimationFrame", v.frame); err != nil {
			report("wait for a frame, painting now", err)
			v.paint()
		}
	}
}

func (v *View) paint() {
	if v.beforePaint != nil {
		v.beforePaint()
	}
	v.mu.Lock()
	want, html := v.want, v.html
	v.scheduled = false
	v.mu.Unlock()
	stick := v.pinned.Load()
	if len(v.gone) > 0 {
		want, html = v.withoutGone(want, html)
	}
	edits := Plan(v.shown, want, html)
	children, err := get(v.log, "Element.children")
	if err != nil {
		report("paint the log", err)
		return
	}
	var errs []error
	for _, i := range edits.Remove {
		child, err := item(children, i)
		if err == nil {
			_, err = call(child, "Element.remove")
		}
		errs = append(errs, err)
	}
	for _, ins := range edits.Insert {
		errs = append(errs, v.insert(children, ins))
	}
	v.shown = want
	if stick {
		errs = append(errs, v.toBottom())
	}
	if v.clip {
		errs = append(errs, v.unclip(children))
	}
	report("paint the log", errs...)
}

func (v *View) insert(children safejs.Value, ins Insert) error {
	at, where := v.log, "beforeend"
	if ins.At >= 0 {
		var err error
		if at, err = item(children, ins.At); err != nil {
			return err
		}
		where = "beforebegin"
	}
	_, err := call(at, "Element.insertAdjacentHTML", where, ins.HTML)
	return err
}

// item is children[i]; there being none is an error.
func item(children safejs.Value, i int) (safejs.Value, error) {
	c, err := call(children, "HTMLCollection.item", i)
	if err == nil && c.IsNull() {
		err = fmt.Errorf("HTMLCollection.item: no child %d", i)
	}
	return c, err
}

// atBottom reports whether the log is scrolled to (near) its end, so a
// reader who scrolled up to read older lines is not yanked down.
func (v *View) atBottom() bool {
	var n [3]float64
	for i, p := range []string{"Element.scrollTop", "Element.scrollHeight", "Element.clientHeight"} {
		var err error
		if n[i], err = prop(v.log, p, safejs.Value.Float); err != nil {
			report("read the log's scroll position", err)
			return true
		}
	}
	return n[1]-n[0]-n[2] < 40
}
