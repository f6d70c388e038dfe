// Package catalog holds every sentence the widget shows a person: status
// lines, problems in plain words, and the composer's labels. Keeping them
// in one place keeps the wording consistent, and is where translations
// will hook in. All of it is plain text, set as textContent, never HTML.
package catalog

// Status and problems on the page.
const (
	NoChannel   = "Add channel=<username> to the page URL to choose a Glimesh channel."
	NoInstance  = "Add instance=<https://your.glimesh.instance> to the page URL."
	LiveRefused = "The Glimesh instance refused the live connection: check the client_id."
	// NoClientID is the overlay's: it cannot sign in, so it needs an app's id.
	NoClientID = "Add client_id=<your app's client id> to the overlay's URL: register an app on your Glimesh instance to get one."
)

// Connecting is the status line until the chat is live.
func Connecting(channel string) string { return "Connecting to the chat of " + channel + "…" }

// CannotStart reports a setup failure that no parameter explains.
func CannotStart(err error) string { return "The chat could not start: " + err.Error() }

// The embed page's composer.
const (
	ComposerReady    = "Send a message"
	ComposerReadOnly = "Read-only: sign in to chat"
	SendingDisabled  = "Sending is not available: this chat is read-only."
)
