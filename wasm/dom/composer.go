//go:build js && wasm

package dom

import (
	"fmt"
	"sync"
	"unicode/utf16"

	"github.com/hack-pad/safejs"

	"github.com/glimchat/glimchat/wasm/catalog"
	"github.com/glimchat/glimchat/wasm/guard"
)

// Composer is the embed page's send form.
type Composer struct {
	form, text, counter, button, alert safejs.Value
	to                                 safejs.Value // the channel chooser, null on pages without one
	submit                             func(text string)
	max                                int // the longest message, in UTF-16 units

	mu      sync.Mutex
	sending bool   // a submit is running: a second Enter must not send twice
	sent    string // the text handed to it, for Clear
}

// Composer binds the page's send form, whose messages are at most max
// characters; ok is false on pages without one.
func (v *View) Composer(max int) (c *Composer, ok bool, err error) {
	form, err := call(v.doc, "Document.getElementById", "glimchat-composer")
	if err != nil || form.IsNull() {
		return nil, false, err
	}
	c = &Composer{form: form, max: max}
	for _, el := range []struct {
		sel string
		dst *safejs.Value
	}{{"textarea", &c.text}, {"#glimchat-counter", &c.counter}, {"button[type=submit]", &c.button}, {"#glimchat-alert", &c.alert}} {
		if *el.dst, err = call(form, "Element.querySelector", el.sel); err != nil {
			return nil, false, err
		}
		if el.dst.IsNull() {
			if *el.dst, err = call(v.doc, "Document.querySelector", el.sel); err != nil {
				return nil, false, err
			}
			if el.dst.IsNull() {
				return nil, false, fmt.Errorf("composer has no %s", el.sel)
			}
		}
	}
	if c.to, err = call(form, "Element.querySelector", "select#glimchat-to"); err != nil {
		return nil, false, err
	}
	if err := set(c.text, "HTMLTextAreaElement.maxLength", max); err != nil {
		return nil, false, err
	}
	if err := c.listen(); err != nil {
		return nil, false, err
	}
	c.count()
	return c, true, nil
}

