package config

import (
	"strings"
	"testing"
)

func TestEventsParam(t *testing.T) {
	page := "https://chat.example/overlay.html"
	for _, c := range []struct {
		query           string
		overlay, embed  Events
		values, problem string
	}{
		{"", ShowFollows, ShowFollows | ShowLive, "", ""},
		{"events=none", 0, 0, "none", ""},
		{"events=title,follows", ShowFollows | ShowTitle, ShowFollows | ShowTitle, "follows,title", ""},
		{"events=LIVE, title", ShowLive | ShowTitle, ShowLive | ShowTitle, "live,title", ""},
		{"events=follows,subs", ShowFollows, ShowFollows, "follows", "subs"},
	} {
		cfg, errs := Parse("channel=x&"+c.query, page)
		if got := cfg.Overlay.EventsFor(false); got != c.overlay {
			t.Errorf("%q on the overlay: %b, want %b", c.query, got, c.overlay)
		}
		if got := cfg.Overlay.EventsFor(true); got != c.embed {
			t.Errorf("%q on the embed page: %b, want %b", c.query, got, c.embed)
		}
		if got := cfg.Values(page).Get("events"); got != c.values {
			t.Errorf("%q: Values gives events=%q, want %q", c.query, got, c.values)
		}
		var said []string
		for _, e := range errs {
			said = append(said, e.Error())
		}
		if (c.problem == "") != (len(said) == 0) || c.problem != "" && !strings.Contains(strings.Join(said, " "), c.problem) {
			t.Errorf("%q: problems %q, want one naming %q", c.query, said, c.problem)
		}
	}
}
