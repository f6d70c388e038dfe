package demo

import (
	"regexp"
	"strings"
	"unicode"
)

// The two patterns of the real parser (GT lib/glimesh/chat/parser.ex). Go's
// RE2 picks the same leftmost-first matches as PCRE for them, and both treat
// \w and \b as ASCII-only, as PCRE does without the u flag.
var (
	hyperlinkRe = regexp.MustCompile(`((https?):\/\/)?(www\.)?[-a-zA-Z0-9@:%._\+~#=]{1,256}\.[a-zA-Z0-9()]{1,6}\b([-a-zA-Z0-9()!@:%_\+.~#?&\/\/=]*)`)
	emoteRe     = regexp.MustCompile(`(?::\w+:)`)
)

// parserConfig mirrors Glimesh.Chat.Parser.Config: links are tokenized
// unless the channel disables hyperlinks, and emotes maps ":code:" to the
// src of every emote the sender may use in that channel.
type parserConfig struct {
	allowLinks bool
	emotes     map[string]string
}

// tokenize splits a message like the real parser: split on the hyperlink
// pattern keeping the matches, split every piece on the emote pattern, drop
// empty pieces, then classify each piece. Adjacent text pieces are not
// merged (":nope: :glimsmile:" gives text ":nope:", text " ", emote).
func tokenize(msg string, cfg parserConfig) []token {
	if msg == "" {
		return []token{{Type: "text", Text: ""}}
	}
	var pieces []string
	for _, p := range splitKeep(hyperlinkRe, msg) {
		pieces = append(pieces, splitKeep(emoteRe, p)...)
	}
	toks := make([]token, 0, len(pieces))
	for _, p := range pieces {
		switch src, isEmote := cfg.emotes[p]; {
		case cfg.allowLinks && strings.HasPrefix(p, "http") && hyperlinkRe.MatchString(p):
			toks = append(toks, token{Type: "url", Text: p, URL: p})
		case strings.HasPrefix(p, ":") && isEmote:
			toks = append(toks, token{Type: "emote", Text: p, Src: src})
		default:
			toks = append(toks, token{Type: "text", Text: p})
		}
	}
	return toks
}

// splitKeep is Elixir's Regex.split(re, s, include_captures: true, trim: true).
func splitKeep(re *regexp.Regexp, s string) []string {
	var out []string
	add := func(p string) {
		if p != "" {
			out = append(out, p)
		}
	}
	prev := 0
	for _, m := range re.FindAllStringIndex(s, -1) {
		add(s[prev:m[0]])
		add(s[m[0]:m[1]])
		prev = m[1]
	}
	add(s[prev:])
	return out
}

// graphemeLen approximates Elixir's String.length (extended grapheme
// clusters), which Ecto's validate_length counts: combining marks, variation
// selectors, skin-tone modifiers and zero-width-joined sequences extend the
// previous character, and regional indicators pair into one flag.
func graphemeLen(s string) int {
	n := 0
	joinNext := false
	pendingRI := false
	for _, r := range s {
		switch {
		case joinNext:
			joinNext = false
			continue
		case r == '\u200d':
			if n > 0 {
				joinNext = true
				continue
			}
		case unicode.In(r, unicode.Mn, unicode.Me) && n > 0,
			r >= 0xFE00 && r <= 0xFE0F && n > 0,
			r >= 0x1F3FB && r <= 0x1F3FF && n > 0,
			r >= 0xE0020 && r <= 0xE007F && n > 0:
			continue
		case r >= 0x1F1E6 && r <= 0x1F1FF:
			if pendingRI {
				pendingRI = false
				continue
			}
			pendingRI = true
			n++
			continue
		}
		pendingRI = false
		n++
	}
	return n
}
