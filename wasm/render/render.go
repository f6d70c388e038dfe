// Package render turns chat messages into HTML strings. The page sets the
// result with innerHTML in batches (about 10x cheaper in wasm than building
// nodes one JS call at a time), so everything from the API is escaped here:
// every text node and every attribute value, and URLs are accepted only as
// http(s) after resolution against the instance.
package render

import (
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/glimchat/glimchat/wasm/catalog"
	"github.com/glimchat/glimchat/wasm/colour"
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
	// Tools are the signed-in moderator's rights in ToolsChannel: every
	// message of someone else there gets a button for each action allowed
	// (embed page). Grant gives rights in other channels.
	Tools glimesh.Rights
	// Highlight marks a message data-highlight (filter.Highlighted).
	Highlight func(glimesh.Message) bool
	// Timestamps renders the local time of each message.
	Timestamps bool
	// SourceTags shows each line's channel name: the chat reads several.
	SourceTags bool
	// ToolsChannel is the channel the tools act in: only its messages on
	// the page's first instance get them ("" any message without a
	// channel).
	ToolsChannel string
}

// Renderer renders messages with fixed Options. It is safe for concurrent
// use.
type Renderer struct {
	links, avatars, timestamps bool
	sourceTags                 bool
	base                       *url.URL
	// tools are the rights per channel, replaced whole by Grant so that
	// a render reads them without a lock.
	tools        atomic.Pointer[map[where]glimesh.Rights]
	toolsChannel string
	highlight    func(glimesh.Message) bool
	// badges is each role's badge label, escaped, in the page's language
	// (fixed before the first render): none of it per message.
	badges [len(glimesh.RoleNames)]string

	// resolved caches safeURL results: chat repeats the same emotes and
	// avatars, and parsing and resolving dominates rendering time.
	mu       sync.Mutex
	resolved map[string]string // raw -> URL, "" = rejected
}

// maxCached bounds the cache; it is simply emptied when full.
const maxCached = 512

// New returns a Renderer for o.
func New(o Options) *Renderer {
	r := &Renderer{links: o.Links, avatars: o.Avatars, base: o.Instance, highlight: o.Highlight,
		timestamps: o.Timestamps, sourceTags: o.SourceTags, toolsChannel: o.ToolsChannel}
	r.tools.Store(&map[where]glimesh.Rights{{channel: o.ToolsChannel}: o.Tools})
	for i, rn := range glimesh.RoleNames {
		r.badges[i] = string(appendEscaped(nil, catalog.Role(rn.Name)))
	}
	return r
}

const linkRel = `" rel="ugc noopener noreferrer nofollow" target="_blank">`

// HTML renders one message as an <li>.
func (r *Renderer) HTML(m glimesh.Message) string {
	return string(r.Append(make([]byte, 0, 512), m))
}

// Append appends one message's <li> to dst.
func (r *Renderer) Append(dst []byte, m glimesh.Message) []byte {
	switch m.Kind {
	case glimesh.Status:
		return r.appendStatus(dst, m)
	case glimesh.Follow:
		dst = r.appendHead(dst, m, `<li class="glimchat-msg glimchat-event" data-kind="follow"`)
		// In the widget's own words, not the text the server put in the
		// follower's mouth; no badges: it is not a line they typed.
		dst = append(dst, `<span class="glimchat-body" dir="auto">`...)
		dst = appendEscaped(dst, catalog.Follow(displayName(m.User)))
		dst = append(dst, `</span>`...)
		return append(r.appendToolsOf(dst, m), `</li>`...)
	}
	dst = r.appendHead(dst, m, `<li class="glimchat-msg"`)
	for i, rn := range glimesh.RoleNames {
		if m.Roles.Has(rn.Role) {
			dst = append(dst, `<span class="glimchat-badge" data-role="`...)
			dst = append(dst, rn.Name...)
			// The label is CSS content, which screen readers may skip: the
			// badge is an image named by its role.
			dst = append(dst, `" role="img" aria-label="`...)
			dst = append(dst, r.badges[i]...)
			dst = append(dst, `" title="`...)
			dst = append(dst, r.badges[i]...)
			dst = append(dst, `"></span>`...)
		}
	}
	dst = append(dst, `<bdi class="glimchat-name">`...)
	dst = appendEscaped(dst, displayName(m.User))
	dst = append(dst, `</bdi><span class="glimchat-sep">: </span><span class="glimchat-body" dir="auto">`...)
	if len(m.Tokens) == 0 {
		dst = appendEscaped(dst, m.Text)
	} else {
		for _, t := range m.Tokens {
			dst = r.appendToken(dst, t, m.Instance)
		}
	}
	dst = append(dst, `</span>`...)
	return append(r.appendToolsOf(dst, m), `</li>`...)
}

