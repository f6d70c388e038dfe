// Package render turns chat messages into HTML strings. The page sets the
// result with innerHTML in batches (about 10x cheaper in wasm than building
// nodes one JS call at a time), so everything from the API is escaped here:
// every text node and every attribute value, and URLs are accepted only as
// http(s) after resolution against the instance.
package render

import (
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/glimchat/glimchat/wasm/glimesh"
)

// Options chooses what a page renders.
type Options struct {
	// Links renders http(s) URL tokens as links (embed page). Without it
	// they stay text (overlay: nobody can click on a stream).
	Links bool
	// Avatars renders the sender's avatar when it is an http(s) URL.
	Avatars bool
	// Instance is the Glimesh base URL (as validated by config) that
	// server-relative emote and avatar URLs are resolved against. Without
	// one, relative URLs render as text.
	Instance *url.URL
}

// Renderer renders messages with fixed Options. It is safe for concurrent
// use.
type Renderer struct {
	links, avatars bool
	base           *url.URL

	// resolved caches safeURL results: chat repeats the same emotes and
	// avatars, and parsing and resolving dominates rendering time.
	mu       sync.Mutex
	resolved map[string]string // raw -> URL, "" = rejected
}

// maxCached bounds the cache; it is simply emptied when full.
const maxCached = 512

// New returns a Renderer for o.
func New(o Options) *Renderer {
	return &Renderer{links: o.Links, avatars: o.Avatars, base: o.Instance}
}

// roleTitles are the badge tooltips, indexed like glimesh.RoleNames.
var roleTitles = [len(glimesh.RoleNames)]string{
	"Streamer", "Moderator", "Subscriber", "Founder subscriber", "Supporter subscriber", "Glimesh admin",
}

const linkRel = `" rel="ugc noopener noreferrer nofollow" target="_blank">`

// HTML renders one message as an <li>.
func (r *Renderer) HTML(m glimesh.Message) string {
	return string(r.Append(make([]byte, 0, 512), m))
}

// Append appends one message's <li> to dst.
func (r *Renderer) Append(dst []byte, m glimesh.Message) []byte {
	dst = append(dst, `<li class="glimchat-msg" data-message-id="`...)
	dst = appendEscaped(dst, m.ID)
	dst = append(dst, `" data-user-id="`...)
	dst = appendEscaped(dst, m.User.ID)
	dst = append(dst, `" data-username="`...)
	dst = appendEscaped(dst, m.User.Username)
	dst = append(dst, `" data-roles="`...)
	first := true
	for _, rn := range glimesh.RoleNames {
		if m.Roles.Has(rn.Role) {
			if !first {
				dst = append(dst, ' ')
			}
			dst = append(dst, rn.Name...)
			first = false
		}
	}
	dst = append(dst, `">`...)

	if r.avatars {
		if src, ok := r.safeURL(m.User.AvatarURL); ok {
			dst = append(dst, `<img class="glimchat-avatar" alt="" src="`...)
			dst = appendEscaped(dst, src)
			dst = append(dst, `">`...)
		}
	}
	for i, rn := range glimesh.RoleNames {
		if m.Roles.Has(rn.Role) {
			dst = append(dst, `<span class="glimchat-badge" data-role="`...)
			dst = append(dst, rn.Name...)
			dst = append(dst, `" title="`...)
			dst = append(dst, roleTitles[i]...)
			dst = append(dst, `"></span>`...)
		}
	}

	name := m.User.Displayname
	if strings.TrimSpace(name) == "" {
		name = m.User.Username
	}
	dst = append(dst, `<bdi class="glimchat-name">`...)
	dst = appendEscaped(dst, name)
	dst = append(dst, `</bdi><span class="glimchat-sep">: </span><span class="glimchat-body" dir="auto">`...)
	if len(m.Tokens) == 0 {
		dst = appendEscaped(dst, m.Text)
	} else {
		for _, t := range m.Tokens {
			dst = r.appendToken(dst, t)
		}
	}
	return append(dst, `</span></li>`...)
}

