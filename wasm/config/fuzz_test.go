package config

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// checkUsable fails unless c is a configuration the widget can start with:
// every number within its documented range, a known transport, the
// instance, channel and client id either absent or valid, and a look that
// cannot inject CSS.
func checkUsable(t *testing.T, c Config) {
	t.Helper()
	switch {
	case c.History < 0 || c.History > MaxHistory:
		t.Errorf("history %d", c.History)
	case c.Limit < 1 || c.Limit > MaxLimit:
		t.Errorf("limit %d", c.Limit)
	case c.Poll < MinPoll || c.Poll > MaxPoll:
		t.Errorf("poll %v", c.Poll)
	case c.Heartbeat < MinHeartbeat || c.Heartbeat > MaxHeartbeat:
		t.Errorf("heartbeat %v", c.Heartbeat)
	case c.Transport != Auto && c.Transport != Socket && c.Transport != Fetch && c.Transport != Poll:
		t.Errorf("transport %q", c.Transport)
	case c.Channel != "" && !validUsername(c.Channel):
		t.Errorf("channel %q", c.Channel)
	case c.ClientID != "" && !validClientID(c.ClientID):
		t.Errorf("client id %q", c.ClientID)
	}
	if c.ModPoll < 0 || c.ModPoll > MaxModPoll || c.Hold < 0 || c.Hold > MaxHold {
		t.Errorf("mod_poll %v, hold %v", c.ModPoll, c.Hold)
	}
	// The look reaches the page as data attributes and CSS custom
	// properties: nothing in them may end a declaration, open a block or
	// a string, escape, comment or load.
	for _, kv := range append(c.Overlay.Attrs(), c.Overlay.Props()...) {
		if strings.ContainsAny(kv[1], ";{}\\/<>@'`") || strings.Contains(strings.ToLower(kv[1]), "url(") {
			t.Errorf("%s: %q", kv[0], kv[1])
		}
	}
	if strings.ContainsAny(c.Overlay.Font, `"\`) {
		t.Errorf("font %q could end its CSS string", c.Overlay.Font)
	}
	if u := c.Instance; u != nil {
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Opaque != "" ||
			u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.HasSuffix(u.Path, "/") {
			t.Errorf("instance %#v", u)
		}
		// What other packages build from it must parse back to it.
		back, err := url.Parse(u.String())
		if err != nil || back.Scheme != u.Scheme || back.Host != u.Host || back.Path != u.Path {
			t.Errorf("instance %q does not parse back: %#v, %v", u, back, err)
		}
	}
}

// tokenName spells "token" or "access_token" with the letters whose bit is
// set in upper in capitals, and with the first letter percent-encoded when
// escape is set: every spelling a page URL can use.
func tokenName(access bool, upper uint16, escape bool) string {
	name := []byte("token")
	if access {
		name = []byte("access_token")
	}
	for i := range name {
		if upper&(1<<i) != 0 && name[i] != '_' {
			name[i] -= 'a' - 'A'
		}
	}
	if escape {
		return fmt.Sprintf("%%%02X%s", name[0], name[1:])
	}
	return string(name)
}

// FuzzParse proves that any query on any page gives a usable configuration
// without panicking, and that a token parameter, however spelled and
// wherever it stands, changes nothing and is never repeated in a warning.
func FuzzParse(f *testing.F) {
	for _, q := range []string{
		"channel=mytho", "?channel=mytho&instance=https://glimesh.tv/", "channel=mytho&instance=http%3A%2F%2Flocalhost%3A4000%2Fprefix%2F",
		"channel=mytho&client_id=glimchat-demo&history=0&limit=1000&max=3&transport=POLL&poll=2&heartbeat=60&avatars",
		"channel=mytho&instance=javascript:alert(1)", "instance=https://user:pw@glimesh.tv", "instance=https://glimesh.tv/?",
		"instance=https%3A%2F%2Fglimesh.tv%2F%23x", "instance=http:opaque", "instance=https://", "instance=//glimesh.tv",
		"instance=https://glimesh.tv/a%2F", "instance=https://[::1]:4000", "instance=https://glimesh.tv/%zz",
		"client_id=a%0D%0AX-Evil:1", "clientid=x&client-id=y&client_id=z", "history=-1&limit=0&poll=1m&heartbeat=99999999999999999999",
		"channel=a;b", "a=%zz&channel=x",
		"channel=x&font=Comic+Sans&background=%23ff000080&lang=pt-BR&fontSize=20&theme=dark&direction=top&align=right&emotescale=2&fade=30",
		"font=a;}body{display:none}&background=url(//evil.test/x)&lang=en;x&font_size=1e9", `font=a"b\c&background=red;x:y&bot_names=a,<b>&block=x'y`, "channel=%3Cscript%3E&transport=carrier-pigeon&avatars=maybe", "token=s3cret&access_token=x",
	} {
		for _, page := range []string{"https://widget.example:8443/overlay.html?x=1#frag", "file:///tmp/overlay.html", "http://[::1]/embed.html", ""} {
			f.Add(q, page, false, uint16(0), false)
		}
	}
	f.Add("channel=mytho", "http://127.0.0.1:8080/embed.html", true, uint16(0xffff), true)
	const secret = "s3cret-Zq9"
	f.Fuzz(func(t *testing.T, query, page string, access bool, upper uint16, escape bool) {
		c, errs := Parse(query, page)
		checkUsable(t, c)

		tok := tokenName(access, upper, escape) + "=" + url.QueryEscape(secret)
		rest := strings.TrimPrefix(query, "?")
		for _, with := range []string{query + "&" + tok, tok + "&" + rest, "?" + tok + "&" + rest} {
			got, more := Parse(with, page)
			if !reflect.DeepEqual(got, c) {
				t.Errorf("%q changed the config of %q:\n got %+v\nwant %+v", tok, query, got, c)
			}
			if strings.Contains(query, secret) {
				continue
			}
			for _, e := range more {
				if strings.Contains(e.Error(), secret) {
					t.Errorf("a warning repeats the token: %v", e)
				}
			}
			if len(more) < len(errs) {
				t.Errorf("adding %q hid warnings: %v, then %v", tok, errs, more)
			}
		}
	})
}
