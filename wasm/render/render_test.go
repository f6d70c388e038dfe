package render

import (
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/glimchat/glimchat/wasm/glimesh"
)

const instance = "https://glimesh.example"

// instanceURL is instance as config hands it out.
var instanceURL = &url.URL{Scheme: "https", Host: "glimesh.example"}

// allowed lists, per element, the only attributes the renderer may emit.
// Anything else in the parsed output (an on* handler, a style, a script
// element) means hostile input escaped its context.
var allowed = map[string]map[string]bool{
	"li": {"class": true, "data-message-id": true, "data-user-id": true, "data-username": true, "data-roles": true,
		"data-color": true, "data-highlight": true, "data-emote-only": true, "data-kind": true, "data-change": true, "data-channel": true, "data-instance": true},
	"time":   {"class": true, "datetime": true},
	"span":   {"class": true, "data-role": true, "title": true, "dir": true, "role": true, "aria-label": true},
	"button": {"type": true, "class": true, "data-mod": true, "data-action": true, "title": true, "aria-label": true},
	"bdi":    {"class": true, "dir": true},
	"img":    {"class": true, "alt": true, "title": true, "src": true},
	"a":      {"class": true, "dir": true, "href": true, "rel": true, "target": true},
}

// parsed is the rendered <li> as a browser would see it.
type parsed struct {
	li     map[string]string
	name   string
	body   string
	imgs   []map[string]string
	links  []map[string]string
	badges []string
}

