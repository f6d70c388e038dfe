package render

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/glimchat/glimchat/wasm/glimesh"
)

// fuzzTokens decodes the fuzzer's token list: tokens separated by \x1e,
// fields (type, text, url, src) by \x1f. One-letter types stand for the
// real ones, so that mutations reach every branch of the renderer.
func fuzzTokens(s string) []glimesh.Token {
	if s == "" {
		return nil
	}
	var out []glimesh.Token
	for _, raw := range strings.Split(s, "\x1e") {
		f := append(strings.SplitN(raw, "\x1f", 4), "", "", "")
		typ := map[string]string{"t": "text", "u": "url", "e": "emote"}[f[0]]
		if typ == "" {
			typ = f[0]
		}
		out = append(out, glimesh.Token{Type: typ, Text: f[1], URL: f[2], Src: f[3]})
	}
	return out
}

// fuzzToken encodes one token for fuzzTokens.
func fuzzToken(typ, text, url, src string) string {
	return strings.Join([]string{typ, text, url, src}, "\x1f")
}

// seen is s as the parsed output must read: bidi controls dropped, NUL and
// each invalid byte as U+FFFD, and line breaks as the HTML parser
// normalises them.
func seen(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		i += w
		switch {
		case r == 0:
			b.WriteRune(utf8.RuneError)
		case isBidiControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(b.String())
}

// browserAbsolute reports whether a browser reads raw as an absolute
// http(s) URL: only those may name a host other than the instance's.
func browserAbsolute(raw string) bool {
	l := strings.ToLower(raw)
	return strings.HasPrefix(l, "http:") || strings.HasPrefix(l, "https:")
}

// checkPolicy fails unless out, what the renderer made of raw, is an
// http(s) URL with a host and no credentials that stays on the instance
// unless raw itself was absolute.
func checkPolicy(t *testing.T, raw, out string) {
	t.Helper()
	u, err := url.Parse(out)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Opaque != "" {
		t.Fatalf("%q became %q: not a plain http(s) URL", raw, out)
	}
	if !browserAbsolute(raw) && !strings.EqualFold(u.Host, instanceURL.Host) {
		t.Fatalf("relative %q left the instance: %q", raw, out)
	}
	// Browsers drop white space and controls and read \ as /; Go does
	// neither, so either in the output could move the host.
	if strings.ContainsFunc(out, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '\\' }) {
		t.Fatalf("%q became %q, which a browser may read differently", raw, out)
	}
}

