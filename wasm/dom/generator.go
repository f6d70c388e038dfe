//go:build js && wasm

package dom

import (
	"net/url"

	"github.com/hack-pad/safejs"

	"github.com/glimchat/glimchat/wasm/guard"
)

// Generator is the landing page's URL generator (web/index.html): a form
// whose fields are named after the parameters, the URL box, the preview
// frame, the notes list, the embed snippets, and buttons.
type Generator struct {
	form, url, frame, notes, copy, say, sayText, sayAs, demoNote, staticNote, status safejs.Value
	embedIframe, embedLoader, copyIframe, copyLoader                                 safejs.Value
}

// FindGenerator returns the page's generator; ok is false on other pages.
func FindGenerator() (g *Generator, ok bool, err error) {
	doc, err := get(safejs.Global(), "Window.document")
	if err != nil {
		return nil, false, err
	}
	form, err := call(doc, "Document.getElementById", "glimchat-generator")
	if err != nil || form.IsNull() {
		return nil, false, err
	}
	g = &Generator{form: form}
	for id, dst := range map[string]*safejs.Value{
		"glimchat-url": &g.url, "glimchat-preview": &g.frame, "glimchat-notes": &g.notes, "glimchat-copy": &g.copy,
		"glimchat-say": &g.say, "glimchat-say-text": &g.sayText, "glimchat-say-as": &g.sayAs,
		"glimchat-demo-note": &g.demoNote, "glimchat-static-note": &g.staticNote, "glimchat-status": &g.status,
		"glimchat-embed-iframe": &g.embedIframe, "glimchat-embed-loader": &g.embedLoader,
		"glimchat-copy-iframe": &g.copyIframe, "glimchat-copy-loader": &g.copyLoader,
	} {
		if *dst, err = byID(doc, id); err != nil {
			return nil, false, err
		}
	}
	return g, true, nil
}

// Fields reads the form: every named field's value, a checkbox's "1" when
// checked.
func (g *Generator) Fields() url.Values {
	v := url.Values{}
	g.eachField(func(el safejs.Value, name, typ string) {
		if typ == "checkbox" {
			if on, err := prop(el, "HTMLInputElement.checked", safejs.Value.Truthy); err == nil && on {
				v.Set(name, "1")
			}
			return
		}
		if s, err := prop(el, "HTMLInputElement.value", safejs.Value.String); err == nil {
			v.Set(name, s)
		}
	})
	return v
}

// SetFields fills the form from v; fields v lacks are cleared (their
// placeholders show the defaults).
func (g *Generator) SetFields(v url.Values) {
	g.eachField(func(el safejs.Value, name, typ string) {
		if typ == "checkbox" {
			on := v.Has(name) && v.Get(name) != "0"
			report("fill the form", set(el, "HTMLInputElement.checked", on))
			return
		}
		report("fill the form", set(el, "HTMLInputElement.value", v.Get(name)))
	})
}

func (g *Generator) eachField(fn func(el safejs.Value, name, typ string)) {
	els, err := get(g.form, "HTMLFormElement.elements")
	if err != nil {
		report("read the form", err)
		return
	}
	n, err := prop(els, "HTMLFormControlsCollection.length", safejs.Value.Int)
	for i := 0; err == nil && i < n; i++ {
		var el safejs.Value
		if el, err = call(els, "HTMLFormControlsCollection.item", i); err != nil {
			break
		}
		name, _ := prop(el, "HTMLInputElement.name", safejs.Value.String)
		typ, _ := prop(el, "HTMLInputElement.type", safejs.Value.String)
		if name != "" {
			fn(el, name, typ)
		}
	}
	report("read the form", err)
}

// URL is the URL box's text.
func (g *Generator) URL() string {
	s, err := prop(g.url, "HTMLInputElement.value", safejs.Value.String)
	report("read the URL box", err)
	return s
}