func attrs(n *html.Node) map[string]string {
	m := map[string]string{}
	for _, a := range n.Attr {
		m[a.Key] = a.Val
	}
	return m
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Img {
			b.WriteString("[img " + attrs(n)["alt"] + "]")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// parse parses out in an <ol> context and checks it is exactly one inert
// <li> built only from allowed elements and attributes.
func parse(t *testing.T, out string) parsed {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(out), &html.Node{Type: html.ElementNode, Data: "ol", DataAtom: atom.Ol})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if len(nodes) != 1 || nodes[0].Type != html.ElementNode || nodes[0].Data != "li" {
		t.Fatalf("want exactly one <li>, got %d nodes from %s", len(nodes), out)
	}
	var p parsed
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			ok, known := allowed[n.Data]
			if !known {
				t.Errorf("element <%s> in output %s", n.Data, out)
			}
			a := attrs(n)
			for k := range a {
				if !ok[k] {
					t.Errorf("attribute %s on <%s> in output %s", k, n.Data, out)
				}
			}
			for _, k := range []string{"href", "src"} {
				if v, has := a[k]; has && !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
					t.Errorf("%s=%q is not http(s) in %s", k, v, out)
				}
			}
			switch {
			case n.Data == "li":
				p.li = a
			case n.Data == "bdi" && a["class"] == "glimchat-name":
				p.name = text(n)
			case n.Data == "span" && a["class"] == "glimchat-body":
				if a["dir"] != "auto" {
					t.Errorf("body without dir=auto: %s", out)
				}
				p.body = text(n)
			case n.Data == "span" && a["class"] == "glimchat-badge":
				p.badges = append(p.badges, a["data-role"])
			case n.Data == "img":
				p.imgs = append(p.imgs, a)
			case n.Data == "a":
				if a["rel"] != "ugc noopener noreferrer nofollow" || a["target"] != "_blank" {
					t.Errorf("link without rel/target: %s", out)
				}
				p.links = append(p.links, a)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(nodes[0])
	return p
}

func msg(text string, tokens ...glimesh.Token) glimesh.Message {
	return glimesh.Message{ID: "42", Text: text, Tokens: tokens,
		User: glimesh.User{ID: "7", Username: "bob", Displayname: "Bob"}}
}

func tok(typ, text, url, src string) glimesh.Token {
	return glimesh.Token{Type: typ, Text: text, URL: url, Src: src}
}

func TestExactOutput(t *testing.T) {
	m := msg("hi :glimsmile:", tok("text", "hi ", "", ""), tok("emote", ":glimsmile:", "", "/emotes/svg/glimsmile.svg"))
	m.Roles = glimesh.RoleModerator | glimesh.RoleStreamer
	got := New(Options{Instance: instanceURL}).HTML(m)
	want := `<li class="glimchat-msg" data-message-id="42" data-user-id="7" data-username="bob" data-roles="streamer moderator" data-color="6">` +
		`<span class="glimchat-badge" data-role="streamer" role="img" aria-label="Streamer" title="Streamer"></span>` +
		`<span class="glimchat-badge" data-role="moderator" role="img" aria-label="Moderator" title="Moderator"></span>` +
		`<bdi class="glimchat-name">Bob</bdi><span class="glimchat-sep">: </span><span class="glimchat-body" dir="auto">hi ` +
		`<img class="glimchat-emote" alt=":glimsmile:" title=":glimsmile:" src="https://glimesh.example/emotes/svg/glimsmile.svg">` +
		`</span></li>`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestHostileInputsAreInert(t *testing.T) {
	word := strings.Repeat("W", 255)
	for _, tc := range []struct {
		name      string
		opt       Options
		m         glimesh.Message
		body      string // text content of the body, images as [img alt]
		links     []string
		imgs      []string
		nameText  string
		liAttrs   map[string]string
		wantRoles []string
	}{
		{name: "script in text", m: msg("<script>window.pwned=1</script>"), body: "<script>window.pwned=1</script>"},
		{name: "img onerror in text token", m: msg("x", tok("text", `<img src=x onerror="window.pwned=1">`, "", "")),
			body: `<img src=x onerror="window.pwned=1">`},
		{name: "javascript url", opt: Options{Links: true}, m: msg("", tok("url", "javascript:alert(1)", "javascript:alert(1)", "")), body: "javascript:alert(1)"},
		{name: "mixed case javascript url", opt: Options{Links: true}, m: msg("", tok("url", "JaVaScRiPt:alert(1)", "JaVaScRiPt:alert(1)", "")), body: "JaVaScRiPt:alert(1)"},
		{name: "whitespace prefixed url", opt: Options{Links: true}, m: msg("", tok("url", " https://x.test", " https://x.test", "")), body: " https://x.test"},
		{name: "tab inside scheme", opt: Options{Links: true}, m: msg("", tok("url", "java\tscript:alert(1)", "java\tscript:alert(1)", "")), body: "java\tscript:alert(1)"},
		{name: "data url", opt: Options{Links: true}, m: msg("", tok("url", "data:text/html,<script>", "data:text/html,<script>", "")), body: "data:text/html,<script>"},
		{name: "relative url link", opt: Options{Links: true, Instance: instanceURL}, m: msg("", tok("url", "/settings", "/settings", "")), body: "/settings"},
		{name: "url with credentials", opt: Options{Links: true}, m: msg("", tok("url", "https://u:p@evil.test", "https://u:p@evil.test", "")), body: "https://u:p@evil.test"},
		{name: "good url in embed", opt: Options{Links: true}, m: msg("", tok("url", `https://x.test/?a=1&b="2"`, `https://x.test/?a=1&b="2"`, "")),
			body: `https://x.test/?a=1&b="2"`, links: []string{`https://x.test/?a=1&b="2"`}},
		{name: "good url in overlay", m: msg("", tok("url", "https://x.test/", "https://x.test/", "")), body: "https://x.test/"},
		{name: "javascript emote", opt: Options{Instance: instanceURL}, m: msg("", tok("emote", ":a:", "", "javascript:alert(1)")), body: ":a:"},
		{name: "JaVaScRiPt emote", opt: Options{Instance: instanceURL}, m: msg("", tok("emote", ":a:", "", "JaVaScRiPt:alert(1)")), body: ":a:"},
		{name: "data emote", opt: Options{Instance: instanceURL}, m: msg("", tok("emote", ":a:", "", "data:image/svg+xml,<svg onload=alert(1)>")), body: ":a:"},
		{name: "whitespace emote", opt: Options{Instance: instanceURL}, m: msg("", tok("emote", ":a:", "", " javascript:alert(1)")), body: ":a:"},
		{name: "backslash emote", opt: Options{Instance: instanceURL}, m: msg("", tok("emote", ":a:", "", `/\evil.test/a.png`)), body: ":a:"},
		{name: "relative emote without instance", m: msg("", tok("emote", ":a:", "", "/emotes/a.png")), body: ":a:"},
		{name: "relative emote", opt: Options{Instance: instanceURL}, m: msg("", tok("emote", ":a:", "", "/emotes/a.png")),
			body: "[img :a:]", imgs: []string{instance + "/emotes/a.png"}},
		{name: "protocol relative emote", opt: Options{Instance: instanceURL}, m: msg("", tok("emote", ":a:", "", "//cdn.test/a.gif")), body: ":a:"},
		{name: "quotes in emote alt", opt: Options{Instance: instanceURL}, m: msg("", tok("emote", `:a" onerror="window.pwned=1`, "", "https://cdn.test/a.png")),
			body: `[img :a" onerror="window.pwned=1]`, imgs: []string{"https://cdn.test/a.png"}},
		{name: "quotes in src", opt: Options{Instance: instanceURL}, m: msg("", tok("emote", ":a:", "", `https://cdn.test/a.png"onerror="x`)),
			body: "[img :a:]", imgs: []string{"https://cdn.test/a.png%22onerror=%22x"}},
		{name: "unknown token type", m: msg("", tok("script", "<b>x</b>", "", "")), body: "<b>x</b>"},
		{name: "null tokens", m: msg("a & b < c"), body: "a & b < c"},
		{name: "255 char word", m: msg(word), body: word},
		{name: "rtl override", m: glimesh.Message{ID: "1", Text: "\u202Egnp.exe", User: glimesh.User{ID: "2", Username: "x", Displayname: "\u202Eevil"}},
			body: "gnp.exe", nameText: "evil"},
		{name: "override before a fake URL", m: msg("\u202EHello, visit moc.elgoog//:sptth"), body: "Hello, visit moc.elgoog//:sptth"},
		{name: "every embedding, override and isolate", m: msg("a\u202Ab\u202Bc\u202Cd\u202De\u2066f\u2067g\u2068h\u2069i\u200Fj"), body: "abcdefghi\u200Fj"},
		{name: "NUL and invalid UTF-8", m: msg("a\x00b\xffc"), body: "a\uFFFDb\uFFFDc"},
		{name: "hostile ids and names", m: glimesh.Message{ID: `1" onclick="window.pwned=1`, Text: "x",
			User: glimesh.User{ID: `'><script>`, Username: `<b onmouseover=x>`, Displayname: `"><img src=x onerror=alert(1)>`}},
			body: "x", nameText: `"><img src=x onerror=alert(1)>`,
			liAttrs: map[string]string{"data-message-id": `1" onclick="window.pwned=1`, "data-user-id": `'><script>`, "data-username": `<b onmouseover=x>`}},
		{name: "empty displayname", m: glimesh.Message{ID: "1", Text: "x", User: glimesh.User{ID: "2", Username: "lower"}}, body: "x", nameText: "lower"},
		{name: "roles", m: glimesh.Message{ID: "1", Roles: glimesh.RoleAdmin | glimesh.RoleFounder | glimesh.RoleSubscriber | glimesh.RoleSupporter},
			liAttrs: map[string]string{"data-roles": "subscriber founder supporter admin"}, wantRoles: []string{"subscriber", "founder", "supporter", "admin"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := New(tc.opt).HTML(tc.m)
			p := parse(t, out)
			if p.body != tc.body {
				t.Errorf("body %q, want %q\n%s", p.body, tc.body, out)
			}
			var links, imgs []string
			for _, a := range p.links {
				links = append(links, a["href"])
			}
			for _, a := range p.imgs {
				imgs = append(imgs, a["src"])
			}
			if strings.Join(links, " ") != strings.Join(tc.links, " ") {
				t.Errorf("links %q, want %q", links, tc.links)
			}
			if strings.Join(imgs, " ") != strings.Join(tc.imgs, " ") {
				t.Errorf("imgs %q, want %q", imgs, tc.imgs)
			}
			if tc.nameText != "" && p.name != tc.nameText {
				t.Errorf("name %q, want %q", p.name, tc.nameText)
			}
			for k, v := range tc.liAttrs {
				if p.li[k] != v {
					t.Errorf("li %s=%q, want %q", k, p.li[k], v)
				}
			}
			if strings.Join(p.badges, " ") != strings.Join(tc.wantRoles, " ") {
				t.Errorf("badges %q, want %q", p.badges, tc.wantRoles)
			}
		})
	}
}

func TestAvatars(t *testing.T) {
	m := msg("x")
	for _, tc := range []struct {
		opt    Options
		avatar string
		want   string
	}{
		{Options{Avatars: true, Instance: instanceURL}, "https://cdn.test/a.png", "https://cdn.test/a.png"},
		{Options{Avatars: true, Instance: instanceURL}, "/uploads/avatars/a.png", instance + "/uploads/avatars/a.png"},
		{Options{Avatars: true, Instance: instanceURL}, "javascript:alert(1)", ""},
		{Options{Avatars: true, Instance: instanceURL}, "", ""},
		{Options{Avatars: false, Instance: instanceURL}, "https://cdn.test/a.png", ""},
		{Options{Avatars: true}, "/uploads/a.png", ""}, // no instance: relative URLs cannot resolve
	} {
		m.User.AvatarURL = tc.avatar
		p := parse(t, New(tc.opt).HTML(m))
		got := ""
		for _, a := range p.imgs {
			if a["class"] == "glimchat-avatar" {
				got = a["src"]
			}
		}
		if got != tc.want {
			t.Errorf("%+v avatar %q: got %q, want %q", tc.opt, tc.avatar, got, tc.want)
		}
	}
}

func BenchmarkRender50(b *testing.B) {
	r := New(Options{Links: true, Avatars: true, Instance: instanceURL})
	msgs := make([]glimesh.Message, 50)
	for i := range msgs {
		msgs[i] = glimesh.Message{ID: "1000" + string(rune('0'+i%10)), Text: "hello :glimsmile: see https://x.test <b>",
			Roles: glimesh.RoleSubscriber | glimesh.RoleModerator,
			User:  glimesh.User{ID: "7", Username: "bob", Displayname: "Bob", AvatarURL: "https://cdn.test/a.png"},
			Tokens: []glimesh.Token{tok("text", "hello ", "", ""), tok("emote", ":glimsmile:", "", "/emotes/svg/glimsmile.svg"),
				tok("text", " see ", "", ""), tok("url", "https://x.test", "https://x.test", ""), tok("text", " <b>", "", "")}}
	}
	n := 0
	for _, m := range msgs {
		n += len(r.HTML(m))
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, m := range msgs {
			r.HTML(m) // what the page calls for each new line (dom.Plan)
		}
	}
	b.SetBytes(int64(n))
}

func TestURLCache(t *testing.T) {
	r := New(Options{Instance: instanceURL})
	bad := msg("", tok("emote", ":a:", "", "javascript:alert(1)"))
	good := msg("", tok("emote", ":a:", "", "/a.png"))
	for range 2 { // the second round is served from the cache
		if p := parse(t, r.HTML(bad)); len(p.imgs) != 0 {
			t.Fatalf("cached rejection rendered an image")
		}
		if p := parse(t, r.HTML(good)); len(p.imgs) != 1 || p.imgs[0]["src"] != instance+"/a.png" {
			t.Fatalf("cached URL wrong: %v", p.imgs)
		}
	}
	for i := range 3 * maxCached {
		r.safeURL("/e/"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+strings.Repeat("y", i), "")
		if len(r.resolved) > maxCached {
			t.Fatalf("cache grew to %d entries", len(r.resolved))
		}
	}
}

// A URL reads left to right and in isolation, in the overlay (text) and in
// the embed (a link), whatever direction the text around it has.
func TestURLsAreIsolatedLTR(t *testing.T) {
	m := msg("", tok("text", "\u05e9\u05dc\u05d5\u05dd ", "", ""), tok("url", "https://x.test/a", "https://x.test/a", ""))
	for _, tc := range []struct {
		links bool
		want  string
	}{
		{false, `<bdi class="glimchat-url" dir="ltr">https://x.test/a</bdi>`},
		{true, `<a class="glimchat-link" dir="ltr" href="https://x.test/a"`},
	} {
		if got := New(Options{Links: tc.links}).HTML(m); !strings.Contains(got, tc.want) {
			t.Errorf("links=%v: %s\nwant it to contain %s", tc.links, got, tc.want)
		}
	}
}
