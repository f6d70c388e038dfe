// Package catalog holds every sentence the widget shows a person: status
// lines, problems in plain words, the composer's and sign-in's labels, and
// the moderator tools. It speaks English and German (messages.go); Use
// picks the language once at start, from lang= or the browser. All of it
// is plain text, set as textContent, never HTML.
package catalog

import "fmt"

// Sentences without arguments, in the language Use chose (English until
// then).
var (
	NoChannel   = t("NoChannel")
	NoInstance  = t("NoInstance")
	LiveRefused = t("LiveRefused")
	// NoClientID is the overlay's: it cannot sign in, so it needs an app's id.
	NoClientID = t("NoClientID")

	// The embed page's composer.
	Send             = t("Send")
	MessageLabel     = t("MessageLabel")
	ComposerReady    = t("ComposerReady")
	ComposerReadOnly = t("ComposerReadOnly")
	SendingDisabled  = t("SendingDisabled")
	SendTo           = t("SendTo")

	// The embed page's sign-in.
	SignIn            = t("SignIn")
	SignOut           = t("SignOut")
	SignInBlocked     = t("SignInBlocked")
	SignInCancelled   = t("SignInCancelled")
	SignInFailed      = t("SignInFailed")
	SignInExpired     = t("SignInExpired")
	SignInTooSlow     = t("SignInTooSlow")
	SignInUnavailable = t("SignInUnavailable")

	// The moderator tools of the embed page.
	ToolsLabel = t("ToolsLabel")
	ToolCancel = t("ToolCancel")
)

// Connecting is the status line until the chat is live.
func Connecting(channel string) string { return fmt.Sprintf(t("Connecting"), channel) }

// BlockedByPolicy is shown when the page's Content-Security-Policy refuses
// the instance at origin (a securitypolicyviolation for it): the instance
// may be fine, the page is not allowed to talk to it.
func BlockedByPolicy(origin string) string { return fmt.Sprintf(t("BlockedByPolicy"), origin) }

// CannotStart reports a setup failure that no parameter explains.
func CannotStart(err error) string { return fmt.Sprintf(t("CannotStart"), err.Error()) }

// ChannelNotOpen is said when the viewer posts to a channel whose chat
// has not opened yet.
func ChannelNotOpen(name string) string { return fmt.Sprintf(t("ChannelNotOpen"), name) }

// SignInTo is the sign-in button for the instance at origin, on a page
// whose channels are on several instances: a sign-in is per instance.
func SignInTo(origin string) string { return fmt.Sprintf(t("SignInTo"), origin) }

// Follow is the line of a new follower, by name.
func Follow(name string) string { return fmt.Sprintf(t("EventFollow"), name) }

// Live is the line of the stream going live, with its title ("" none).
func Live(title string) string {
	if title == "" {
		return t("EventLiveBare")
	}
	return fmt.Sprintf(t("EventLive"), title)
}

// Offline is the line of the stream ending.
func Offline() string { return t("EventOffline") }

// Title is the line of a new title.
func Title(title string) string { return fmt.Sprintf(t("EventTitle"), title) }

// Role is the label of a badge: role is a name of glimesh.RoleNames.
func Role(role string) string { return t("Role." + role) }
