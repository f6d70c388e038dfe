package glimesh

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Caps on decoded fields. Glimesh itself limits a message to
// MaxMessageLength characters, so these only bite on a hostile or broken
// server; they keep one message from costing the page unbounded memory or
// layout time.
const (
	maxTextBytes  = 4096 // message and token text
	maxURLBytes   = 2048 // url, src, avatarUrl
	maxNameBytes  = 256  // username, displayname
	maxShortBytes = 64   // user id, insertedAt
	maxTitleBytes = 1024 // a stream's title
	maxTokens     = 512
)

// clip makes s valid UTF-8 and cuts it to at most max bytes on a rune
// boundary.
func clip(s string, max int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// toMessage converts a decoded wire message, checking the id and clipping
// every string. A message without a valid id cannot be ordered or
// de-duplicated, so it is an error; everything else degrades to safe values.
func toMessage(w *wireMessage) (Message, error) {
	if w == nil {
		return Message{}, fmt.Errorf("message is null")
	}
	if !ValidID(w.ID) {
		return Message{}, fmt.Errorf("message id %q is not a decimal id", clip(w.ID, maxShortBytes))
	}
	m := Message{
		ID:         w.ID,
		Text:       clip(w.Message, maxTextBytes),
		InsertedAt: clip(w.InsertedAt, maxShortBytes),
		UpdatedAt:  clip(w.UpdatedAt, maxShortBytes),
	}
	if w.Followed {
		m.Kind = Follow
	}
	if u := w.User; u != nil {
		m.User = User{
			ID:          clip(u.ID, maxShortBytes),
			Username:    clip(u.Username, maxNameBytes),
			Displayname: clip(u.Displayname, maxNameBytes),
			AvatarURL:   clip(u.AvatarURL, maxURLBytes),
		}
	}
	if md := w.Metadata; md != nil {
		m.Roles = roles(md)
	}
	if w.Tokens != nil {
		n := min(len(w.Tokens), maxTokens)
		m.Tokens = make([]Token, 0, n)
		for _, t := range w.Tokens[:n] {
			if t == nil {
				continue
			}
			m.Tokens = append(m.Tokens, Token{
				Type: clip(t.Type, maxShortBytes),
				Text: clip(t.Text, maxTextBytes),
				URL:  clip(t.URL, maxURLBytes),
				Src:  clip(t.Src, maxURLBytes),
			})
		}
	}
	return m, nil
}

// channelState checks a decoded channel: an unknown status is not live.
func channelState(w *wireChannelState) ChannelState {
	return ChannelState{Live: w.Status == "LIVE", Title: clip(w.Title, maxTitleBytes)}
}

func roles(md *wireMetadata) Roles {
	var r Roles
	set := func(on bool, role Roles) {
		if on {
			r |= role
		}
	}
	set(md.Streamer, RoleStreamer)
	set(md.Moderator, RoleModerator)
	set(md.Subscriber, RoleSubscriber)
	set(md.PlatformFounderSubscriber, RoleFounder)
	set(md.PlatformSupporterSubscriber, RoleSupporter)
	set(md.Admin, RoleAdmin)
	return r
}
