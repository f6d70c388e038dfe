//go:build js && wasm

package dom

import (
	"fmt"
	"slices"

	"github.com/hack-pad/safejs"
)

// Look applies the overlay options to the root: data attributes, and
// custom properties set through CSSOM (style.setProperty), which a CSP
// without 'unsafe-inline' allows where a style attribute is refused.
// Call it once, before the first Show; clip turns on the marking of lines
// that do not fit whole, and pushOut removes them instead.
func (v *View) Look(attrs, props [][2]string, clip, pushOut bool, beforePaint func()) {
	var errs []error
	for _, a := range attrs {
		_, err := call(v.root, "Element.setAttribute", a[0], a[1])
		errs = append(errs, err)
	}
	if len(props) > 0 {
		style, err := get(v.root, "HTMLElement.style")
		errs = append(errs, err)
		for _, p := range props {
			if err == nil {
				_, e := call(style, "CSSStyleDeclaration.setProperty", p[0], p[1])
				errs = append(errs, e)
			}
		}
	}
	report("apply the look", errs...)
	v.clip, v.pushOut, v.beforePaint = clip, pushOut, beforePaint
	v.clipped, v.gone = map[string]bool{}, map[string]bool{}
}

// withoutGone drops the pushed-out ids from want (and forgets those that
// left it).
func (v *View) withoutGone(want []string, html func(int) string) ([]string, func(int) string) {
	keep := make([]string, 0, len(want))
	at := make([]int, 0, len(want))
	still := map[string]bool{}
	for i, id := range want {
		if v.gone[id] {
			still[id] = true
			continue
		}
		keep = append(keep, id)
		at = append(at, i)
	}
	v.gone = still
	return keep, func(i int) string { return html(at[i]) }
}

// unclip marks (or removes) the oldest lines that do not fit whole in the
// log. It measures first and only then writes, so the layout it reads is
// the one the frame already has (see View.afterLayout): a write between two
// reads would force another. The lines stay anchored at the newest end, so
// neither marking nor removing an old line moves the others.
func (v *View) unclip() error {
	if len(v.clipped) > len(v.shown) {
		for id := range v.clipped {
			if !slices.Contains(v.shown, id) {
				delete(v.clipped, id) // it left the log
			}
		}
	}
	height, err := prop(v.log, "Element.clientHeight", safejs.Value.Float)
	if err != nil {
		return err
	}
	cutAt := func(i int) (bool, error) {
		child, err := v.line(i)
		if err != nil {
			return false, err
		}
		top, err1 := prop(child, "HTMLElement.offsetTop", safejs.Value.Float)
		h, err2 := prop(child, "HTMLElement.offsetHeight", safejs.Value.Float)
		if err1 != nil || err2 != nil {
			return false, fmt.Errorf("measure a line: %w", errs(err1, err2))
		}
		// Both are whole pixels, rounded: their sum may be a pixel off.
		return top < -1 || top+h > height+1, nil
	}
	// The lines that do not fit are the oldest ones, a prefix of the log.
	lo, err := firstFit(len(v.shown), slices.Index(v.shown, v.fitFrom), cutAt)
	if err != nil {
		return err
	}
	v.fitFrom = ""
	if lo < len(v.shown) {
		v.fitFrom = v.shown[lo]
	}
	// Only then write: the lines before lo are cut, the others fit.
	for i, id := range v.shown {
		cut := i < lo
		if cut && v.pushOut {
			continue // removed below
		}
		if cut == v.clipped[id] {
			continue
		}
		child, err := v.line(i)
		if err == nil {
			err = toggle(child, "data-clipped", cut)
		}
		if err != nil {
			return err
		}
		if cut {
			v.clipped[id] = true
		} else {
			delete(v.clipped, id)
		}
	}
	if !v.pushOut || lo == 0 {
		return nil
	}
	// The cut lines are the prefix before lo: one run.
	if err := v.remove(Run{First: 0, Last: lo - 1}, !v.sizes.IsUndefined()); err != nil {
		return err
	}
	for _, id := range v.shown[:lo] {
		v.gone[id] = true
	}
	v.shown = slices.Clone(v.shown[lo:])
	return nil
}

func errs(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
