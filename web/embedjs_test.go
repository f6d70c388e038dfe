package web

import (
	"os"
	"strings"
	"testing"
)

// embed.js runs on other people's sites: it stays small, depends on
// nothing, evaluates no strings and writes no markup.
func TestEmbedJSStaysPlain(t *testing.T) {
	src, err := os.ReadFile("embed.js")
	if err != nil {
		t.Fatal(err)
	}
	if len(src) > 4096 {
		t.Errorf("embed.js is %d bytes, want at most 4096", len(src))
	}
	code := string(src)
	for _, bad := range []string{"eval(", "Function(", "innerHTML", "outerHTML", "document.write", "import ", "require(", "setAttribute(\"style\"", "setTimeout(\"", "token="} {
		if strings.Contains(code, bad) {
			t.Errorf("embed.js contains %q", bad)
		}
	}
	for _, want := range []string{`"embed.html"`, "document.currentScript", "ResizeObserver", `"lazy"`, "(^|_)token$"} {
		if !strings.Contains(code, want) {
			t.Errorf("embed.js lacks %q", want)
		}
	}
}