// Show puts the overlay URL in the box, points the preview at it when it
// changed, and lists the notes (plain text).
func (g *Generator) Show(overlayURL string, notes []string) {
	report("show the URL", set(g.url, "HTMLInputElement.value", overlayURL))
	if cur, err := attr(g.frame, "src"); err == nil && cur != overlayURL {
		_, err = call(g.frame, "Element.setAttribute", "src", overlayURL)
		report("point the preview", err)
	}
	report("show the notes", set(g.notes, "Node.textContent", ""))
	doc, err := get(safejs.Global(), "Window.document")
	for _, n := range notes {
		if err != nil {
			break
		}
		var li safejs.Value
		if li, err = call(doc, "Document.createElement", "li"); err == nil {
			if err = set(li, "Node.textContent", n); err == nil {
				_, err = call(g.notes, "Node.appendChild", li)
			}
		}
	}
	report("show the notes", err)
}

// ShowEmbed puts the snippets that embed the chat on another site (an
// <iframe>, and the loader's element and script) in their boxes.
func (g *Generator) ShowEmbed(iframe, loader string) {
	report("show the embed snippets",
		set(g.embedIframe, "HTMLTextAreaElement.value", iframe),
		set(g.embedLoader, "HTMLTextAreaElement.value", loader))
}

// Demo says whether a demo instance serves this page, and shows the note
// that fits; without one the test message button is disabled.
func (g *Generator) Demo(here bool) {
	report("show the instance note",
		set(g.status, "HTMLElement.hidden", true),
		set(g.demoNote, "HTMLElement.hidden", !here),
		set(g.staticNote, "HTMLElement.hidden", here),
		set(g.say, "HTMLButtonElement.disabled", !here))
}

// SayText is the test message and the demo user to post it as.
func (g *Generator) SayText() (text, as string) {
	text, err1 := prop(g.sayText, "HTMLInputElement.value", safejs.Value.String)
	as, err2 := prop(g.sayAs, "HTMLSelectElement.value", safejs.Value.String)
	report("read the test message", err1, err2)
	return text, as
}

// On calls fn (on its own goroutine) when the form changes (change), the
// URL box is edited (url), copy or the test message button is pressed. The
// embed snippets' copy buttons copy their boxes.
func (g *Generator) On(change, edited, copied, say func()) error {
	for _, l := range []struct {
		target safejs.Value
		event  string
		fn     func()
	}{{g.form, "input", change}, {g.url, "change", edited}, {g.copy, "click", copied}, {g.say, "click", say},
		{g.copyIframe, "click", func() { copyBox(g.embedIframe, "the iframe snippet") }},
		{g.copyLoader, "click", func() { copyBox(g.embedLoader, "the loader snippet") }}} {
		fn := l.fn
		if err := listen(l.target, l.event, "generator "+l.event, func(_ safejs.Value, args []safejs.Value) any {
			if len(args) > 0 && l.event != "input" && l.event != "change" {
				_, err := call(args[0], "Event.preventDefault")
				report("generator", err)
			}
			guard.Go("generator "+l.event, fn)
			return nil
		}); err != nil {
			return err
		}
	}
	// The form never submits: Enter in a field must not reload the page.
	return listen(g.form, "submit", "generator submit", func(_ safejs.Value, args []safejs.Value) any {
		if len(args) > 0 {
			_, err := call(args[0], "Event.preventDefault")
			report("generator", err)
		}
		return nil
	})
}

// Copy selects the URL box and copies it to the clipboard.
func (g *Generator) Copy() { copyBox(g.url, "the URL") }

// copyBox selects the text box and copies its text to the clipboard.
func copyBox(box safejs.Value, what string) {
	_, err := call(box, "HTMLTextAreaElement.select")
	report("select "+what, err)
	text, err := prop(box, "HTMLTextAreaElement.value", safejs.Value.String)
	if err == nil {
		var nav safejs.Value
		if nav, err = get(safejs.Global(), "Window.navigator"); err == nil {
			var clip safejs.Value
			if clip, err = get(nav, "Navigator.clipboard"); err == nil && !clip.IsUndefined() {
				_, err = call(clip, "Clipboard.writeText", text)
			}
		}
	}
	report("copy "+what, err)
}
