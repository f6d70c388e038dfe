package e2e

import (
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/glimchat/glimchat/web"
)

// withoutWasm is the built assets minus the widget, as when a deploy forgot it.
type withoutWasm struct{ fs.FS }

func isWasm(name string) bool {
	return strings.HasPrefix(name, "glimchat.") && strings.Contains(name, ".wasm")
}

func (w withoutWasm) Open(name string) (fs.File, error) {
	if isWasm(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return w.FS.Open(name)
}

func (w withoutWasm) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(w.FS, name)
	return slices.DeleteFunc(entries, func(e fs.DirEntry) bool { return isWasm(e.Name()) }), err
}

// When the wasm cannot load, the page says so in plain words instead of
// staying blank, and marks the widget offline.
func TestLoaderReportsMissingWasm(t *testing.T) {
	srv := StartServe(t, ServeOptions{Assets: withoutWasm{web.Dist()}})
	p := openPage(t, srv, "overlay.html", "channel=demo&"+readOnly)
	status := WaitFor[string](p, "the loader's failure message", `(() => {
		const t = document.getElementById("glimchat-status").textContent;
		return t.includes("could not load") ? t : "";
	})()`)
	if st := state(p); st != "offline" {
		t.Errorf("data-state = %q after a failed load, want offline", st)
	}
	problems := p.Problems()
	found := false
	for _, pr := range problems {
		found = found || strings.Contains(pr, "glimchat: "+status)
	}
	if !found {
		t.Errorf("problems = %q, want the loader's console error %q", problems, status)
	}
}

// Without JavaScript the page shows its <noscript> message, not a stuck
// "Loading" line or nothing.
func TestNoScriptMessage(t *testing.T) {
	srv := StartServe(t, ServeOptions{})
	for _, name := range []string{"overlay.html", "embed.html"} {
		t.Run(name, func(t *testing.T) {
			p := NewPage(t)
			if _, err := chromedp.Call(p.Ctx, emulation.SetScriptExecutionDisabled,
				emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
				t.Fatal(err)
			}
			p.Navigate(srv.Page(name, "channel=demo"))
			visible := Eval[[]string](p, `[...document.querySelectorAll(".glimchat-status")]
				.filter(e => e.getClientRects().length > 0).map(e => e.textContent)`)
			if len(visible) != 1 || !strings.Contains(visible[0], "needs JavaScript and WebAssembly") {
				t.Errorf("visible status lines = %q, want only the noscript message", visible)
			}
		})
	}
}