// FuzzRender proves the renderer's promises for any message, with or
// without moderator buttons: one <li> of allowed elements and attributes
// only; src and href only http(s), and off
// the instance only when the input URL was absolute; no bidi embedding,
// override or isolate anywhere; every text shown as written; URL tokens
// isolated left to right.
func FuzzRender(f *testing.F) {
	word := strings.Repeat("W", 255)
	join := func(toks ...string) string { return strings.Join(toks, "\x1e") }
	type seed struct {
		id, userID, username, displayname, avatar, text, tokens string
	}
	for _, s := range []seed{
		{"42", "7", "bob", "Bob", "https://cdn.test/a.png", "hi :glimsmile:", join(fuzzToken("t", "hi ", "", ""), fuzzToken("e", ":glimsmile:", "", "/emotes/svg/glimsmile.svg"))},
		{"1", "2", "x", "", "/uploads/avatars/x.svg?v=1", "<script>window.pwned=1</script>", ""},
		{`1" onclick="window.pwned=1`, `'><script>`, `<b onmouseover=x>`, `"><img src=x onerror=alert(1)>`, "javascript:alert(1)", "x", ""},
		{"3", "4", "u", "\u202Eevil\u2066", " javascript:alert(1)", "\u202EHello, visit moc.elgoog//:sptth", ""},
		{"5", "6", "u", "n", "//evil.test/a.png", "", join(fuzzToken("u", "javascript:alert(1)", "javascript:alert(1)", ""), fuzzToken("u", "https://x.test/", "https://x.test/", ""))},
		{"5", "6", "u", "n", `/\evil.test/a.png`, "", join(fuzzToken("u", "JaVaScRiPt:alert(1)", "JaVaScRiPt:alert(1)", ""), fuzzToken("u", "", "https://x.test/?a=1&b=\"2\"", ""))},
		{"5", "6", "u", "n", "https://u:p@evil.test/a.png", "", join(fuzzToken("u", "java\tscript:alert(1)", "java\tscript:alert(1)", ""), fuzzToken("u", "data:text/html,<script>", "data:text/html,<script>", ""))},
		{"7", "8", "u", "n", "vbscript:msgbox(1)", "", join(fuzzToken("e", ":a:", "", "javascript:alert(1)"), fuzzToken("e", ":b:", "", "data:image/svg+xml,<svg onload=alert(1)>"), fuzzToken("e", ":c:", "", "//cdn.test/a.gif"))},
		{"7", "8", "u", "n", "https:evil.test/a.png", "", join(fuzzToken("e", `:a" onerror="window.pwned=1`, "", "https://cdn.test/a.png"), fuzzToken("e", ":a:", "", `https://cdn.test/a.png"onerror="x`))},
		{"9", "10", "u", "n", "HTTPS://CDN.test/A.png", "", join(fuzzToken("script", "<b>x</b>", "", ""), fuzzToken("e", ":x:", "", "/emotes/a.png"), fuzzToken("e", ":x:", "", "?x"), fuzzToken("e", ":y:", "", "#frag"))},
		{"11", "12", "u", "n", "", word, join(fuzzToken("t", word, "", ""), fuzzToken("u", "/settings", "/settings", ""))},
		{"13", "14", "u", "n\x00\xff", "\x00", "a\x00b\xffc", join(fuzzToken("t", "a\u202Ab\u202Bc\u202Cd\u202De\u2066f\u2067g\u2068h\u2069i\u200Fj", "", ""))},
		{"15", "16", "u", `</bdi><style>*{color:red}</style>`, "/uploads/a.png\" onerror=\"alert(1)", "", join(fuzzToken("t", `<iframe srcdoc="<script>parent.pwned=1</script>">`, "", ""), fuzzToken("t", `<svg><script>alert(1)</script></svg>`, "", ""), fuzzToken("t", `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`, "", ""))},
		{"17", "18", "u", "Z" + strings.Repeat("\u0301", 200), "https://glimesh.example@evil.test/", "a\u200bb\u200cc\u200dd\ufeffe", join(fuzzToken("u", "https://x.test/\u202E", "https://x.test/\u202E", ""), fuzzToken("e", ":e:", "", "/%2F%2Fevil.test/a.png"))},
	} {
		for _, b := range []struct{ links, avatars, inst bool }{{true, true, true}, {false, true, false}} {
			f.Add(s.id, s.userID, s.username, s.displayname, s.avatar, s.text, s.tokens, b.links, b.avatars, b.inst, uint8(0x3f), uint8(0xf))
		}
	}
	f.Fuzz(func(t *testing.T, id, userID, username, displayname, avatar, text, tokens string, links, avatars, inst bool, roles, tools uint8) {
		// The moderator's buttons name the sender in their attributes.
		opt := Options{Links: links, Avatars: avatars, Tools: glimesh.Rights{UserID: "3",
			Delete: tools&1 != 0, ShortTimeout: tools&2 != 0, LongTimeout: tools&4 != 0, Ban: tools&8 != 0}}
		if inst {
			opt.Instance = instanceURL
		}
		m := glimesh.Message{ID: id, Text: text, Roles: glimesh.Roles(roles), Tokens: fuzzTokens(tokens),
			User: glimesh.User{ID: userID, Username: username, Displayname: displayname, AvatarURL: avatar}}
		out := New(opt).HTML(m)
		if strings.IndexFunc(out, isBidiControl) >= 0 {
			t.Fatalf("bidi control in output %q", out)
		}
		p := parse(t, out) // one <li>, allowed elements and attributes, http(s) only
		checkLTR(t, out)

		// What the markup must hold, from the renderer's URL decisions
		// (as escaped into the attribute), each of which must itself obey
		// the policy.
		ref := New(opt)
		safe := func(raw string) (string, bool) {
			s, ok := ref.safeURL(raw, "")
			if ok {
				s = seen(s)
				checkPolicy(t, raw, s)
			}
			return s, ok
		}
		var wantImgs, wantLinks []string
		if src, ok := safe(avatar); ok && avatars {
			wantImgs = append(wantImgs, src)
		}
		body := seen(text)
		if len(m.Tokens) > 0 {
			body = ""
		}
		for _, tk := range m.Tokens {
			switch href, ok := ref.absURL(tk.URL); {
			case tk.Type == "emote":
				if src, ok := safe(tk.Src); ok {
					wantImgs = append(wantImgs, src)
					body += "[img " + seen(tk.Text) + "]"
					continue
				}
			case tk.Type == "url" && ok:
				if !browserAbsolute(tk.URL) {
					t.Fatalf("link target %q is not absolute", tk.URL)
				}
				href = seen(href)
				checkPolicy(t, tk.URL, href)
				if links {
					wantLinks = append(wantLinks, href)
					if tk.Text == "" {
						body += seen(tk.URL)
						continue
					}
				}
			}
			body += seen(tk.Text)
		}
		if p.body != body {
			t.Errorf("body %q, want %q\n%s", p.body, body, out)
		}
		var imgs, hrefs []string
		for _, a := range p.imgs {
			imgs = append(imgs, a["src"])
		}
		for _, a := range p.links {
			hrefs = append(hrefs, a["href"])
		}
		if strings.Join(imgs, "\n") != strings.Join(wantImgs, "\n") || strings.Join(hrefs, "\n") != strings.Join(wantLinks, "\n") {
			t.Errorf("images %q links %q, want %q and %q\n%s", imgs, hrefs, wantImgs, wantLinks, out)
		}
		name := displayname
		if strings.TrimSpace(name) == "" {
			name = username
		}
		if p.name != seen(name) {
			t.Errorf("name %q, want %q", p.name, seen(name))
		}
		for k, v := range map[string]string{"data-message-id": id, "data-user-id": userID, "data-username": username} {
			if p.li[k] != seen(v) {
				t.Errorf("%s=%q, want %q", k, p.li[k], seen(v))
			}
		}
	})
}

// checkLTR fails unless every URL token's element (a link, or the text of
// one) reads left to right in isolation.
func checkLTR(t *testing.T, out string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(out))
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		tok := z.Token()
		if tt != html.StartTagToken {
			continue
		}
		a := map[string]string{}
		for _, at := range tok.Attr {
			a[at.Key] = at.Val
		}
		if (tok.Data == "a" || a["class"] == "glimchat-url") && (tok.Data != "a" && tok.Data != "bdi" || a["dir"] != "ltr") {
			t.Fatalf("URL element <%s %v> is not an isolated dir=ltr element: %s", tok.Data, a, out)
		}
	}
}
