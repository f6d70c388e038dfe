package catalog

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/glimchat/glimchat/wasm/glimesh"
)

// maxName bounds a user name inside a sentence.
const maxName = 50

// tool is the wording of one moderator action, as catalogue keys; the
// sentences take the user's name.
type tool struct {
	label    string // the button
	question string // asks to confirm
	confirm  string // the button that confirms
	busy     string // while it is on its way
	done     string // once the instance did it
}

var tools = map[glimesh.Action]tool{
	glimesh.DeleteMessage: {"ToolDelete", "ToolDeleteQuestion", "ToolDeleteConfirm", "ToolDeleteBusy", "ToolDeleteDone"},
	glimesh.ShortTimeout:  {"ToolShort", "ToolShortQuestion", "ToolTimeoutConfirm", "ToolTimeoutBusy", "ToolShortDone"},
	glimesh.LongTimeout:   {"ToolLong", "ToolLongQuestion", "ToolTimeoutConfirm", "ToolTimeoutBusy", "ToolLongDone"},
	glimesh.Ban:           {"ToolBan", "ToolBanQuestion", "ToolBanConfirm", "ToolBanBusy", "ToolBanDone"},
}

// named fills the sentence key with a user's name, made plain and short.
func named(key, name string) string {
	if key == "" {
		return ""
	}
	return fmt.Sprintf(t(key), plain(name, maxName))
}

// text is the sentence key, or "" for an unknown action's empty key.
func text(key string) string {
	if key == "" {
		return ""
	}
	return t(key)
}

// ToolLabel is the short text of an action's button.
func ToolLabel(a glimesh.Action) string { return text(tools[a].label) }

// ToolTitle says in full what an action's button does to name's message.
func ToolTitle(a glimesh.Action, name string) string {
	return strings.TrimSuffix(ToolQuestion(a, name), "?")
}

// ToolQuestion asks the moderator to confirm an action.
func ToolQuestion(a glimesh.Action, name string) string { return named(tools[a].question, name) }

// ToolConfirm is the text of the button that confirms an action.
func ToolConfirm(a glimesh.Action) string { return text(tools[a].confirm) }

// ToolBusy says that an action is on its way.
func ToolBusy(a glimesh.Action) string { return text(tools[a].busy) }

// ModerationDone reports an action the instance carried out.
func ModerationDone(a glimesh.Action, name string) string { return named(tools[a].done, name) }

// ModerationFailed reports an action the instance did not carry out, and
// why.
func ModerationFailed(a glimesh.Action, name string, err error) string {
	what := t("ModerationGeneric")
	if title := ToolTitle(a, name); title != "" {
		what = title
		// Mid-sentence, a title that opens with a word starts lower
		// case; one that opens with the user's name keeps it as it is.
		if !strings.HasPrefix(t(tools[a].question), "%s") {
			r, size := utf8.DecodeRuneInString(title)
			what = string(unicode.ToLower(r)) + title[size:]
		}
	}
	why := Explain(err)
	var ge *glimesh.GraphQLError
	if errors.As(err, &ge) && len(ge.Messages) > 0 && strings.EqualFold(ge.Messages[0], "unauthorized") {
		why = t("ModerationNotAllowed")
	}
	return fmt.Sprintf(t("ModerationFailed"), what, why)
}
