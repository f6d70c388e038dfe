//go:build js && wasm

// Package dom is the widget's thin browser glue: it applies rendered HTML to
// the page once per animation frame and forwards page events into Go.
package dom

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/glimchat/glimchat/wasm/guard"
)

// View is the chat on the page: the root, its status line and the log.
type View struct {
	root, status, log, win, doc safejs.Value
	// children is the log's live HTMLCollection, read once: fetching it
	// per paint was a JS call and a Go-side reference each time.
	children safejs.Value

	mu        sync.Mutex
	want      []string
	html      func(i int) string
	dirty     bool   // want changed since the last paint
	scheduled bool   // the frame callback is requested
	painting  bool   // in beforePaint: a Show there only sets want
	announce  bool   // turn the live region on after the frame scheduled
	blocked   string // the CSP refuses the instance: this stays the status line

	shown   []string // touched only by paint, which never yields
	frame   safejs.Func
	painted bool // a message was painted: the first one is marked

	// A paint outside a frame callback (a lone message, at once) saves a
	// wake of Go a message, and lets the browser load the line's images
	// before the frame that lays it out: painted in the frame callback, a
	// line's cached emotes load after that frame, and cost a second one.
	// It is safe once the last paint has been on screen: each paint
	// requests tick, a native Reflect.set that puts the next frame's time
	// in drawn.t, and frames tells from it whether a frame began after
	// the paint and, its rendering being part of the same task, is done.
	drawn, tick safejs.Value
	frames      frames

	// Set before the first Show, read in paint only.
	beforePaint func()          // brings the model up to date (fade)
	afterPaint  func()          // the frame is painted (pace)
	clip        bool            // mark lines that do not fit whole (overlay)
	pushOut     bool            // remove them instead (prevent_clipping)
	clipped     map[string]bool // ids marked data-clipped
	fitFrom     string          // the oldest line that fit whole at the last look, where the next starts
	gone        map[string]bool // ids pushed out

	// pinned: the reader is at the newest line, so the log stays there as
	// lines arrive and as it changes size. Scrolling up unpins it.
	pinned atomic.Bool
	// scrolls: the log scrolls (embed). The overlay's log hides its
	// overflow at the far end and never scrolls, so it is never pinned.
	scrolls bool
	// sizes is a ResizeObserver on the log and on each of its lines (zero
	// without one). Its callback runs after the browser's own layout of a
	// frame and before that frame is painted, so the layout reads of
	// pinning and clipping cost no extra (forced) layout there. It is
	// called in the frame of every paint: a new line is reported as it is
	// first laid out, and a paint that adds none re-observes the log. It
	// is called again when a line changes size on its own (an emote that
	// loads after its line was painted: it had no width until then), and
	// only then: an image the browser had already, as a chat's emotes
	// mostly are, is laid out at its size from the start. Lines are
	// unobserved as they leave. (Measuring the overlay's lines in the
	// paint instead, observing only lines whose images still load, cost
	// more than this callback: 1.42× the JS baseline against 1.26×.)
	sizes safejs.Value
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
	if v.children, err = get(v.log, "Element.children"); err != nil {
		return nil, err
	}
	v.frame, err = guard.FuncOf("animation frame", func(_ safejs.Value, args []safejs.Value) any {
		if len(args) > 0 {
			at, err := args[0].Float()
			report("read the frame's time", err)
			v.frames.calledAt = max(v.frames.calledAt, at)
		}
		v.paint(true)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Without them every paint waits for a frame callback.
	report("paint outside frames", v.ticker())
	mode, err := attr(v.root, "data-mode")
	report("read data-mode", err)
	v.scrolls = mode != "overlay"
	// The chat works without it; layout is then read inside each paint.
	report("keep the log at the newest line", v.pin())
	return v, nil
}

// ticker makes drawn and tick (see View).
func (v *View) ticker() error {
	object, err := get(v.win, "Window.Object")
	if err != nil {
		return err
	}
	drawn, err := object.New()
	if err != nil {
		return fmt.Errorf("new Object: %w", err)
	}
	if err := set(drawn, "Object.t", 0); err != nil {
		return err
	}
	reflect, err := get(v.win, "Window.Reflect")
	if err != nil {
		return err
	}
	setter, err := get(reflect, "Reflect.set")
	if err != nil {
		return err
	}
	tick, err := call(setter, "Function.bind", safejs.Null(), drawn, "t")
	if err != nil {
		return err
	}
	v.drawn, v.tick = drawn, tick
	return nil
}

// FrameTime is the time of a frame that showed everything given to
// Show so far, and 0 while something waits to be on screen (or without a
// ticker): a batch shown before it grew has been on screen
// (pace.Options.Frame).
func (v *View) FrameTime() float64 {
	v.mu.Lock()
	pending := v.dirty
	v.mu.Unlock()
	return v.frames.settled(v.noted(), pending)
}

// noted is the time tick noted last (0 without a ticker).
func (v *View) noted() float64 {
	if v.tick.IsUndefined() {
		return 0
	}
	t, err := prop(v.drawn, "Object.t", safejs.Value.Float)
	report("read the last frame's time", err)
	return t
}

// rendered reports whether what was last painted has been on screen, so
// that a paint now would not share its frame.
func (v *View) rendered() bool {
	return !v.tick.IsUndefined() && v.frames.rendered(v.noted())
}

// NextFrame has the paint callback (OnPaint) called at the next frame.
func (v *View) NextFrame() {
	v.mu.Lock()
	schedule := !v.scheduled
	v.scheduled = true
	v.mu.Unlock()
	if schedule {
		v.requestFrame()
	}
}

func (v *View) requestFrame() {
	if _, err := call(v.win, "Window.requestAnimationFrame", v.frame); err != nil {
		report("wait for a frame, painting now", err)
		v.paint(true)
	}
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
		v.afterLayout()
		return nil
	})
	if err != nil {
		return err
	}
	obs, err := ctor.New(onResize)
	if err != nil {
		return fmt.Errorf("new ResizeObserver: %w", err)
	}
	if _, err = call(obs, "ResizeObserver.observe", v.log); err != nil {
		return err
	}
	v.sizes = obs
	return nil
}

