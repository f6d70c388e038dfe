//go:build js && wasm

package dom

import (
	"github.com/hack-pad/safejs"

	"github.com/glimchat/glimchat/wasm/auth"
	"github.com/glimchat/glimchat/wasm/guard"
)

// Account is the embed page's sign-in and sign-out buttons.
type Account struct {
	win, signin, signout safejs.Value
}

// Account binds the page's sign-in buttons; ok is false on pages without
// them.
func (v *View) Account() (a *Account, ok bool, err error) {
	a = &Account{win: v.win}
	if a.signin, err = call(v.doc, "Document.getElementById", "glimchat-signin"); err != nil || a.signin.IsNull() {
		return nil, false, err
	}
	if a.signout, err = call(v.doc, "Document.getElementById", "glimchat-signout"); err != nil || a.signout.IsNull() {
		return nil, false, err
	}
	return a, true, nil
}

// OnSignIn opens the popup at the address start returns, inside the click:
// a popup opened later (after an await, on another goroutine) is blocked.
// start must not block. opened learns, on a goroutine of its own, whether
// the browser let the popup open.
func (a *Account) OnSignIn(start func() string, opened func(ok bool)) error {
	return listen(a.signin, "click", "sign in", func(safejs.Value, []safejs.Value) any {
		u := start()
		if u == "" {
			return nil
		}
		// No "noopener": the callback page hands the code to its opener.
		w, err := call(a.win, "Window.open", u, "glimchat-signin", "popup,width=520,height=720")
		report("open the sign-in window", err)
		ok := err == nil && !w.IsNull() && !w.IsUndefined()
		guard.Go("sign in", func() { opened(ok) })
		return nil
	})
}

// OnSignOut calls fn, on a goroutine of its own, when the viewer signs out.
func (a *Account) OnSignOut(fn func()) error {
	return listen(a.signout, "click", "sign out", func(safejs.Value, []safejs.Value) any {
		guard.Go("sign out", fn)
		return nil
	})
}

// Show shows the button that fits: sign in, or sign out. Neither shows
// when the page cannot sign in (no client_id).
func (a *Account) Show(signedIn, canSignIn bool) {
	report("show the sign-in buttons",
		set(a.signin, "HTMLElement.hidden", signedIn || !canSignIn),
		set(a.signout, "HTMLElement.hidden", !signedIn))
}

// Label sets the buttons' words.
func (a *Account) Label(signIn, signOut string) {
	report("label the sign-in buttons",
		set(a.signin, "Node.textContent", signIn),
		set(a.signout, "Node.textContent", signOut))
}

// FocusSignIn moves the keyboard focus to the sign-in button.
func (a *Account) FocusSignIn() {
	_, err := call(a.signin, "HTMLElement.focus")
	report("focus the sign-in button", err)
}

// OnCallback passes every postMessage that says it is the callback page's
// to fn, on a goroutine of its own. Only the origin and the string fields
// are read: whatever else the message holds is ignored, and fn decides
// (auth.Request.Check) whether to believe it.
func OnCallback(fn func(auth.Callback)) error {
	win := safejs.Global()
	return listen(win, "message", "sign-in message", func(_ safejs.Value, args []safejs.Value) any {
		if len(args) == 0 {
			return nil
		}
		ev := args[0]
		data, err := get(ev, "MessageEvent.data")
		if err != nil || data.Type() != safejs.TypeObject || data.IsNull() {
			return nil // not ours: pages may post anything to a frame
		}
		str := func(name string) string {
			v, err := data.Get(name)
			if err != nil || v.Type() != safejs.TypeString {
				return ""
			}
			s, err := v.String()
			if err != nil || len(s) > 4096 {
				return ""
			}
			return s
		}
		if str("type") != auth.MessageType {
			return nil
		}
		origin, err := prop(ev, "MessageEvent.origin", safejs.Value.String)
		report("read a message's origin", err)
		cb := auth.Callback{Origin: origin, State: str("state"), Code: str("code"),
			Error: str("error"), Description: str("error_description")}
		guard.Go("sign-in callback", func() { fn(cb) })
		return nil
	})
}

// SetSession writes key in sessionStorage; "" removes it. Storage may be
// blocked (a sandboxed frame, site data off): then nothing is kept.
func SetSession(key, value string) {
	store, err := get(safejs.Global(), "Window.sessionStorage")
	if err != nil || store.IsNull() || store.IsUndefined() {
		report("write sessionStorage", err)
		return
	}
	if value == "" {
		_, err = call(store, "Storage.removeItem", key)
	} else {
		_, err = call(store, "Storage.setItem", key, value)
	}
	report("write sessionStorage", err)
}

// Origin is the page's origin, as MessageEvent.origin names it.
func Origin() string {
	loc, err := get(safejs.Global(), "Window.location")
	if err != nil {
		report("read the page's origin", err)
		return ""
	}
	o, err := prop(loc, "Location.origin", safejs.Value.String)
	report("read the page's origin", err)
	return o
}
