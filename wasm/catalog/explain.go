package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/phoenix"
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
		return fmt.Sprintf(t("NoSuchChannel"), plain(nf.Channel, maxName))
	case errors.Is(err, glimesh.ErrChannelNotFound):
		return t("ChannelNotFound")
	case errors.Is(err, glimesh.ErrNoCredentials):
		return t("NoCredentials")
	case errors.Is(err, glimesh.ErrEmptyMessage):
		return t("EmptyMessage")
	// Before the context's errors: a dial that timed out or was cancelled
	// still means the instance was never reached.
	case errors.Is(err, phoenix.ErrUnreachable):
		return t("SocketUnreachable")
	case errors.Is(err, context.DeadlineExceeded):
		return t("TooSlow")
	case errors.Is(err, context.Canceled):
		return t("Cancelled")
	case errors.As(err, &he):
		return explainHTTP(he)
	case errors.As(err, &ge):
		if len(ge.Messages) == 0 {
			return t("InstanceError")
		}
		return explainGraphQL(ge.Messages[0])
	case errors.As(err, &ne):
		return t("Unreachable")
	case errors.As(err, &de), errors.Is(err, glimesh.ErrNoMessage):
		return t("Unreadable")
	}
	return t("SomethingWrong")
}

func explainHTTP(e *glimesh.HTTPError) string {
	switch {
	case e.Status == 401 && e.HeaderError == "invalid_access_token":
		return t("TokenExpired")
	case e.Status == 401 && e.Bearer:
		return t("TokenRefused")
	case e.Status == 401:
		return t("NeedsCredentials")
	case e.Status == 500 && !e.Bearer:
		return t("ClientIDRefused")
	case e.Status >= 500:
		return fmt.Sprintf(t("InstanceFailed"), e.Status)
	case e.Status == 404:
		return t("NoAPI")
	}
	if e.Message != "" {
		return fmt.Sprintf(t("RefusedWithReason"), e.Status, plain(e.Message, maxQuoted))
	}
	return fmt.Sprintf(t("Refused"), e.Status)
}

func explainGraphQL(m string) string {
	switch {
	case m == "unauthorized":
		return t("NotAllowedToChat")
	case m == "Could not find resource":
		return t("NotFound")
	case m == "This channel has links disabled!":
		return t("LinksDisabled")
	case strings.HasPrefix(m, "message: should be at most"):
		return fmt.Sprintf(t("TooLong"), glimesh.MaxMessageLength)
	case strings.HasPrefix(m, "message: can't be blank"):
		return t("EmptyMessage")
	case strings.HasPrefix(m, "You "):
		// Ban, timeout, wait and e-mail notices are written for the user.
		return plain(m, maxQuoted)
	}
	return fmt.Sprintf(t("InstanceSaid"), plain(m, maxQuoted))
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
