// Package filter decides which messages an overlay leaves out (bots,
// commands, blocked users) and which it highlights (keywords, mentions of
// the streamer). It applies to history and live messages alike.
package filter

import (
	"strings"
	"unicode"

	"github.com/glimchat/glimchat/wasm/glimesh"
)

// Options say what to leave out and what to highlight. Names and keywords
// are compared case-insensitively.
type Options struct {
	ShowBots     bool
	Bots         []string // usernames of bots, hidden unless ShowBots
	HideCommands bool     // messages that start with "!"
	Block        []string // usernames never shown
	Highlight    []string // keywords, matched as whole words
	Streamer     string   // highlighted when mentioned, if Mentions
	Mentions     bool
	HideFollows  bool // the follow announcements (events= without follows)
}

// Filter applies Options. It is read-only after New, so safe for
// concurrent use.
type Filter struct {
	hidden       map[string]bool
	hideCommands bool
	hideFollows  bool
	keywords     []string
}

// New returns a Filter for o.
func New(o Options) *Filter {
	f := &Filter{hidden: map[string]bool{}, hideCommands: o.HideCommands, hideFollows: o.HideFollows}
	if !o.ShowBots {
		for _, b := range o.Bots {
			f.hidden[strings.ToLower(b)] = true
		}
	}
	for _, b := range o.Block {
		f.hidden[strings.ToLower(b)] = true
	}
	for _, k := range o.Highlight {
		if k = strings.ToLower(strings.TrimSpace(k)); k != "" {
			f.keywords = append(f.keywords, k)
		}
	}
	if s := strings.ToLower(o.Streamer); o.Mentions && s != "" {
		f.keywords = append(f.keywords, "@"+s, s)
	}
	return f
}

// Keep reports whether m is shown.
func (f *Filter) Keep(m glimesh.Message) bool {
	if f.hidden[strings.ToLower(m.User.Username)] || f.hideFollows && m.Kind == glimesh.Follow {
		return false
	}
	return !(f.hideCommands && strings.HasPrefix(strings.TrimLeftFunc(m.Text, unicode.IsSpace), "!"))
}

// Apply returns the messages of msgs that are kept, in order; msgs itself
// when all are.
func (f *Filter) Apply(msgs []glimesh.Message) []glimesh.Message {
	for i, m := range msgs {
		if !f.Keep(m) {
			out := append([]glimesh.Message(nil), msgs[:i]...)
			for _, m := range msgs[i+1:] {
				if f.Keep(m) {
					out = append(out, m)
				}
			}
			return out
		}
	}
	return msgs
}

// Highlighted reports whether m mentions a keyword or the streamer, as a
// whole word: "gg" highlights "GG wp" but not "eggs".
func (f *Filter) Highlighted(m glimesh.Message) bool {
	if len(f.keywords) == 0 {
		return false
	}
	text := strings.ToLower(m.Text)
	for _, k := range f.keywords {
		for i := 0; ; {
			j := strings.Index(text[i:], k)
			if j < 0 {
				break
			}
			start, end := i+j, i+j+len(k)
			if boundary(text, start-1, true) && boundary(text, end, false) {
				return true
			}
			i = start + 1
		}
	}
	return false
}

// boundary reports whether the rune ending (before) or starting (after) at
// byte i of s is not part of a word: a letter, digit or _.
func boundary(s string, i int, before bool) bool {
	if i < 0 || i >= len(s) {
		return true
	}
	var r rune
	if before {
		r = lastRune(s[:i+1])
	} else {
		r = []rune(s[i:min(len(s), i+4)])[0]
	}
	return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_')
}

func lastRune(s string) rune {
	r := []rune(s[max(0, len(s)-4):])
	return r[len(r)-1]
}
