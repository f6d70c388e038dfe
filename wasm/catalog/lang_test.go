package catalog

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/glimchat/glimchat/wasm/glimesh"
)

// verbs are a format string's verbs in order, so a translation cannot
// drop, add or reorder an argument.
var verbs = regexp.MustCompile(`%(\[\d+\])?[sqdv]`)

func TestEveryLanguageIsComplete(t *testing.T) {
	for tag, m := range languages {
		for key, en := range english {
			tr, ok := m[key]
			if !ok || strings.TrimSpace(tr) == "" {
				t.Errorf("%s: no %s", tag, key)
				continue
			}
			if got, want := verbs.FindAllString(tr, -1), verbs.FindAllString(en, -1); !slices.Equal(got, want) {
				t.Errorf("%s %s: verbs %v, English has %v", tag, key, got, want)
			}
		}
		for key := range m {
			if _, ok := english[key]; !ok {
				t.Errorf("%s: %s is not an English key", tag, key)
			}
		}
	}
	for _, rn := range glimesh.RoleNames {
		if _, ok := english["Role."+rn.Name]; !ok {
			t.Errorf("no label for the role %s", rn.Name)
		}
	}
	for key := range exported {
		if _, ok := english[key]; !ok {
			t.Errorf("exported %s has no English sentence", key)
		}
	}
}

func TestUseChoosesTheLanguage(t *testing.T) {
	t.Cleanup(func() { Use() })
	for _, tc := range []struct {
		tags []string
		want string
	}{
		{nil, "en"},
		{[]string{"de"}, "de"},
		{[]string{"de-AT"}, "de"},
		{[]string{"DE-ch"}, "de"},
		{[]string{"fr", "de-DE", "en"}, "de"}, // lang= first, then the browser's in order
		{[]string{"", "en-GB", "de"}, "en"},
		{[]string{"xx", "zz"}, "en"},
	} {
		if got := Use(tc.tags...); got != tc.want {
			t.Errorf("Use(%q) = %q, want %q", tc.tags, got, tc.want)
		}
	}
}

func TestSentencesFollowTheLanguage(t *testing.T) {
	t.Cleanup(func() { Use() })
	Use("de")
	if SignIn != "Mit Glimesh anmelden" || !strings.Contains(NoChannel, "Kanal") {
		t.Errorf("German variables: %q, %q", SignIn, NoChannel)
	}
	if got := Connecting("mytho"); got != "Verbinde mit dem Chat von mytho…" {
		t.Errorf("Connecting = %q", got)
	}
	if got := Explain(&glimesh.HTTPError{Status: 503}); got != "Die Glimesh-Instanz ist ausgefallen (HTTP 503). Versuche es später noch einmal." {
		t.Errorf("Explain = %q", got)
	}
	if got := ModerationDone(glimesh.Ban, "Bob"); got != "Bob ist aus diesem Chat gesperrt." {
		t.Errorf("ModerationDone = %q", got)
	}
	refused := &glimesh.GraphQLError{Messages: []string{"unauthorized"}}
	if got := ModerationFailed(glimesh.Ban, "Bob", refused); !strings.HasPrefix(got, "Das ging nicht (Bob aus diesem Chat sperren): ") {
		t.Errorf("ModerationFailed = %q, want the name as it is", got)
	}
	if got := ModerationFailed(glimesh.DeleteMessage, "Bob", refused); !strings.HasPrefix(got, "Das ging nicht (diese Nachricht von Bob löschen): ") {
		t.Errorf("ModerationFailed = %q", got)
	}
	if got := Role("subscriber"); got != "Abonnent" {
		t.Errorf("Role = %q", got)
	}
	if got := BlockedByPolicy("https://g.example"); strings.Count(got, "https://g.example") != 3 {
		t.Errorf("BlockedByPolicy = %q, want the origin three times", got)
	}
	Use("en")
	if SignIn != "Sign in with Glimesh" || !strings.Contains(Explain(errors.New("x")), "went wrong") {
		t.Errorf("back in English: %q", SignIn)
	}
}
