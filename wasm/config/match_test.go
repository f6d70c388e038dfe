package config

import (
	"regexp"
	"testing"
)

// The hand-written matchers stand in for these patterns; the fuzzer holds
// them to the same answers.
var (
	fontNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 _.-]*$`)
	langPattern     = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)
	hexPattern      = regexp.MustCompile(`^#?([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$`)
)

func FuzzMatchersAgreeWithPatterns(f *testing.F) {
	for _, s := range []string{"", "Lato", "Comic Sans MS", " Lato", "a_b.c-d", "x\"", "é", "en", "pt-BR", "e", "engl",
		"en-", "en--x", "zh-Hant-TW", "en-123456789", "de-1", "1n", "#fff", "fff", "#ffff", "#fffff", "#abcdef", "#abcdef80",
		"#abcdefg", "##fff", "#", "#12345678a", "\n", "en\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range []struct {
			name string
			re   *regexp.Regexp
			fn   func(string) bool
		}{{"isFontName", fontNamePattern, isFontName}, {"isLangTag", langPattern, isLangTag}, {"isHexColour", hexPattern, isHexColour}} {
			if got, want := c.fn(s), c.re.MatchString(s); got != want {
				t.Errorf("%s(%q) = %v, pattern %s says %v", c.name, s, got, c.re, want)
			}
		}
	})
}
