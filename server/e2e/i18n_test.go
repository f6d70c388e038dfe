package e2e

import (
	"strings"
	"testing"
)

// lang= picks the catalogue's language: the embed page's labels and its
// problems read in German, and English stays the default.
func TestLanguageFromParameter(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{})

	de := openPage(t, srv, "embed.html", "channel=demo&"+readOnly+"&lang=de")
	waitState(de, "live")
	WaitFor[bool](de, "the German sign-in label",
		`document.getElementById("glimchat-signin").textContent === "Mit Glimesh anmelden"`)
	if send := Eval[string](de, `document.querySelector("#glimchat-composer button[type=submit]").textContent`); send != "Senden" {
		t.Errorf("send button %q, want Senden", send)
	}
	if ph := composer(de).Placeholder; !strings.Contains(ph, "Melde dich an") {
		t.Errorf("composer placeholder %q, want German", ph)
	}
	de.AssertNoProblems()

	missing := openPage(t, srv, "overlay.html", "lang=de-AT&"+readOnly)
	WaitFor[bool](missing, "the missing channel said in German",
		`document.getElementById("glimchat-status").textContent.includes("Kanal")`)

	en := openPage(t, srv, "embed.html", "channel=demo&"+readOnly)
	waitState(en, "live")
	WaitFor[bool](en, "the English sign-in label",
		`document.getElementById("glimchat-signin").textContent === "Sign in with Glimesh"`)
}
