package config

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

const page = "https://widget.example:8443/overlay.html?x=1#frag"

func mustURL(raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	return u
}

// instance is c.Instance as text, "" for none.
func instance(c Config) string {
	if c.Instance == nil {
		return ""
	}
	return c.Instance.String()
}

func defaults() Config {
	return Config{Instance: mustURL("https://widget.example:8443"), Channel: "mytho", History: DefaultHistory,
		Limit: DefaultLimit, Transport: Auto, Poll: DefaultPoll, Heartbeat: DefaultHeartbeat, ModPoll: DefaultModPoll,
		Overlay: defaultOverlay()}
}

func TestValidValues(t *testing.T) {
	for _, tc := range []struct {
		query string
		edit  func(*Config)
	}{
		{"channel=mytho", func(*Config) {}},
		{"?channel=mytho", func(*Config) {}},
		{"channel=mytho&instance=https://glimesh.tv/", func(c *Config) { c.Instance = mustURL("https://glimesh.tv") }},
		{"channel=mytho&instance=http%3A%2F%2Flocalhost%3A4000%2Fprefix%2F", func(c *Config) { c.Instance = mustURL("http://localhost:4000/prefix") }},
		{"channel=mytho&client_id=7c5a1e2b-0000-4000-8000-000000000000", func(c *Config) { c.ClientID = "7c5a1e2b-0000-4000-8000-000000000000" }},
		{"channel=mytho&client_id=glimchat-demo", func(c *Config) { c.ClientID = "glimchat-demo" }},
		{"channel=Some_User.x-1", func(c *Config) { c.Channel = "Some_User.x-1" }},
		{"channel=mytho&history=0", func(c *Config) { c.History = 0 }},
		{"channel=mytho&history=1000", func(c *Config) { c.History = 1000 }},
		{"channel=mytho&limit=1", func(c *Config) { c.Limit = 1 }},
		{"channel=mytho&limit=1000", func(c *Config) { c.Limit = 1000 }},
		{"channel=mytho&max=30", func(c *Config) { c.Limit = 30 }},
		{"channel=mytho&max=30&limit=40", func(c *Config) { c.Limit = 40 }},            // the canonical name wins
		{"channel=mytho&clientid=b&client-id=a", func(c *Config) { c.ClientID = "a" }}, // of two aliases, the first in byte order
		{"channel=mytho&transport=socket", func(c *Config) { c.Transport = Socket }},
		{"channel=mytho&transport=FETCH", func(c *Config) { c.Transport = Fetch }},
		{"channel=mytho&transport=poll&poll=30", func(c *Config) { c.Transport = Poll; c.Poll = 30 * time.Second }},
		{"channel=mytho&poll=2", func(c *Config) { c.Poll = 2 * time.Second }},
		{"channel=mytho&heartbeat=5", func(c *Config) { c.Heartbeat = 5 * time.Second }},
		{"channel=mytho&heartbeat=60", func(c *Config) { c.Heartbeat = 60 * time.Second }},
		{"channel=mytho&mod_poll=0", func(c *Config) { c.ModPoll = 0 }}, // off
		{"channel=mytho&mod_poll=1", func(c *Config) { c.ModPoll = time.Second }},
		{"channel=mytho&mod_poll=%20300%20", func(c *Config) { c.ModPoll = 300 * time.Second }},
		{"channel=mytho&hold=0", func(*Config) {}},
		{"channel=mytho&hold=3", func(c *Config) { c.Hold = 3 * time.Second }},
		{"channel=mytho&hold=60&mod_poll=2", func(c *Config) { c.Hold = time.Minute; c.ModPoll = 2 * time.Second }},
		{"channel=mytho&avatars", func(c *Config) { c.Avatars = true }},
		{"channel=mytho&avatars=", func(c *Config) { c.Avatars = true }},
		{"channel=mytho&avatars=1", func(c *Config) { c.Avatars = true }},
		{"channel=mytho&avatars=YES", func(c *Config) { c.Avatars = true }},
		{"channel=mytho&avatars=true", func(c *Config) { c.Avatars = true }},
		{"channel=mytho&avatars=no", func(c *Config) {}},
		{"channel=mytho&avatars=0", func(c *Config) {}},
		{"channel=mytho&avatars=false", func(c *Config) {}},
		{"channel=mytho&size=3&font=1&theme=dark", func(c *Config) { c.Overlay.Size, c.Overlay.Font, c.Overlay.Theme = 3, Fonts[1], Dark }}, // jChat's names are ours (overlay_test.go has them all)
	} {
		want := defaults()
		tc.edit(&want)
		got, errs := Parse(tc.query, page)
		if len(errs) != 0 {
			t.Errorf("%q: unexpected errors %v", tc.query, errs)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tc.query, got, want)
		}
	}
}

