package catalog

import (
	"errors"
	"fmt"
	"strings"

	"github.com/glimchat/glimchat/wasm/glimesh"
)

// maxName bounds a user name inside a sentence.
const maxName = 50

// The moderator tools of the embed page.
const (
	ToolsLabel = "Moderate"
	ToolCancel = "Cancel"
)

// tool is the wording of one moderator action; %s is the user's name.
type tool struct {
	label    string // the button
	question string // asks to confirm
	confirm  string // the button that confirms
	busy     string // while it is on its way
	done     string // once the instance did it
}

var tools = map[glimesh.Action]tool{
	glimesh.DeleteMessage: {"Delete", "Delete this message from %s?", "Delete", "Deleting…", "Deleted the message from %s."},
	glimesh.ShortTimeout:  {"5 min", "Time out %s for 5 minutes?", "Time out", "Timing out…", "%s is timed out for 5 minutes."},
	glimesh.LongTimeout:   {"15 min", "Time out %s for 15 minutes?", "Time out", "Timing out…", "%s is timed out for 15 minutes."},
	glimesh.Ban:           {"Ban", "Ban %s from this chat?", "Ban", "Banning…", "%s is banned from this chat."},
}

// named fills a sentence with a user's name, made plain and short.
func named(format, name string) string {
	if format == "" {
		return ""
	}
	return fmt.Sprintf(format, plain(name, maxName))
}

// ToolLabel is the short text of an action's button.
func ToolLabel(a glimesh.Action) string { return tools[a].label }

// ToolTitle says in full what an action's button does to name's message.
func ToolTitle(a glimesh.Action, name string) string {
	return strings.TrimSuffix(ToolQuestion(a, name), "?")
}

// ToolQuestion asks the moderator to confirm an action.
func ToolQuestion(a glimesh.Action, name string) string { return named(tools[a].question, name) }

// ToolConfirm is the text of the button that confirms an action.
func ToolConfirm(a glimesh.Action) string { return tools[a].confirm }

// ToolBusy says that an action is on its way.
func ToolBusy(a glimesh.Action) string { return tools[a].busy }

// ModerationDone reports an action the instance carried out.
func ModerationDone(a glimesh.Action, name string) string { return named(tools[a].done, name) }

// ModerationFailed reports an action the instance did not carry out, and
// why.
func ModerationFailed(a glimesh.Action, name string, err error) string {
	what := "moderate"
	if t := ToolTitle(a, name); t != "" {
		what = strings.ToLower(t[:1]) + t[1:]
	}
	why := Explain(err)
	var ge *glimesh.GraphQLError
	if errors.As(err, &ge) && len(ge.Messages) > 0 && strings.EqualFold(ge.Messages[0], "unauthorized") {
		why = "You are not allowed to do this in this channel."
	}
	return "Could not " + what + ": " + why
}
