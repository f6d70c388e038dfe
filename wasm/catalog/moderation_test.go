package catalog

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/glimchat/glimchat/wasm/glimesh"
)

func TestModerationWording(t *testing.T) {
	for _, a := range []glimesh.Action{glimesh.DeleteMessage, glimesh.ShortTimeout, glimesh.LongTimeout, glimesh.Ban} {
		for what, s := range map[string]string{
			"label": ToolLabel(a), "title": ToolTitle(a, "bob"), "question": ToolQuestion(a, "bob"),
			"confirm": ToolConfirm(a), "busy": ToolBusy(a), "done": ModerationDone(a, "bob"),
		} {
			if s == "" || strings.Contains(s, "%") {
				t.Errorf("%s of %s = %q", what, a, s)
			}
		}
		if !strings.HasSuffix(ToolQuestion(a, "bob"), "?") || strings.HasSuffix(ToolTitle(a, "bob"), "?") {
			t.Errorf("%s: question %q, title %q", a, ToolQuestion(a, "bob"), ToolTitle(a, "bob"))
		}
	}
	if ToolQuestion(glimesh.Unban, "bob") != "" || ModerationDone("explode", "bob") != "" {
		t.Error("an action without tools has wording")
	}
	// A hostile name is cut short and loses its control characters.
	q := ToolQuestion(glimesh.Ban, "\u202eevil%s"+strings.Repeat("x", 100))
	if strings.ContainsRune(q, '\u202e') || len([]rune(q)) > 80 || !strings.Contains(q, "evil%s") {
		t.Errorf("question with a hostile name = %q", q)
	}
}

func TestModerationFailed(t *testing.T) {
	refused := fmt.Errorf("ban 7: %w", &glimesh.GraphQLError{Messages: []string{"unauthorized"}})
	if got := ModerationFailed(glimesh.Ban, "bob", refused); got != "Could not ban bob from this chat: You are not allowed to do this in this channel." {
		t.Errorf("refusal: %q", got)
	}
	slow := fmt.Errorf("delete 9: %w", &glimesh.NetworkError{Err: errors.New("socket closed")})
	if got := ModerationFailed(glimesh.DeleteMessage, "bob", slow); !strings.HasPrefix(got, "Could not delete this message from bob: Cannot reach") {
		t.Errorf("network: %q", got)
	}
}
