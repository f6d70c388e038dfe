package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/glimchat/glimchat/wasm/glimesh"
)

// maxQuoted bounds how much server-supplied text Explain passes through.
const maxQuoted = 200

// Explain turns any error of the glimesh client (or a context error) into a
// short sentence for the page. The result is plain text, never HTML: set it
// as textContent.
func Explain(err error) string {
	if err == nil {
		return ""
	}
	var (
		nf *glimesh.NotFoundError
		he *glimesh.HTTPError
		ge *glimesh.GraphQLError
		ne *glimesh.NetworkError
		de *glimesh.DecodeError
	)
	switch {
	case errors.As(err, &nf):
		return fmt.Sprintf("There is no channel named %q on this Glimesh instance.", plain(nf.Channel, 50))
	case errors.Is(err, glimesh.ErrChannelNotFound):
		return "That channel does not exist on this Glimesh instance."
	case errors.Is(err, glimesh.ErrNoCredentials):
		return "Add client_id=… to the page URL, or sign in."
	case errors.Is(err, glimesh.ErrEmptyMessage):
		return "Type a message first."
	case errors.Is(err, context.DeadlineExceeded):
		return "The Glimesh instance took too long to answer."
	case errors.Is(err, context.Canceled):
		return "The request was cancelled."
	case errors.As(err, &he):
		return explainHTTP(he)
	case errors.As(err, &ge):
		if len(ge.Messages) == 0 {
			return "The Glimesh instance reported an error."
		}
		return explainGraphQL(ge.Messages[0])
	case errors.As(err, &ne):
		return "Cannot reach the Glimesh instance. It may be down, or it may refuse requests " +
			"from other sites: use transport=socket, or serve the widget with glimchat serve -upstream."
	case errors.As(err, &de), errors.Is(err, glimesh.ErrNoMessage):
		return "The Glimesh instance sent an answer the widget cannot read."
	}
	return "Something went wrong talking to the Glimesh instance."
}

func explainHTTP(e *glimesh.HTTPError) string {
	switch {
	case e.Status == 401 && e.HeaderError == "invalid_access_token":
		return "Your sign-in has expired or was revoked. Sign in again."
	case e.Status == 401 && e.Bearer:
		return "The Glimesh instance did not accept your sign-in. Sign in again."
	case e.Status == 401:
		return "The Glimesh instance needs a client_id (add client_id=… to the page URL) or a sign-in."
	case e.Status == 500 && !e.Bearer:
		return "The Glimesh instance refused the client_id (or failed). Check the client_id parameter."
	case e.Status >= 500:
		return fmt.Sprintf("The Glimesh instance failed (HTTP %d). Try again later.", e.Status)
	case e.Status == 404:
		return "No Glimesh API at this instance address. Check the instance parameter."
	}
	if e.Message != "" {
		return fmt.Sprintf("The Glimesh instance refused the request (HTTP %d): %s", e.Status, plain(e.Message, maxQuoted))
	}
	return fmt.Sprintf("The Glimesh instance refused the request (HTTP %d).", e.Status)
}

func explainGraphQL(m string) string {
	switch {
	case m == "unauthorized":
		return "You are not allowed to chat here: sign in and allow chat access."
	case m == "Could not find resource":
		return "Not found on this Glimesh instance."
	case m == "This channel has links disabled!":
		return "This channel does not allow links in chat."
	case strings.HasPrefix(m, "message: should be at most"):
		return fmt.Sprintf("The message is too long: %d characters at most.", glimesh.MaxMessageLength)
	case strings.HasPrefix(m, "message: can't be blank"):
		return "Type a message first."
	case strings.HasPrefix(m, "You "):
		// Ban, timeout, wait and e-mail notices are written for the user.
		return plain(m, maxQuoted)
	}
	return "The Glimesh instance said: " + plain(m, maxQuoted)
}

// plain drops control and format characters (no bidi overrides in status
// lines) and cuts s to max runes.
func plain(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if n == max {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