// listen wires the form. The handlers never block: sending runs on its own
// goroutine, started by the submit callback.
func (c *Composer) listen() error {
	err := listen(c.form, "submit", "composer submit", func(_ safejs.Value, args []safejs.Value) any {
		if len(args) > 0 {
			_, err := call(args[0], "Event.preventDefault")
			report("composer submit", err)
		}
		c.send()
		return nil
	})
	if err != nil {
		return err
	}
	err = listen(c.text, "keydown", "composer keydown", func(_ safejs.Value, args []safejs.Value) any {
		if len(args) == 0 {
			return nil
		}
		ev := args[0]
		key, err1 := prop(ev, "KeyboardEvent.key", safejs.Value.String)
		shift, err2 := prop(ev, "KeyboardEvent.shiftKey", safejs.Value.Truthy)
		composing, err3 := prop(ev, "KeyboardEvent.isComposing", safejs.Value.Truthy)
		report("composer keydown", err1, err2, err3)
		if key == "Enter" && !shift && !composing {
			_, err := call(ev, "Event.preventDefault")
			report("composer keydown", err)
			c.send()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return listen(c.text, "input", "composer input", func(safejs.Value, []safejs.Value) any {
		c.count()
		return nil
	})
}

// OnSubmit sets what happens to a message the viewer sends. fn runs on a
// goroutine of its own, never inside the browser's event callback.
func (c *Composer) OnSubmit(fn func(text string)) { c.submit = fn }

// send runs in the event callback. Only one submit runs at a time: Enter
// pressed again before the first send has finished is ignored, since the
// textarea still holds the same text.
func (c *Composer) send() {
	disabled, err := prop(c.text, "HTMLTextAreaElement.disabled", safejs.Value.Truthy)
	report("composer send", err)
	if disabled || c.submit == nil {
		c.Alert(catalog.SendingDisabled)
		return
	}
	text := c.value()
	c.mu.Lock()
	if c.sending {
		c.mu.Unlock()
		return
	}
	c.sending, c.sent = true, text
	c.mu.Unlock()
	guard.Go("composer submit", func() {
		defer func() {
			c.mu.Lock()
			c.sending = false
			c.mu.Unlock()
		}()
		c.submit(text)
	})
}

// Enable turns sending on or off; hint is the textarea's placeholder.
func (c *Composer) Enable(on bool, hint string) {
	report("enable the composer",
		set(c.text, "HTMLTextAreaElement.disabled", !on),
		set(c.button, "HTMLButtonElement.disabled", !on),
		set(c.text, "HTMLTextAreaElement.placeholder", hint),
		toggle(c.form, "data-readonly", !on))
}

// Label names the send button and the message box, in the page's language.
func (c *Composer) Label(send, message string) {
	label, err := call(c.form, "Element.querySelector", "label")
	report("label the composer",
		err,
		set(c.button, "Node.textContent", send))
	if err == nil && !label.IsNull() {
		report("label the composer", set(label, "Node.textContent", message))
	}
}

// Busy disables the form while a message is on its way.
func (c *Composer) Busy(on bool) {
	report("mark the composer busy",
		set(c.button, "HTMLButtonElement.disabled", on),
		toggle(c.form, "aria-busy", on))
}

// Alert shows a problem in plain words; "" clears it.
func (c *Composer) Alert(msg string) {
	report("show the composer alert", set(c.alert, "Node.textContent", msg))
}

// Clear empties the textarea after a successful send, unless the viewer
// has already changed it (typing on while the message was on its way).
func (c *Composer) Clear() {
	c.mu.Lock()
	sent := c.sent
	c.mu.Unlock()
	if c.value() != sent {
		return
	}
	report("clear the composer", set(c.text, "HTMLTextAreaElement.value", ""))
	c.count()
}

// value is the textarea's text ("" when it cannot be read).
func (c *Composer) value() string {
	text, err := prop(c.text, "HTMLTextAreaElement.value", safejs.Value.String)
	report("read the composer", err)
	return text
}

// count shows the length the way the textarea's maxlength (and Glimesh's own
// chat form) measures it, in UTF-16 units, so max/max is exactly where
// typing stops: an emoji counts 2.
func (c *Composer) count() {
	n := 0
	for _, r := range c.value() {
		n += utf16.RuneLen(r)
	}
	report("count the composer's characters",
		set(c.counter, "Node.textContent", fmt.Sprintf("%d/%d", n, c.max)),
		toggle(c.counter, "data-over", n > c.max))
}

// Focus moves the keyboard focus to the textarea.
func (c *Composer) Focus() {
	_, err := call(c.text, "HTMLElement.focus")
	report("focus the composer", err)
}

// Choose shows the channel chooser with names, the first chosen, labelled
// label. The names are text, never markup.
func (c *Composer) Choose(label string, names []string) error {
	if c.to.IsNull() {
		return fmt.Errorf("composer has no select#glimchat-to")
	}
	doc, err := get(safejs.Global(), "Window.document")
	if err != nil {
		return err
	}
	for _, n := range names {
		opt, err := call(doc, "Document.createElement", "option")
		if err == nil {
			err = set(opt, "Node.textContent", n)
		}
		if err == nil {
			_, err = call(c.to, "Node.appendChild", opt)
		}
		if err != nil {
			return err
		}
	}
	if err := set(c.to, "HTMLElement.title", label); err != nil {
		return err
	}
	if _, err := call(c.to, "Element.setAttribute", "aria-label", label); err != nil {
		return err
	}
	return set(c.to, "HTMLElement.hidden", false)
}

// Chosen is the index of the chosen channel (0 without a chooser).
func (c *Composer) Chosen() int {
	if c.to.IsNull() {
		return 0
	}
	i, err := prop(c.to, "HTMLSelectElement.selectedIndex", safejs.Value.Int)
	report("read the chosen channel", err)
	return max(i, 0)
}

// OnChoose calls fn, on a goroutine of its own, with the index of the
// channel the viewer chose, whenever the choice changes.
func (c *Composer) OnChoose(fn func(i int)) error {
	if c.to.IsNull() {
		return nil
	}
	return listen(c.to, "change", "channel chooser", func(safejs.Value, []safejs.Value) any {
		i := c.Chosen()
		guard.Go("channel chooser", func() { fn(i) })
		return nil
	})
}
