//go:build js && wasm

package dom

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/jstest"
	"github.com/glimchat/glimchat/wasm/moderation"
	"github.com/glimchat/glimchat/wasm/render"
)

// mountTools builds an embed page whose log holds one message rendered
// for a moderator, and binds its tools.
func mountTools(t *testing.T, r *render.Renderer) *Tools {
	t.Helper()
	li := r.HTML(glimesh.Message{ID: "42", Text: "hi", User: glimesh.User{ID: "7", Username: "bob"},
		Channel: "demo", Instance: "https://other.example"})
	page(t, `<div id="glimchat" data-mode="embed"><p id="glimchat-status"></p><ol id="glimchat-log">`+li+
		`</ol><p id="glimchat-modstatus" role="status"></p></div>`)
	tools, ok, err := testView(t).Tools()
	if err != nil || !ok {
		t.Fatalf("Tools = %v, %v", ok, err)
	}
	return tools
}

// testView is the page's View without Mount's observers, which would
// outlive the test program.
func testView(t *testing.T) *View {
	t.Helper()
	v := &View{win: safejs.Global()}
	var err error
	if v.doc, err = get(v.win, "Window.document"); err != nil {
		t.Fatal(err)
	}
	if v.log, err = byID(v.doc, "glimchat-log"); err != nil {
		t.Fatal(err)
	}
	return v
}

// page adds the chat's elements to the test runner's page for the test.
func page(t *testing.T, html string) {
	t.Helper()
	b, _ := json.Marshal(html)
	jstest.Run(t, `document.body.insertAdjacentHTML("beforeend", `+string(b)+`);`)
	t.Cleanup(func() { jstest.Run(t, `document.getElementById("glimchat").remove();`) })
}

// nextClick waits for the next press, as long as what is expected needs.
func nextClick(t *testing.T, clicks <-chan moderation.Click, expected bool) (moderation.Click, bool) {
	t.Helper()
	wait := 300 * time.Millisecond
	if expected {
		wait = patience
	}
	select {
	case c := <-clicks:
		return c, true
	case <-time.After(wait):
		return moderation.Click{}, false
	}
}

func evalString(t *testing.T, expr string) string {
	t.Helper()
	jstest.Run(t, `window.__glimchatTest = String(`+expr+`);`)
	v, err := safejs.Global().Get("__glimchatTest")
	if err != nil {
		t.Fatal(err)
	}
	s, err := v.String()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// One listener on the log reads a press on any message's button: the
// action, the message, its author and its channel. Presses elsewhere are
// not presses.
func TestToolsPress(t *testing.T) {
	r := render.New(render.Options{})
	r.Grant("demo", "https://other.example", glimesh.Rights{UserID: "3", Delete: true, Ban: true})
	tools := mountTools(t, r)
	clicks := make(chan moderation.Click, 4)
	if err := tools.OnPress(func(c moderation.Click) { clicks <- c }); err != nil {
		t.Fatal(err)
	}
	jstest.Run(t, `document.querySelector('#glimchat-log button[data-mod="ban"]').click();`)
	c, ok := nextClick(t, clicks, true)
	if !ok {
		t.Fatal("no press")
	}
	if c.Kind != moderation.Ask || c.Action != glimesh.Ban || c.MessageID != "42" || c.UserID != "7" || c.Username != "bob" ||
		c.Channel != "demo" || c.Instance != "https://other.example" {
		t.Errorf("press = %+v", c)
	}

	// The confirmation replaces the buttons and takes the focus, so that
	// the keyboard is where the next decision is.
	tools.Replace(c.Box, r.Confirm(c.Action, c.Username), moderation.Cancel)
	if got := evalString(t, `document.activeElement.dataset.mod`); got != "cancel" {
		t.Errorf("focus on %q, want the cancel button", got)
	}
	jstest.Run(t, `document.querySelector('#glimchat-log button[data-mod="confirm"]').click();`)
	if c, ok := nextClick(t, clicks, true); !ok || c.Kind != moderation.Confirm || c.Action != glimesh.Ban {
		t.Errorf("confirm press = %+v, %v", c, ok)
	}

	jstest.Run(t, `document.querySelector('#glimchat-log .glimchat-body').click();
		document.querySelector('#glimchat-log .glimchat-body').firstChild.dispatchEvent(new MouseEvent("click", {bubbles: true}));`)
	if c, ok := nextClick(t, clicks, false); ok {
		t.Errorf("a click outside the buttons was a press: %+v", c)
	}

	tools.Replace(c.Box, r.Tools(c.Channel, c.Instance, c.Username), string(glimesh.Ban))
	if got := evalString(t, `document.activeElement.dataset.mod`); got != "ban" {
		t.Errorf("focus after restoring on %q, want the ban button", got)
	}
	tools.Report("bob is banned from this chat.", false)
	if got := evalString(t, `document.getElementById("glimchat-modstatus").textContent`); got != "bob is banned from this chat." {
		t.Errorf("result line = %q", got)
	}
	tools.Report("Could not ban bob.", true)
	if got := evalString(t, `document.getElementById("glimchat-modstatus").hasAttribute("data-error")`); got != "true" {
		t.Error("an error is not marked as one")
	}
}

// A page without the result line has no tools.
func TestToolsNeedTheResultLine(t *testing.T) {
	page(t, `<div id="glimchat"><p id="glimchat-status"></p><ol id="glimchat-log"></ol></div>`)
	if _, ok, err := testView(t).Tools(); ok || err != nil {
		t.Errorf("Tools = %v, %v; want none, without error", ok, err)
	}
}