// afterLayout pins the log to its newest line and marks the lines that do
// not fit. Called from the ResizeObserver, the layout it reads is the one
// the browser just made for this frame.
func (v *View) afterLayout() {
	var errs []error
	if v.scrolls && v.pinned.Load() {
		errs = append(errs, v.toBottom())
	}
	if v.clip {
		errs = append(errs, v.unclip())
	}
	report("keep the log at the newest line", errs...)
}

// relayout has afterLayout run once this frame's layout is done: observing
// the log afresh makes the ResizeObserver report it again. Without a
// ResizeObserver it runs now, which forces a layout.
func (v *View) relayout() {
	if v.sizes.IsUndefined() {
		v.afterLayout()
		return
	}
	_, err1 := call(v.sizes, "ResizeObserver.unobserve", v.log)
	_, err2 := call(v.sizes, "ResizeObserver.observe", v.log)
	if err1 != nil || err2 != nil {
		report("wait for the layout", err1, err2)
		v.afterLayout()
	}
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

// OnPolicyBlock shows text in the status line, for good, once the page's
// CSP refuses a request to instance (a securitypolicyviolation event whose
// blockedURI is the instance); a later "cannot reach" would be untrue.
func (v *View) OnPolicyBlock(instance *url.URL, text string) error {
	return listen(v.doc, "securitypolicyviolation", "CSP violation", func(_ safejs.Value, args []safejs.Value) any {
		if len(args) == 0 {
			return nil
		}
		uri, err := prop(args[0], "SecurityPolicyViolationEvent.blockedURI", safejs.Value.String)
		if err != nil || !BlocksInstance(uri, instance) {
			return nil
		}
		v.mu.Lock()
		first := v.blocked == ""
		v.blocked = text
		v.mu.Unlock()
		if first {
			slog.Default().Error("glimchat: the page's Content-Security-Policy refuses the instance", "blocked", uri)
			v.SetError(text)
		}
		return nil
	})
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
	v.mu.Lock()
	if v.blocked != "" {
		text, isErr = v.blocked, true // nothing else is true while it holds
	}
	v.mu.Unlock()
	report("show the status line",
		set(v.status, "Node.textContent", text),
		set(v.status, "HTMLElement.hidden", text == ""),
		toggle(v.status, "data-error", isErr))
}

// Show makes the log display ids (in order): at once when what was
// painted last has been on screen (rendered), else at the next animation
// frame. html renders want[i] and is only called for items not yet shown.
// Later calls before that frame replace earlier ones, so a hidden page,
// which gets no frames, holds one pending list, never a growing queue.
func (v *View) Show(ids []string, html func(i int) string) {
	v.mu.Lock()
	v.want, v.html, v.dirty = ids, html, true
	if v.scheduled || v.painting {
		v.mu.Unlock()
		return
	}
	now := v.rendered()
	v.scheduled = !now
	v.mu.Unlock()
	if now {
		v.paint(false)
	} else {
		v.requestFrame()
	}
}

// paint brings the log in line with the last Show, in the frame callback
// (inFrame) or in Show. It runs start to end without yielding to another
// goroutine: it blocks on nothing. Only a paint in the frame callback is
// reported to OnPaint: one in Show is on screen only at the next frame.
func (v *View) paint(inFrame bool) {
	if v.beforePaint != nil {
		v.setPainting(true)
		v.beforePaint()
		v.setPainting(false)
	}
	v.mu.Lock()
	want, html, dirty := v.want, v.html, v.dirty
	v.scheduled, v.dirty = false, false
	v.mu.Unlock()
	if dirty {
		v.apply(want, html)
	}
	if inFrame && v.afterPaint != nil {
		v.afterPaint()
	}
}

func (v *View) setPainting(on bool) {
	v.mu.Lock()
	v.painting = on
	v.mu.Unlock()
}

// apply makes the DOM edits from shown to want, and has tick note the
// frame that shows them.
func (v *View) apply(want []string, html func(i int) string) {
	stick := v.pinned.Load()
	if len(v.gone) > 0 {
		want, html = v.withoutGone(want, html)
	}
	edits := Plan(v.shown, want, html)
	var errs []error
	observe := !v.sizes.IsUndefined()
	removed := len(edits.Remove)
	// When most lines go (a flood), observing the few left afresh is
	// cheaper than unobserving each line that goes.
	afresh := observe && removed > 0 && removed >= len(v.shown)-removed
	for _, run := range Runs(edits.Remove) {
		errs = append(errs, v.remove(run, observe && !afresh))
	}
	added := 0
	for _, ins := range edits.Insert {
		errs = append(errs, v.insert(ins, len(want), observe && !afresh))
		added += ins.N
	}
	if afresh {
		errs = append(errs, v.observeAll())
	}
	v.shown = want
	if !v.painted && len(want) > 0 {
		v.painted = true
		Mark("first message painted")
	}
	v.mu.Lock()
	announce := v.announce
	v.announce = false
	v.mu.Unlock()
	if announce {
		guard.Go("live region", v.liveLater)
	}
	report("paint the log", errs...)
	// The lines are measured after this frame's layout (sizes): the new
	// ones are reported then; without any, the log is re-observed.
	if (v.clip || stick && v.scrolls) && (added == 0 || !observe) {
		v.relayout()
	}
	if !v.tick.IsUndefined() {
		v.frames.paintedAt = v.noted()
		_, err := call(v.win, "Window.requestAnimationFrame", v.tick)
		report("note the frame", err)
	}
}

// OnPaint has painted called after each paint in the frame callback, in
// that callback: it must not block. Call it before the first Show.
func (v *View) OnPaint(painted func()) { v.afterPaint = painted }

// Announce turns the log's live region on once what Show was last given
// is on the page: the pages start with aria-live="off" and aria-busy, so
// a screen reader reads the history as it is, and announces only the
// messages that arrive after it.
func (v *View) Announce() {
	v.mu.Lock()
	later := v.scheduled
	v.announce = later
	v.mu.Unlock()
	if !later {
		guard.Go("live region", v.liveLater)
	}
}

// liveLater turns the live region on in a later task than the one that
// added the history: the accessibility tree takes changes in batches, and
// additions seen together with aria-live="polite" would be announced.
func (v *View) liveLater() {
	time.Sleep(liveDelay)
	report("turn the live region on", v.liveRegion())
}

// liveDelay is how long after the history the live region goes on.
const liveDelay = 200 * time.Millisecond

func (v *View) liveRegion() error {
	_, err1 := call(v.log, "Element.setAttribute", "aria-live", "polite")
	_, err2 := call(v.log, "Element.removeAttribute", "aria-busy")
	return errors.Join(err1, err2)
}

// insert applies ins, observing the new lines when observe is set; an
// append ends the n lines wanted.
func (v *View) insert(ins Insert, n int, observe bool) error {
	at, where := v.log, "beforeend"
	if ins.At >= 0 {
		var err error
		if at, err = v.line(ins.At); err != nil {
			return err
		}
		where = "beforebegin"
	}
	if _, err := call(at, "Element.insertAdjacentHTML", where, ins.HTML); err != nil {
		return err
	}
	if !observe {
		return nil
	}
	first := ins.At
	if first < 0 {
		first = n - ins.N
	}
	for i := first; i < first+ins.N; i++ {
		if err := v.watch(i, "ResizeObserver.observe"); err != nil {
			return err
		}
	}
	return nil
}

// watch observes or unobserves (method) the log's line i.
func (v *View) watch(i int, method string) error {
	c, err := v.line(i)
	if err == nil {
		_, err = call(v.sizes, method, c)
	}
	return err
}

// observeAll has sizes observe the log and its lines, and nothing else.
func (v *View) observeAll() error {
	if _, err := call(v.sizes, "ResizeObserver.disconnect"); err != nil {
		return err
	}
	if _, err := call(v.sizes, "ResizeObserver.observe", v.log); err != nil {
		return err
	}
	n, err := prop(v.children, "HTMLCollection.length", safejs.Value.Int)
	if err != nil {
		return err
	}
	for i := range n {
		if err := v.watch(i, "ResizeObserver.observe"); err != nil {
			return err
		}
	}
	return nil
}

// remove takes a run of children off the log: one element directly, more
// through one Range, so pruning a flood costs a few calls, not two a line
// (three while the lines are observed, unobserve set: each is unobserved).
func (v *View) remove(run Run, unobserve bool) error {
	first, err := v.line(run.First)
	if err != nil {
		return err
	}
	if unobserve {
		if _, err := call(v.sizes, "ResizeObserver.unobserve", first); err != nil {
			return err
		}
		for i := run.First + 1; i <= run.Last; i++ {
			if err := v.watch(i, "ResizeObserver.unobserve"); err != nil {
				return err
			}
		}
	}
	if run.First == run.Last {
		_, err = call(first, "Element.remove")
		return err
	}
	last, err := v.line(run.Last)
	if err != nil {
		return err
	}
	r, err := call(v.doc, "Document.createRange")
	if err != nil {
		return err
	}
	if _, err := call(r, "Range.setStartBefore", first); err != nil {
		return err
	}
	if _, err := call(r, "Range.setEndAfter", last); err != nil {
		return err
	}
	_, err = call(r, "Range.deleteContents")
	return err
}

// line is the log's child i; there being none is an error.
func (v *View) line(i int) (safejs.Value, error) {
	c, err := call(v.children, "HTMLCollection.item", i)
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
