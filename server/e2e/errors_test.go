package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/glimchat/glimchat/server/demo"
)

// What the status line says while the chat cannot show: that it is
// connecting, and every failure, in plain words on the screen.

// Every failure is a visible line of plain words, never a blank page.
func TestErrorStates(t *testing.T) {
	t.Parallel()
	srv := StartServe(t, ServeOptions{Instances: []string{"http://127.0.0.1:1"}})

	t.Run("unknown channel", func(t *testing.T) {
		p := openPage(t, srv, "overlay.html", "channel=nobody_here&"+readOnly)
		status := waitStatus(p, "no channel")
		if !strings.Contains(status, `"nobody_here"`) {
			t.Errorf("status = %q, want it to name the channel", status)
		}
		waitState(p, "offline")
		assertStatusVisible(t, p)
		p.AssertNoProblems()
	})

	// On air the overlay shows nothing but chat: the warning goes to the
	// console (and the generator); the embed page also shows it.
	t.Run("bad parameter", func(t *testing.T) {
		p := openPage(t, srv, "overlay.html", "channel=demo&"+readOnly+"&history=abc")
		waitCount(p, 50) // the default history
		waitState(p, "live")
		WaitFor[bool](p, "an empty status line on air", `document.getElementById("glimchat-status").textContent === ""`)
		if c := p.consoleText(); !strings.Contains(c, "history") || !strings.Contains(c, "abc") {
			t.Errorf("console = %q, want it to name history and the bad value", c)
		}
		p.AssertNoProblems()

		e := openPage(t, srv, "embed.html", "channel=demo&"+readOnly+"&history=abc")
		waitState(e, "live")
		if status := waitStatus(e, "history"); !strings.Contains(status, "abc") {
			t.Errorf("embed status = %q, want it to name history and the bad value", status)
		}
		assertStatusVisible(t, e)
	})

	t.Run("missing channel", func(t *testing.T) {
		p := openPage(t, srv, "embed.html", readOnly)
		waitStatus(p, "channel=")
		assertStatusVisible(t, p)
		p.AssertNoProblems()
	})

	t.Run("unreachable instance", func(t *testing.T) {
		p := openPage(t, srv, "overlay.html", "channel=demo&"+readOnly+"&instance=http://127.0.0.1:1&transport=fetch")
		waitStatus(p, "Cannot reach")
		assertStatusVisible(t, p)
		p.AssertNoPageProblems()
	})

	// Cross-origin the start query rides the websocket: one that never
	// opens is said as such, at once, not as an instance too slow.
	t.Run("unreachable instance over the socket", func(t *testing.T) {
		p := openPage(t, srv, "overlay.html", "channel=demo&"+readOnly+"&instance=http://127.0.0.1:1")
		statuses := recordStatus(p)
		status := waitStatus(p, "Cannot reach the Glimesh instance")
		if !strings.Contains(status, "live connection") {
			t.Errorf("status = %q, want it to say the live connection does not open", status)
		}
		time.Sleep(3 * time.Second) // the first retry fails the same way
		for _, s := range statuses() {
			if strings.Contains(s, "took too long") {
				t.Errorf("the status line said %q", s)
			}
		}
		assertStatusVisible(t, p)
		p.AssertNoPageProblems()
	})

	t.Run("refused client id", func(t *testing.T) {
		p := openPage(t, srv, "overlay.html", "channel=demo&client_id=nope")
		waitStatus(p, "client_id")
		assertStatusVisible(t, p)
		if n := len(logIDs(p)); n != 0 {
			t.Errorf("log shows %d messages with a refused client id", n)
		}
		p.AssertNoPageProblems()
	})

	t.Run("cross-origin fetch", func(t *testing.T) {
		d := StartDemo(t, demo.Options{})
		cross := StartServe(t, ServeOptions{Instances: []string{d.URL}})
		p := openPage(t, cross, "overlay.html", "channel=demo&"+readOnly+"&transport=fetch&instance="+d.URL)
		status := waitStatus(p, "transport=socket")
		if !strings.Contains(status, "glimchat serve -upstream") {
			t.Errorf("status = %q, want it to suggest glimchat serve -upstream too", status)
		}
		assertStatusVisible(t, p)
		p.AssertNoPageProblems()
	})

	// glimchat serve without -instance: its CSP refuses the demo on its
	// own origin. The page names the policy and the fix, not the network.
	t.Run("instance refused by the CSP", func(t *testing.T) {
		d := StartDemo(t, demo.Options{})
		bare := StartServe(t, ServeOptions{})
		p := openPage(t, bare, "overlay.html", "channel=demo&"+readOnly+"&instance="+d.URL)
		status := waitStatus(p, "Content-Security-Policy")
		for _, want := range []string{"-instance " + d.URL, "connect-src"} {
			if !strings.Contains(status, want) {
				t.Errorf("status = %q, want it to say %q", status, want)
			}
		}
		if strings.Contains(strings.ToLower(status), "cannot reach") {
			t.Errorf("status = %q, blames the network", status)
		}
		time.Sleep(3 * time.Second) // the lookup's retry must not replace it
		if status := p.Text("glimchat-status"); !strings.Contains(status, "-instance "+d.URL) {
			t.Errorf("status became %q", status)
		}
		assertStatusVisible(t, p)
	})
}

// While the instance has not answered yet, the page says it is connecting
// (never blank); once live, the line goes away.
func TestConnectingStatus(t *testing.T) {
	t.Parallel()
	g := newGate("streamerUsername")
	srv := startGated(t, g)
	p := openPage(t, srv, "overlay.html", "channel=demo&"+readOnly+"&history=3")
	g.wait(t)
	status := waitStatus(p, "Connecting")
	if !strings.Contains(status, "demo") {
		t.Errorf("status = %q, want it to name the channel", status)
	}
	assertStatusVisible(t, p)
	if st := state(p); st != "connecting" {
		t.Errorf("data-state = %q while the lookup is held, want connecting", st)
	}
	close(g.open)
	waitCount(p, 3)
	waitState(p, "live")
	if s := Eval[string](p, `(() => {
		const s = document.getElementById("glimchat-status");
		return s.hidden || getComputedStyle(s).display === "none" ? "" : s.textContent;
	})()`); s != "" {
		t.Errorf("status shows %q once live, want it hidden", s)
	}
	p.AssertNoProblems()
}
