package e2e

import (
	"os"
	"strings"
	"testing"

	"github.com/glimchat/glimchat/internal/chromium"
)

// The browser these tests drive, by the version it reports itself: the
// smoke in OBS's Chromium (make test, GLIMCHAT_CHROMIUM_WANT=127) reads it
// from this line, and fails here, never skips, when it got another.
func TestBrowserVersion(t *testing.T) {
	v, err := chromium.Version(browser)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("browser: Chromium %s", v)
	if want := os.Getenv(chromium.WantEnv); want != "" && !strings.HasPrefix(v, want+".") {
		t.Errorf("the tests run in Chromium %s, want %s.x (%s=%s)", v, want, chromium.WantEnv, want)
	}
}
