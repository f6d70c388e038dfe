package config

import (
	"html"
	"net/url"
	"slices"
	"strings"
)

// embedFirst are the parameters the loader snippet names first, in this
// order, because a reader looks for them; the rest follow sorted.
var embedFirst = []string{"channel", "instance", "client_id"}

// EmbedSnippets returns the HTML that puts the embed page with the
// parameters v on another site: an <iframe> of embed.html, and the element
// and <script> of the loader (embed.js), both next to page (the generator's
// URL). Token parameters never appear, though v should have none.
func EmbedSnippets(page *url.URL, v url.Values) (iframe, loader string) {
	q := url.Values{}
	for name, vals := range v {
		if len(vals) > 0 && !isToken(name) {
			q.Set(name, vals[0])
		}
	}
	src := page.ResolveReference(&url.URL{Path: "embed.html", RawQuery: q.Encode()})
	iframe = `<iframe src="` + html.EscapeString(src.String()) + `" title="Live chat"` +
		` width="400" height="600" loading="lazy" referrerpolicy="no-referrer"></iframe>`

	names := make([]string, 0, len(q))
	for name := range q {
		if !slices.Contains(embedFirst, name) && dataName(name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString("<div data-glimchat")
	for _, name := range append(slices.Clone(embedFirst), names...) {
		if q.Has(name) {
			b.WriteString(" data-" + strings.ReplaceAll(name, "_", "-") + `="` + html.EscapeString(q.Get(name)) + `"`)
		}
	}
	script := page.ResolveReference(&url.URL{Path: "embed.js"})
	b.WriteString(` data-height="600"></div>` + "\n" +
		`<script src="` + html.EscapeString(script.String()) + `" async></script>`)
	return iframe, b.String()
}

func isToken(name string) bool {
	name = strings.ToLower(name)
	return name == "token" || strings.HasSuffix(name, "_token")
}

// dataName reports whether a parameter name makes a valid data-* attribute
// that embed.js turns back into the same name: lower-case letters, digits
// and underscores.
func dataName(name string) bool {
	if name == "" || name == "height" || name == "title" || strings.HasPrefix(name, "glimchat") {
		return false
	}
	for _, c := range name {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