func (r *Renderer) appendToken(dst []byte, t glimesh.Token) []byte {
	switch t.Type {
	case "emote":
		if src, ok := r.safeURL(t.Src); ok {
			dst = append(dst, `<img class="glimchat-emote" alt="`...)
			dst = appendEscaped(dst, t.Text)
			dst = append(dst, `" title="`...)
			dst = appendEscaped(dst, t.Text)
			dst = append(dst, `" src="`...)
			dst = appendEscaped(dst, src)
			return append(dst, `">`...)
		}
	case "url":
		if href, ok := r.absURL(t.URL); ok && r.links {
			text := t.Text
			if text == "" {
				text = t.URL
			}
			dst = append(dst, `<a class="glimchat-link" dir="ltr" href="`...)
			dst = appendEscaped(dst, href)
			dst = append(dst, linkRel...)
			dst = appendEscaped(dst, text)
			return append(dst, `</a>`...)
		}
		// A URL read on stream must read as written: left to right,
		// isolated from the text around it.
		dst = append(dst, `<bdi class="glimchat-url" dir="ltr">`...)
		dst = appendEscaped(dst, t.Text)
		return append(dst, `</bdi>`...)
	}
	return appendEscaped(dst, t.Text)
}

// safeURL resolves raw against the instance and returns it if the result
// is an http(s) URL with a host and no credentials.
func (r *Renderer) safeURL(raw string) (string, bool) {
	r.mu.Lock()
	s, hit := r.resolved[raw]
	r.mu.Unlock()
	if hit {
		return s, s != ""
	}
	s, ok := r.resolve(raw)
	r.mu.Lock()
	if len(r.resolved) >= maxCached || r.resolved == nil {
		r.resolved = make(map[string]string, maxCached)
	}
	r.resolved[raw] = s
	r.mu.Unlock()
	return s, ok
}

// resolve keeps absolute http(s) URLs and resolves relative ones against
// the instance only. A protocol-relative "//host/x" names another host
// without saying so, and is refused.
func (r *Renderer) resolve(raw string) (string, bool) {
	u, ok := parseStrict(raw)
	if !ok {
		return "", false
	}
	if !u.IsAbs() {
		if u.Host != "" || strings.HasPrefix(raw, "//") || r.base == nil {
			return "", false
		}
		u = r.base.ResolveReference(u)
	}
	return checkHTTP(u)
}

// absURL accepts only absolute http(s) URLs: a link target never depends on
// the instance.
func (r *Renderer) absURL(raw string) (string, bool) {
	u, ok := parseStrict(raw)
	if !ok || !u.IsAbs() {
		return "", false
	}
	return checkHTTP(u)
}

// parseStrict refuses anything a browser would normalise differently from
// Go: white space or control characters anywhere (browsers strip them, so
// " javascript:" and "java\tscript:" become scripts) and backslashes
// (browsers read them as slashes in http URLs).
func parseStrict(raw string) (*url.URL, bool) {
	if raw == "" || len(raw) > 2048 {
		return nil, false
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= ' ' || c == 0x7f || c == '\\' {
			return nil, false
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, false
	}
	return u, true
}

func checkHTTP(u *url.URL) (string, bool) {
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	return u.String(), true
}

// appendEscaped escapes s for both text and quoted attribute values:
// & < > " ' become entities, and NUL and invalid UTF-8 become U+FFFD.
// Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069)
// are dropped: an override reorders everything after it up to the end of
// its element (so "\u202emoc.elgoog//:sptth" reads as a URL), and natural
// right-to-left text needs none of them, only the dir="auto" and <bdi> the
// markup already has.
func appendEscaped(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		var rep string
		switch {
		case c == '&':
			rep = "&amp;"
		case c == '<':
			rep = "&lt;"
		case c == '>':
			rep = "&gt;"
		case c == '"':
			rep = "&#34;"
		case c == '\'':
			rep = "&#39;"
		case c == 0:
			rep = "\uFFFD"
		case c >= utf8.RuneSelf:
			r, w := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && w == 1 {
				rep = "\uFFFD"
			} else if isBidiControl(r) {
				dst = append(dst, s[last:i]...)
				i += w
				last = i
				continue
			} else {
				i += w
				continue
			}
		default:
			i++
			continue
		}
		dst = append(dst, s[last:i]...)
		dst = append(dst, rep...)
		i++
		last = i
	}
	return append(dst, s[last:]...)
}

func isBidiControl(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}
