package demo

import (
	"reflect"
	"strings"
	"testing"
)

func TestTokenizeLikeTheRealParser(t *testing.T) {
	emotes := map[string]string{":glimchef:": "/uploads/emotes/glimchef.svg", ":glimdance:": "/uploads/emotes/glimdance.gif"}
	cfg := parserConfig{allowLinks: true, emotes: emotes}
	text := func(s string) token { return token{Type: "text", Text: s} }
	url := func(s string) token { return token{Type: "url", Text: s, URL: s} }
	emote := func(s string) token { return token{Type: "emote", Text: s, Src: emotes[s]} }
	cases := []struct {
		in   string
		cfg  parserConfig
		want []token
	}{
		// The cases of GT test/glimesh/chat/parser_test.exs.
		{"", cfg, []token{text("")}},
		{"Hello world", cfg, []token{text("Hello world")}},
		{":glimchef:", cfg, []token{emote(":glimchef:")}},
		{"https://glimesh.tv", cfg, []token{url("https://glimesh.tv")}},
		{"http://glimesh.tv", cfg, []token{url("http://glimesh.tv")}},
		{"glimesh.tv", cfg, []token{text("glimesh.tv")}},
		{"example.", cfg, []token{text("example.")}},
		{"https://example.com/", parserConfig{emotes: emotes}, []token{text("https://example.com/")}},
		{":glimdance: :glimchef:", parserConfig{emotes: map[string]string{":glimchef:": emotes[":glimchef:"]}},
			[]token{text(":glimdance:"), text(" "), emote(":glimchef:")}},
		{"Hello https://glimesh.tv :glimchef: world! How:glimdance:are https://google.com you!", cfg, []token{
			text("Hello "), url("https://glimesh.tv"), text(" "), emote(":glimchef:"), text(" world! How"),
			emote(":glimdance:"), text("are "), url("https://google.com"), text(" you!"),
		}},
		// Pieces the link pattern cuts out stay separate text tokens.
		{"see glimesh.tv now", cfg, []token{text("see "), text("glimesh.tv"), text(" now")}},
		{"a:nope:b", cfg, []token{text("a"), text(":nope:"), text("b")}},
		{"مرحبا :glimchef: שלום", cfg, []token{text("مرحبا "), emote(":glimchef:"), text(" שלום")}},
		{"https://x.io/a?b=c&d=e.", cfg, []token{url("https://x.io/a?b=c&d=e.")}},
	}
	for _, c := range cases {
		if got := tokenize(c.in, c.cfg); !reflect.DeepEqual(got, c.want) {
			t.Errorf("tokenize(%q) =\n%v\nwant\n%v", c.in, got, c.want)
		}
	}
}

func TestGraphemeLen(t *testing.T) {
	for in, want := range map[string]int{
		"":                        0,
		"abc":                     3,
		"é":                       1, // precomposed
		"e\u0301":                 1, // combining accent
		"👍🏽":                      1,
		"👩‍💻":                     1,
		"🇯🇵🇫🇷":                    2,
		"❤️":                      1,
		"こんにちは":                   5,
		strings.Repeat("ab", 200): 400,
	} {
		if got := graphemeLen(in); got != want {
			t.Errorf("graphemeLen(%q) = %d, want %d", in, got, want)
		}
	}
}