// appendHead appends the <li> start tag (open: `<li class=…` and what the
// kind adds) with the message's data attributes, then its time and avatar.
func (r *Renderer) appendHead(dst []byte, m glimesh.Message, open string) []byte {
	dst = append(dst, open...)
	dst = append(dst, ` data-message-id="`...)
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
	// The name colour is an index into the theme's palette (glimchat.css),
	// so no style attribute is needed.
	dst = append(dst, `" data-color="`...)
	dst = strconv.AppendInt(dst, int64(colour.Index(m.User.ID)), 10)
	dst = append(dst, '"')
	dst = appendWhere(dst, m)
	if r.highlight != nil && r.highlight(m) {
		dst = append(dst, ` data-highlight=""`...)
	}
	if emoteOnly(m.Tokens) {
		dst = append(dst, ` data-emote-only=""`...)
	}
	dst = append(dst, '>')
	if r.timestamps {
		dst = appendTime(dst, m.InsertedAt)
	}
	dst = r.appendTag(dst, m)
	if r.avatars {
		if src, ok := r.safeURL(m.User.AvatarURL, m.Instance); ok {
			dst = append(dst, `<img class="glimchat-avatar" alt="" src="`...)
			dst = appendEscaped(dst, src)
			dst = append(dst, `">`...)
		}
	}
	return dst
}

// appendWhere appends where m was read: data-channel, and data-instance
// for another instance than the page's first.
func appendWhere(dst []byte, m glimesh.Message) []byte {
	if m.Channel != "" {
		dst = append(dst, ` data-channel="`...)
		dst = appendEscaped(dst, m.Channel)
		dst = append(dst, '"')
	}
	if m.Instance != "" {
		dst = append(dst, ` data-instance="`...)
		dst = appendEscaped(dst, m.Instance)
		dst = append(dst, '"')
	}
	return dst
}

// appendTag appends the source tag, the channel's name, when the chat
// reads several.
func (r *Renderer) appendTag(dst []byte, m glimesh.Message) []byte {
	if !r.sourceTags || m.Channel == "" {
		return dst
	}
	dst = append(dst, `<span class="glimchat-source">`...)
	dst = appendEscaped(dst, m.Channel)
	return append(dst, `</span>`...)
}

// where is a channel on an instance ("" the page's first).
type where struct{ channel, instance string }

// Grant gives the viewer rights in channel on instance ("" the page's
// first): its messages rendered from now on get the tools. Each channel
// has its own moderators, and a viewer signs in per instance.
func (r *Renderer) Grant(channel, instance string, rights glimesh.Rights) {
	for {
		old := r.tools.Load()
		next := make(map[where]glimesh.Rights, len(*old)+1)
		for k, v := range *old {
			next[k] = v
		}
		next[where{channel, instance}] = rights
		if r.tools.CompareAndSwap(old, &next) {
			return
		}
	}
}

// rightsIn are the viewer's rights in channel on instance; a message
// without a channel is in ToolsChannel.
func (r *Renderer) rightsIn(channel, instance string) glimesh.Rights {
	if channel == "" && instance == "" {
		channel = r.toolsChannel
	}
	return (*r.tools.Load())[where{channel, instance}]
}

// appendToolsOf appends the moderator buttons for m, when the viewer may
// moderate someone else's message in its channel.
func (r *Renderer) appendToolsOf(dst []byte, m glimesh.Message) []byte {
	rights := r.rightsIn(m.Channel, m.Instance)
	if !rights.Any() || !glimesh.ValidID(m.User.ID) || m.User.ID == rights.UserID {
		return dst
	}
	dst = append(dst, `<span class="glimchat-tools" role="group" aria-label="`...)
	dst = append(dst, catalog.ToolsLabel...)
	dst = append(dst, `">`...)
	dst = appendTools(dst, rights, m.User.Username)
	return append(dst, `</span>`...)
}

// appendStatus appends a change of the stream: no message of anyone's, so
// no id, author or tools; the title is hostile text like any other.
func (r *Renderer) appendStatus(dst []byte, m glimesh.Message) []byte {
	c := m.Stream
	var text string
	switch c.Change {
	case glimesh.WentLive:
		text = catalog.Live(c.Title)
	case glimesh.WentOffline:
		text = catalog.Offline()
	default:
		text = catalog.Title(c.Title)
	}
	dst = append(dst, `<li class="glimchat-msg glimchat-event" data-kind="status" data-change="`...)
	dst = appendEscaped(dst, string(c.Change))
	dst = append(appendWhere(append(dst, '"'), m), '>')
	dst = r.appendTag(dst, m)
	dst = append(dst, `<span class="glimchat-body" dir="auto">`...)
	dst = appendEscaped(dst, text)
	return append(dst, `</span></li>`...)
}

// displayName is the name a line shows: the display name, else the
// username.
func displayName(u glimesh.User) string {
	if strings.TrimSpace(u.Displayname) == "" {
		return u.Username
	}
	return u.Displayname
}

