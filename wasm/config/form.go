package config

import (
	"net/url"
	"strings"
)

// Form turns the generator's form fields (name → value; an unchecked box
// or an empty field is absent or "") into the overlay's canonical
// parameters, and says what is wrong, in the words the console gets.
func Form(fields url.Values, page string) (url.Values, []string) {
	q := url.Values{}
	for name, vals := range fields {
		if len(vals) > 0 && strings.TrimSpace(vals[0]) != "" {
			q.Set(name, strings.TrimSpace(vals[0]))
		}
	}
	c, errs := Parse(q.Encode(), page)
	notes := make([]string, 0, len(errs))
	for _, e := range errs {
		notes = append(notes, e.Error())
	}
	return c.Values(page), notes
}