func TestBadValues(t *testing.T) {
	for _, tc := range []struct {
		query    string
		param    string // the parameter the error must name
		accepted string // part of what the error says is accepted
		edit     func(*Config)
	}{
		{"", "channel", "missing", func(c *Config) { c.Channel = "" }},
		{"channel=", "channel", "Glimesh username", func(c *Config) { c.Channel = "" }},
		{"channel=a%20b", "channel", "Glimesh username", func(c *Config) { c.Channel = "" }},
		{"channel=%3Cscript%3E", "channel", "Glimesh username", func(c *Config) { c.Channel = "" }},
		{"channel=" + strings.Repeat("a", 51), "channel", "1 to 50", func(c *Config) { c.Channel = "" }},
		{"channel=mytho&channel=other", "channel", "more than once", func(*Config) {}},
		{"channel=mytho&instance=javascript:alert(1)", "instance", "http and https", func(*Config) {}},
		{"channel=mytho&instance=ftp://glimesh.tv", "instance", "http and https", func(*Config) {}},
		{"channel=mytho&instance=glimesh.tv", "instance", "http and https", func(*Config) {}},
		{"channel=mytho&instance=https://", "instance", "host", func(*Config) {}},
		{"channel=mytho&instance=https://user:pw@glimesh.tv", "instance", "passwords", func(*Config) {}},
		{"channel=mytho&instance=https://glimesh.tv/?", "instance", "query", func(*Config) {}},
		{"channel=mytho&instance=https%3A%2F%2Fglimesh.tv%2F%3Fa%3D1", "instance", "query", func(*Config) {}},
		{"channel=mytho&instance=https%3A%2F%2Fglimesh.tv%2F%23x", "instance", "fragment", func(*Config) {}},
		{"channel=mytho&instance=http:opaque", "instance", "http(s) URL", func(*Config) {}},
		{"channel=mytho&client_id=", "client_id", "client id", func(*Config) {}},
		{"channel=mytho&client_id=a%0D%0AX-Evil:1", "client_id", "client id", func(*Config) {}},
		{"channel=mytho&client_id=" + strings.Repeat("a", 129), "client_id", "1 to 128", func(*Config) {}},
		{"channel=mytho&history=-1", "history", "0 to 1000", func(*Config) {}},
		{"channel=mytho&history=1001", "history", "0 to 1000", func(*Config) {}},
		{"channel=mytho&history=ten", "history", "whole number", func(*Config) {}},
		{"channel=mytho&history=5.5", "history", "whole number", func(*Config) {}},
		{"channel=mytho&history=", "history", "whole number", func(*Config) {}},
		{"channel=mytho&history=99999999999999999999", "history", "whole number", func(*Config) {}},
		{"channel=mytho&limit=0", "limit", "1 to 1000", func(*Config) {}},
		{"channel=mytho&limit=5000", "limit", "1 to 1000", func(*Config) {}},
		{"channel=mytho&max=abc", "limit", "whole number", func(*Config) {}},
		{"channel=mytho&transport=carrier-pigeon", "transport", "auto, socket, fetch, poll", func(*Config) {}},
		{"channel=mytho&transport=", "transport", "auto, socket, fetch, poll", func(*Config) {}},
		{"channel=mytho&avatars=maybe", "avatars", "1, 0, true, false", func(*Config) {}},
		{"channel=mytho&poll=1", "poll", "2 to 300", func(*Config) {}},
		{"channel=mytho&poll=301", "poll", "2 to 300", func(*Config) {}},
		{"channel=mytho&poll=1m", "poll", "whole number", func(*Config) {}},
		{"channel=mytho&heartbeat=4", "heartbeat", "5 to 60", func(*Config) {}},
		{"channel=mytho&heartbeat=61", "heartbeat", "5 to 60", func(*Config) {}},
		{"channel=mytho&heartbeat=5s", "heartbeat", "whole number", func(*Config) {}},
		{"channel=mytho&mod_poll=-1", "mod_poll", "0 to 300; using 5", func(*Config) {}},
		{"channel=mytho&mod_poll=301", "mod_poll", "0 to 300; using 5", func(*Config) {}},
		{"channel=mytho&mod_poll=2.5", "mod_poll", "whole number", func(*Config) {}},
		{"channel=mytho&mod_poll=", "mod_poll", "whole number", func(*Config) {}},
		{"channel=mytho&mod_poll=off", "mod_poll", "whole number", func(*Config) {}},
		{"channel=mytho&hold=-3", "hold", "0 to 60; using 0", func(*Config) {}},
		{"channel=mytho&hold=61", "hold", "0 to 60; using 0", func(*Config) {}},
		{"channel=mytho&hold=3s", "hold", "whole number", func(*Config) {}},
		{"channel=mytho&hold=1&hold=2", "hold", "more than once", func(c *Config) { c.Hold = time.Second }},
		{"channel=mytho&a=%zz", "query", "could not be read", func(*Config) {}},
	} {
		want := defaults()
		tc.edit(&want)
		got, errs := Parse(tc.query, page)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: defaults not used:\n got %+v\nwant %+v", tc.query, got, want)
		}
		if len(errs) != 1 {
			t.Errorf("%q: want exactly one error, got %v", tc.query, errs)
			continue
		}
		var pe *ParamError
		if !errors.As(errs[0], &pe) || pe.Param != tc.param || !strings.Contains(errs[0].Error(), tc.accepted) {
			t.Errorf("%q: error %q, want it to name %s and say %q", tc.query, errs[0], tc.param, tc.accepted)
		}
	}
}