// emoteOnly reports whether a message is emotes and white space only.
func emoteOnly(tokens []glimesh.Token) bool {
	emotes := 0
	for _, t := range tokens {
		switch {
		case t.Type == "emote":
			emotes++
		case strings.TrimSpace(t.Text) != "":
			return false
		}
	}
	return emotes > 0
}

// appendTime appends the message's time, in the viewer's time zone, as a
// <time>; an unreadable time is left out.
func appendTime(dst []byte, insertedAt string) []byte {
	at, err := time.Parse("2006-01-02T15:04:05", insertedAt)
	if err != nil {
		return dst
	}
	dst = append(dst, `<time class="glimchat-time" datetime="`...)
	dst = at.UTC().AppendFormat(dst, "2006-01-02T15:04:05Z")
	dst = append(dst, `">`...)
	dst = at.Local().AppendFormat(dst, "15:04")
	return append(dst, `</time>`...)
}

// toolOrder is the order of the moderator buttons.
var toolOrder = [...]glimesh.Action{glimesh.DeleteMessage, glimesh.ShortTimeout, glimesh.LongTimeout, glimesh.Ban}

// Tools renders the moderator buttons of a message from name in channel
// on instance ("" the page's first), as the content of its
// span.glimchat-tools: one per action the rights there allow. The page
// listens on the log, and reads data-mod (moderation.ParseClick).
func (r *Renderer) Tools(channel, instance, name string) string {
	return string(appendTools(nil, r.rightsIn(channel, instance), name))
}

func appendTools(dst []byte, rights glimesh.Rights, name string) []byte {
	for _, a := range toolOrder {
		if rights.Can(a) {
			dst = appendButton(dst, string(a), "", catalog.ToolTitle(a, name), catalog.ToolLabel(a))
		}
	}
	return dst
}

// Confirm renders the question that replaces the tools when the moderator
// presses action a on a message from name: the question, a button that
// carries a out and one that cancels.
func (r *Renderer) Confirm(a glimesh.Action, name string) string {
	q := catalog.ToolQuestion(a, name)
	dst := []byte(`<span class="glimchat-confirm" role="group" aria-label="`)
	dst = appendEscaped(dst, q)
	dst = append(dst, `"><span class="glimchat-question">`...)
	dst = appendEscaped(dst, q)
	dst = append(dst, `</span> `...)
	dst = appendButton(dst, "confirm", string(a), "", catalog.ToolConfirm(a))
	dst = append(dst, ' ')
	dst = appendButton(dst, "cancel", string(a), "", catalog.ToolCancel)
	return string(append(dst, `</span>`...))
}

// Busy renders what replaces the tools while action a is on its way.
func (r *Renderer) Busy(a glimesh.Action) string {
	return string(appendEscaped([]byte(`<span class="glimchat-question">`), catalog.ToolBusy(a))) + `</span>`
}

// appendButton appends a moderator button; empty attributes are left out.
func appendButton(dst []byte, mod, action, title, label string) []byte {
	dst = append(dst, `<button type="button" class="glimchat-tool" data-mod="`...)
	dst = appendEscaped(dst, mod)
	if action != "" {
		dst = append(dst, `" data-action="`...)
		dst = appendEscaped(dst, action)
	}
	if title != "" {
		dst = append(dst, `" title="`...)
		dst = appendEscaped(dst, title)
		dst = append(dst, `" aria-label="`...)
		dst = appendEscaped(dst, title)
	}
	dst = append(dst, `">`...)
	dst = appendEscaped(dst, label)
	return append(dst, `</button>`...)
}

func (r *Renderer) appendToken(dst []byte, t glimesh.Token, instance string) []byte {
	switch t.Type {
	case "emote":
		if src, ok := r.safeURL(t.Src, instance); ok {
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
func (r *Renderer) safeURL(raw, instance string) (string, bool) {
	key := raw
	if instance != "" {
		key = instance + "\x00" + raw
	}
	r.mu.Lock()
	s, hit := r.resolved[key]
	r.mu.Unlock()
	if hit {
		return s, s != ""
	}
	s, ok := r.resolve(raw, instance)
	r.mu.Lock()
	if len(r.resolved) >= maxCached || r.resolved == nil {
		r.resolved = make(map[string]string, maxCached)
	}
	r.resolved[key] = s
	r.mu.Unlock()
	return s, ok
}

// resolve keeps absolute http(s) URLs and resolves relative ones against
// the message's instance only (instance: its origin, "" the page's first).
// A protocol-relative "//host/x" names another host without saying so,
// and is refused.
func (r *Renderer) resolve(raw, instance string) (string, bool) {
	u, ok := parseStrict(raw)
	if !ok {
		return "", false
	}
	if !u.IsAbs() {
		base := r.base
		if instance != "" {
			base, _ = url.Parse(instance)
		}
		if u.Host != "" || strings.HasPrefix(raw, "//") || base == nil {
			return "", false
		}
		u = base.ResolveReference(u)
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
