// Package glimesh holds the widget's view of the Glimesh API: the chat
// message model, the typed GraphQL operations and the decoders for pushes.
package glimesh

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
