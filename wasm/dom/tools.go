//go:build js && wasm

package dom

import (
	"errors"
	"fmt"

	"github.com/hack-pad/safejs"

	"github.com/glimchat/glimchat/wasm/guard"
	"github.com/glimchat/glimchat/wasm/moderation"
)

// Tools is the moderator's side of the embed page: the buttons in the log
// (rendered with the messages) and the line that says how an action went.
type Tools struct {
	log, status safejs.Value
}

// Tools binds the moderator tools; ok is false on pages without a
// #glimchat-modstatus line to report results in.
func (v *View) Tools() (t *Tools, ok bool, err error) {
	status, err := call(v.doc, "Document.getElementById", "glimchat-modstatus")
	if err != nil || status.IsNull() {
		return nil, false, err
	}
	return &Tools{log: v.log, status: status}, true, nil
}

// OnPress calls fn, on a goroutine of its own, for every press on a
// moderator button: one listener on the log serves every message.
func (t *Tools) OnPress(fn func(moderation.Click)) error {
	return listen(t.log, "click", "moderator tools", func(_ safejs.Value, args []safejs.Value) any {
		if len(args) == 0 {
			return nil
		}
		c, ok, err := pressed(args[0])
		report("moderator tools", err)
		if ok {
			guard.Go("moderator tools", func() { fn(c) })
		}
		return nil
	})
}

// pressed reads the moderator button an event came from, and its message.
func pressed(ev safejs.Value) (moderation.Click, bool, error) {
	target, err := get(ev, "Event.target")
	if err != nil {
		return moderation.Click{}, false, err
	}
	if isElement, err := prop(target, "Node.nodeType", safejs.Value.Int); err != nil || isElement != 1 {
		return moderation.Click{}, false, err
	}
	button, err := call(target, "Element.closest", "button[data-mod]")
	if err != nil || button.IsNull() {
		return moderation.Click{}, false, err
	}
	li, err1 := call(button, "Element.closest", "li.glimchat-msg")
	box, err2 := call(button, "Element.closest", ".glimchat-tools")
	if err := errors.Join(err1, err2); err != nil || li.IsNull() || box.IsNull() {
		return moderation.Click{}, false, err
	}
	var c moderation.Click
	var mod, action string
	var errs []error
	for _, a := range []struct {
		el   safejs.Value
		name string
		dst  *string
	}{
		{button, "data-mod", &mod}, {button, "data-action", &action},
		{li, "data-message-id", &c.MessageID}, {li, "data-user-id", &c.UserID}, {li, "data-username", &c.Username},
		{li, "data-channel", &c.Channel}, {li, "data-instance", &c.Instance},
	} {
		var err error
		*a.dst, err = attr(a.el, a.name)
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return moderation.Click{}, false, err
	}
	c.Kind, c.Action = moderation.ParseClick(mod, action)
	c.Box = box
	return c, true, nil
}

// Replace puts html (rendered and escaped by render) in a message's tools,
// and focuses its button whose data-mod is focus, if any.
func (t *Tools) Replace(box any, html, focus string) {
	el, ok := box.(safejs.Value)
	if !ok {
		report("replace the moderator tools", fmt.Errorf("%T is not an element", box))
		return
	}
	err := set(el, "Element.innerHTML", html)
	if err == nil && focus != "" && plainName(focus) {
		var b safejs.Value
		b, err = call(el, "Element.querySelector", `button[data-mod="`+focus+`"]`)
		if err == nil && !b.IsNull() {
			_, err = call(b, "HTMLElement.focus")
		}
	}
	report("replace the moderator tools", err)
}

// Report shows how an action went in plain words.
func (t *Tools) Report(text string, isErr bool) {
	report("report a moderator action",
		set(t.status, "Node.textContent", text),
		toggle(t.status, "data-error", isErr))
}

// plainName reports whether s may go into a selector as it is: the tools'
// data-mod values are lower-case words.
func plainName(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && c != '_' {
			return false
		}
	}
	return s != ""
}
