// Package glimesh holds the widget's view of the Glimesh API: the chat
// message model, the typed GraphQL operations and the decoders for pushes.
package glimesh

import (
	"strconv"
	"strings"
)

// Message is one chat message as the widget sees it, whatever path it came
// by (history, a subscription push, a poll or a mutation reply).
type Message struct {
	ID         string // Glimesh id: a decimal string, ordered numerically
	Text       string // the raw message; hostile user input
	Tokens     []Token
	User       User
	Roles      Roles
	InsertedAt string // NaiveDateTime, "2006-01-02T15:04:05" UTC
	// UpdatedAt is InsertedAt until a moderator deletes the message: the
	// delete moves it to the delete's time (api.md §3), and that is how a
	// delete log, which names only the author, finds its message.
	UpdatedAt string
	Kind      Kind
	Stream    *StreamChange // for Kind Status only
	// Channel and Instance say where it was read: the channel's username,
	// and the instance's origin when it is not the page's first instance
	// ("" there). Ids are unique per instance only.
	Channel  string
	Instance string
}

// Kind says what a Message is.
type Kind uint8

const (
	Chat Kind = iota
	// Follow is the chat message Glimesh posts for a new follower, by the
	// follower, with isFollowedMessage (api.md §3).
	Follow
	// Status is a change of the stream (going live or offline, a new
	// title) shown as a line among the messages. It is no chat message:
	// it has no id from the instance, and no author.
	Status
)

// StreamChange is what a Status line says, and where it stands.
type StreamChange struct {
	Change Change
	Title  string // hostile text, as every field
	// After is the newest message id when the change came: the line sorts
	// after that message, and Seq orders lines after the same message.
	After string
	Seq   int
}

// Change is what changed in the stream.
type Change string

const (
	WentLive    Change = "live"
	WentOffline Change = "offline"
	NewTitle    Change = "title"
)

// Key identifies m in the visible list: its id, or for a Status line its
// place, which no message id can look like.
func (m Message) Key() string {
	k := m.ID
	if m.Stream != nil {
		k = "status-" + strconv.Itoa(m.Stream.Seq)
	}
	if m.Instance != "" {
		return m.Instance + " " + k
	}
	return k
}

// Position is where m sorts: its id, or for a Status line the id it comes
// after ("" before every message).
func (m Message) Position() string {
	if m.Stream != nil {
		return m.Stream.After
	}
	return m.ID
}

// CompareMessages orders the visible list: by id, a Status line after the
// message it came after, and Status lines in the order they came. Ids of
// two instances say nothing of each other: across instances, by time (to
// the second), then by instance.
func CompareMessages(a, b Message) int {
	if a.Instance != b.Instance {
		if c := strings.Compare(a.InsertedAt, b.InsertedAt); c != 0 {
			return c
		}
		return strings.Compare(a.Instance, b.Instance)
	}
	if c := CompareIDs(a.Position(), b.Position()); c != 0 {
		return c
	}
	switch as, bs := a.Stream != nil, b.Stream != nil; {
	case as && bs:
		return cmpInt(a.Stream.Seq, b.Stream.Seq)
	case as:
		return 1
	case bs:
		return -1
	}
	return 0
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ChannelState is what the viewer sees of the stream: live or not, and
// its title.
type ChannelState struct {
	Live  bool
	Title string
}

// User is the sender.
type User struct {
	ID          string
	Username    string
	Displayname string
	AvatarURL   string
}

// Token is one piece of a server-tokenized message. Type is "text", "url"
// or "emote"; URL is set for url tokens and Src for emote tokens.
type Token struct {
	Type string
	Text string
	URL  string
	Src  string
}

// Roles is the set of metadata flags of a message. A message whose metadata
// is null has no roles.
type Roles uint8

const (
	RoleStreamer Roles = 1 << iota
	RoleModerator
	RoleSubscriber
	RoleFounder   // metadata.platformFounderSubscriber
	RoleSupporter // metadata.platformSupporterSubscriber
	RoleAdmin
)

// RoleNames lists the roles in the order they are rendered, with the names
// used in data-roles and badge classes.
var RoleNames = [...]struct {
	Role Roles
	Name string
}{
	{RoleStreamer, "streamer"},
	{RoleModerator, "moderator"},
	{RoleSubscriber, "subscriber"},
	{RoleFounder, "founder"},
	{RoleSupporter, "supporter"},
	{RoleAdmin, "admin"},
}

// Has reports whether all of r2 are in r.
func (r Roles) Has(r2 Roles) bool { return r&r2 == r2 }