func TestTokensNeverRead(t *testing.T) {
	for _, q := range []string{"token=s3cret", "access_token=s3cret", "Token=s3cret", "ACCESS_TOKEN=s3cret"} {
		c, errs := Parse("channel=mytho&"+q, page)
		if !reflect.DeepEqual(c, defaults()) {
			t.Errorf("%q changed the config: %+v", q, c)
		}
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), "tokens are not accepted in URLs") {
			t.Errorf("%q: errors %v", q, errs)
		}
		for _, e := range errs {
			if strings.Contains(e.Error(), "s3cret") {
				t.Errorf("%q: the warning repeats the token: %v", q, e)
			}
		}
	}
}

func TestInstanceDefault(t *testing.T) {
	c, errs := Parse("channel=mytho", "http://127.0.0.1:8080/embed.html")
	if instance(c) != "http://127.0.0.1:8080" || len(errs) != 0 {
		t.Errorf("origin default: %q %v", instance(c), errs)
	}
	// A page without an http(s) origin (file://) has no default instance.
	c, errs = Parse("channel=mytho", "file:///tmp/overlay.html")
	if instance(c) != "" || len(errs) != 1 || !strings.Contains(errs[0].Error(), "instance") {
		t.Errorf("file page: %q %v", instance(c), errs)
	}
	c, errs = Parse("channel=mytho&instance=https://glimesh.tv", "file:///tmp/overlay.html")
	if instance(c) != "https://glimesh.tv" || len(errs) != 0 {
		t.Errorf("file page with instance: %q %v", instance(c), errs)
	}
	c, errs = Parse("channel=mytho&instance=nope", "file:///tmp/overlay.html")
	if instance(c) != "" || len(errs) != 1 || !strings.Contains(errs[0].Error(), "no instance") {
		t.Errorf("file page with a bad instance: %q %v", instance(c), errs)
	}
}

func TestHugeValueShortened(t *testing.T) {
	_, errs := Parse("channel=mytho&transport="+strings.Repeat("x", 10000), page)
	if len(errs) != 1 || len(errs[0].Error()) > 200 {
		t.Errorf("warning not shortened: %d bytes", len(errs[0].Error()))
	}
}

func TestSeveralErrorsAllReported(t *testing.T) {
	c, errs := Parse("history=x&limit=y&transport=z&avatars=w&poll=v&heartbeat=u&mod_poll=t&hold=s", page)
	if len(errs) != 9 { // the eight bad values plus the missing channel
		t.Errorf("want 9 errors, got %v", errs)
	}
	if c.History != DefaultHistory || c.Limit != DefaultLimit || c.Transport != Auto || c.Avatars || c.Poll != DefaultPoll || c.Heartbeat != DefaultHeartbeat ||
		c.ModPoll != DefaultModPoll || c.Hold != 0 {
		t.Errorf("defaults not used: %+v", c)
	}
}

func TestTokenKeyIsPerOrigin(t *testing.T) {
	a := TokenKey(mustURL("https://Glimesh.example"))
	if a != "glimchat.token https://glimesh.example" {
		t.Errorf("TokenKey = %q", a)
	}
	if a != TokenKey(mustURL("https://glimesh.example/prefix")) {
		t.Error("the same origin under a path has another key")
	}
	for _, other := range []string{"http://glimesh.example", "https://glimesh.example:8443", "https://evil.example"} {
		if TokenKey(mustURL(other)) == a {
			t.Errorf("%s shares the key of https://glimesh.example", other)
		}
	}
}

func TestSignInParams(t *testing.T) {
	page := "https://chat.example/embed.html"
	c, errs := Parse("channel=a&redirect_uri=https://chat.example/cb.html&remember", page)
	if len(errs) != 0 || c.RedirectURI != "https://chat.example/cb.html" || !c.Remember {
		t.Errorf("%+v %v", c, errs)
	}
	if back, _ := Parse(c.Values(page).Encode(), page); back.RedirectURI != c.RedirectURI || !back.Remember {
		t.Errorf("Values lost them: %v", c.Values(page))
	}
	// The callback posts to its opener's origin: another origin cannot work.
	for _, bad := range []string{"https://evil.example/cb.html", "http://chat.example/cb.html", "javascript:alert(1)", "https://u@chat.example/cb"} {
		c, errs := Parse("channel=a&redirect_uri="+url.QueryEscape(bad), page)
		if c.RedirectURI != "" || len(errs) != 1 {
			t.Errorf("redirect_uri=%s: %q %v", bad, c.RedirectURI, errs)
		}
	}
}
