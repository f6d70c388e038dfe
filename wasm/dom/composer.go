//go:build js && wasm

package dom

import (
	"fmt"
	"sync"
	"unicode/utf16"

	"github.com/hack-pad/safejs"

	"github.com/glimchat/glimchat/wasm/guard"
)

// MaxMessage is the longest message Glimesh accepts, in characters.
const MaxMessage = 255

// Composer is the embed page's send form.
type Composer struct {
	form, text, counter, button, alert safejs.Value
	submit                             func(text string)

	mu      sync.Mutex
	sending bool   // a submit is running: a second Enter must not send twice
	sent    string // the text handed to it, for Clear
}

// Composer binds the page's send form; ok is false on pages without one.
func (v *View) Composer() (c *Composer, ok bool, err error) {
	doc, err := v.win.Get("document")
	if err != nil {
		return nil, false, err
	}
	form, err := doc.Call("getElementById", "glimchat-composer")
	if err != nil || form.IsNull() {
		return nil, false, err
	}
	c = &Composer{form: form}
	for _, el := range []struct {
		sel string
		dst *safejs.Value
	}{{"textarea", &c.text}, {"#glimchat-counter", &c.counter}, {"button[type=submit]", &c.button}, {"#glimchat-alert", &c.alert}} {
		if *el.dst, err = form.Call("querySelector", el.sel); err != nil {
			return nil, false, err
		}
		if el.dst.IsNull() {
			if *el.dst, err = doc.Call("querySelector", el.sel); err != nil || el.dst.IsNull() {
				return nil, false, fmt.Errorf("composer has no %s", el.sel)
			}
		}
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
	onSubmit, err := guard.FuncOf("composer submit", func(_ safejs.Value, args []safejs.Value) any {
		if len(args) > 0 {
			_, _ = args[0].Call("preventDefault")
		}
		c.send()
		return nil
	})
	if err != nil {
		return err
	}
	onKey, err := guard.FuncOf("composer keydown", func(_ safejs.Value, args []safejs.Value) any {
		if len(args) == 0 {
			return nil
		}
		ev := args[0]
		key, _ := str(ev, "key")
		shift, _ := boolProp(ev, "shiftKey")
		composing, _ := boolProp(ev, "isComposing")
		if key == "Enter" && !shift && !composing {
			_, _ = ev.Call("preventDefault")
			c.send()
		}
		return nil
	})
	if err != nil {
		return err
	}
	onInput, err := guard.FuncOf("composer input", func(safejs.Value, []safejs.Value) any {
		c.count()
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := c.form.Call("addEventListener", "submit", onSubmit); err != nil {
		return err
	}
	if _, err := c.text.Call("addEventListener", "keydown", onKey); err != nil {
		return err
	}
	_, err = c.text.Call("addEventListener", "input", onInput)
	return err
}

// OnSubmit sets what happens to a message the viewer sends. fn runs on a
// goroutine of its own, never inside the browser's event callback.
func (c *Composer) OnSubmit(fn func(text string)) { c.submit = fn }

// send runs in the event callback. Only one submit runs at a time: Enter
// pressed again before the first send has finished is ignored, since the
// textarea still holds the same text.
func (c *Composer) send() {
	disabled, _ := boolProp(c.text, "disabled")
	if disabled || c.submit == nil {
		c.Alert("Sending is not available: this chat is read-only.")
		return
	}
	text, _ := str(c.text, "value")
	c.mu.Lock()
	if c.sending {
		c.mu.Unlock()
		return
	}
	c.sending, c.sent = true, text
	c.mu.Unlock()
	go func() {
		defer func() {
			c.mu.Lock()
			c.sending = false
			c.mu.Unlock()
		}()
		c.submit(text)
	}()
}

// Enable turns sending on or off; hint is the textarea's placeholder.
func (c *Composer) Enable(on bool, hint string) {
	_ = c.text.Set("disabled", !on)
	_ = c.button.Set("disabled", !on)
	_ = c.text.Set("placeholder", hint)
	if on {
		_, _ = c.form.Call("removeAttribute", "data-readonly")
	} else {
		_, _ = c.form.Call("setAttribute", "data-readonly", "")
	}
}

// Busy disables the form while a message is on its way.
func (c *Composer) Busy(on bool) {
	_ = c.button.Set("disabled", on)
	_, _ = c.form.Call("toggleAttribute", "aria-busy", on)
}

// Alert shows a problem in plain words; "" clears it.
func (c *Composer) Alert(msg string) { _ = c.alert.Set("textContent", msg) }

// Clear empties the textarea after a successful send, unless the viewer
// has already changed it (typing on while the message was on its way).
func (c *Composer) Clear() {
	c.mu.Lock()
	sent := c.sent
	c.mu.Unlock()
	if now, _ := str(c.text, "value"); now != sent {
		return
	}
	_ = c.text.Set("value", "")
	c.count()
}

// count shows the length the way the textarea's maxlength (and Glimesh's own
// chat form) measures it, in UTF-16 units, so 255/255 is exactly where typing
// stops: an emoji counts 2.
func (c *Composer) count() {
	text, _ := str(c.text, "value")
	n := 0
	for _, r := range text {
		n += utf16.RuneLen(r)
	}
	_ = c.counter.Set("textContent", fmt.Sprintf("%d/%d", n, MaxMessage))
	if n > MaxMessage {
		_, _ = c.counter.Call("setAttribute", "data-over", "")
	} else {
		_, _ = c.counter.Call("removeAttribute", "data-over")
	}
}

func str(v safejs.Value, prop string) (string, error) {
	p, err := v.Get(prop)
	if err != nil {
		return "", err
	}
	return p.String()
}

func boolProp(v safejs.Value, prop string) (bool, error) {
	p, err := v.Get(prop)
	if err != nil {
		return false, err
	}
	return p.Truthy()
}
