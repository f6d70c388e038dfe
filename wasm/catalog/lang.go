package catalog

import (
	"strings"
)

// Languages the catalogue speaks, by base tag. English is complete by
// definition; the others are checked against it by the tests.
var languages = map[string]map[string]string{
	"en": english,
	"de": german,
}

// current is the language in use. Use sets it once, at start, before
// anything reads a sentence; from then on it is only read.
var current = english

// Use chooses the first language of tags (the lang= parameter, then the
// browser's languages, most preferred first) that the catalogue speaks,
// by base tag ("de-AT" speaks "de"), else English, and returns its tag.
func Use(tags ...string) string {
	for _, tag := range tags {
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if m, ok := languages[base]; ok {
			set(m)
			return base
		}
	}
	set(english)
	return "en"
}

func set(m map[string]string) {
	current = m
	for key, p := range exported {
		*p = t(key)
	}
}

// t is the sentence key in the current language, English where a
// translation is missing.
func t(key string) string {
	if s, ok := current[key]; ok {
		return s
	}
	return english[key]
}

// exported are the sentences the package exports as variables, by key, so
// Use can put them in the chosen language.
var exported = map[string]*string{
	"NoChannel":         &NoChannel,
	"NoInstance":        &NoInstance,
	"LiveRefused":       &LiveRefused,
	"NoClientID":        &NoClientID,
	"Send":              &Send,
	"MessageLabel":      &MessageLabel,
	"ComposerReady":     &ComposerReady,
	"ComposerReadOnly":  &ComposerReadOnly,
	"SendingDisabled":   &SendingDisabled,
	"SendTo":            &SendTo,
	"SignIn":            &SignIn,
	"SignOut":           &SignOut,
	"SignInBlocked":     &SignInBlocked,
	"SignInCancelled":   &SignInCancelled,
	"SignInFailed":      &SignInFailed,
	"SignInExpired":     &SignInExpired,
	"SignInTooSlow":     &SignInTooSlow,
	"SignInUnavailable": &SignInUnavailable,
	"ToolsLabel":        &ToolsLabel,
	"ToolCancel":        &ToolCancel,
}
