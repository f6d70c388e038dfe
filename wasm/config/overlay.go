package config

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Theme is the overlay's look (data-theme on the root).
type Theme string

const (
	Clear   Theme = "clear"   // transparent, light text with a dark edge (default)
	Dark    Theme = "dark"    // light text on a dark panel
	Light   Theme = "light"   // dark text on a light panel
	Bubbles Theme = "bubbles" // each message in a dark bubble
)

// Themes lists every theme, the default first.
var Themes = []Theme{Clear, Dark, Light, Bubbles}

// Overlay is how the chat looks and what it leaves out. The zero value is
// the default, except Mentions (on).
type Overlay struct {
	Fade            time.Duration // how long a message stays; 0 = for good
	Size            int           // 1..3, jChat's presets; 0 = unset
	FontSize        int           // px; 0 = from Size, else the stylesheet's
	Font            string        // a font family; "" = the stylesheet's
	Stroke          int           // 1..4 text outline; 0 = none
	Shadow          int           // 1..3 text shadow preset; 0 = the theme's
	Animate         bool          // messages slide in
	SmallCaps       bool
	ShowBots        bool     // show messages of BotNames
	BotNames        []string // lower case: DefaultBots plus bot_names
	HideCommands    bool     // hide messages that start with "!"
	HideBadges      bool
	Block           []string // lower-case usernames never shown
	Theme           Theme
	PreventClipping bool     // push a partly visible line out whole, rather than hide it
	EmoteScale      float64  // emote size factor; 0 = 1
	BigEmotes       bool     // emote-only messages larger
	Timestamps      bool     // show the time of each message
	Highlight       []string // lower-case keywords that highlight a message
	Mentions        bool     // highlight mentions of the streamer
	Direction       string   // "bottom" (newest at the bottom) or "top"
	Align           string   // "left", "right" or "center"
	Background      string   // "#rrggbbaa" behind each message; "" = none
	Lang            string   // BCP-47-ish tag; "" = the browser's
	HideSourceTag   bool     // no channel name on each line, when several are read (source_tag=0)
	Events          Events   // the stream events shown, when EventsSet (events=)
	EventsSet       bool     // else the page's default (EventsFor)
}

// Events is a set of the stream events the chat shows among the messages.
type Events uint8

const (
	ShowFollows Events = 1 << iota // a new follower
	ShowLive                       // going live and offline
	ShowTitle                      // a new title
)

// eventNames are events= values, in the order Values writes them.
var eventNames = []struct {
	name string
	e    Events
}{{"follows", ShowFollows}, {"live", ShowLive}, {"title", ShowTitle}}

// Has reports whether every event of e2 is in e.
func (e Events) Has(e2 Events) bool { return e&e2 == e2 }

// EventsFor is the set the page shows: events= when given, else follows
// on the overlay and follows and going live on the embed page.
func (o Overlay) EventsFor(embed bool) Events {
	switch {
	case o.EventsSet:
		return o.Events
	case embed:
		return ShowFollows | ShowLive
	}
	return ShowFollows
}

// eventsParam reads events=: a list of follows, live and title, or none.
func eventsParam(v string, bad func(param, value, accepted string)) Events {
	var e Events
	for _, item := range list(v) {
		i := slices.IndexFunc(eventNames, func(n struct {
			name string
			e    Events
		}) bool {
			return n.name == strings.ToLower(item)
		})
		switch {
		case i >= 0:
			e |= eventNames[i].e
		case strings.EqualFold(item, "none"):
		default:
			bad("events", item, "follows, live, title (comma-separated) or none; left out")
		}
	}
	return e
}

// DefaultBots are the bots hidden unless bots= is on: well-known chat bots.
var DefaultBots = []string{"nightbot", "streamelements", "streamlabs", "moobot", "fossabot", "wizebot",
	"botisimo", "coebot", "deepbot", "phantombot", "sery_bot", "soundalerts", "glimbot"}

// Fonts are jChat's font=0..11 families, in its order.
var Fonts = []string{"Baloo Tammudu", "Segoe UI", "Roboto", "Lato", "Noto Sans", "Source Code Pro", "Impact",
	"Comfortaa", "Dancing Script", "Indie Flower", "Press Start 2P", "Wallpoet"}

// SizeFontPx is the font size of size=1..3.
var SizeFontPx = [4]int{0, 14, 18, 24}

const (
	DefaultFade   = 30 * time.Second // fade=true (KapChat)
	MaxFade       = time.Hour
	MinFontSize   = 8
	MaxFontSize   = 96
	MinEmoteScale = 0.5
	MaxEmoteScale = 4.0
	maxListItems  = 50
	maxKeyword    = 50
	maxFontName   = 60
)

// The matchers below are written out rather than as regexps: regexp would
// add ~260 KB to the wasm and compile at start-up, for three short patterns.

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isFontName matches [A-Za-z0-9][A-Za-z0-9 _.-]*.
func isFontName(v string) bool {
	if v == "" || !isAlnum(v[0]) {
		return false
	}
	for i := 1; i < len(v); i++ {
		if c := v[i]; !isAlnum(c) && !strings.ContainsRune(" _.-", rune(c)) {
			return false
		}
	}
	return true
}

// isLangTag matches [A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*.
func isLangTag(v string) bool {
	for i, part := range strings.Split(v, "-") {
		if n := len(part); i == 0 && (n < 2 || n > 3) || n < 1 || n > 8 {
			return false
		}
		for j := 0; j < len(part); j++ {
			if c := part[j]; !isAlnum(c) || i == 0 && '0' <= c && c <= '9' {
				return false
			}
		}
	}
	return true
}

// isHexColour matches #?(hex{3,4}|hex{6}|hex{8}).
func isHexColour(v string) bool {
	h := strings.TrimPrefix(v, "#")
	switch len(h) {
	case 3, 4, 6, 8:
	default:
		return false
	}
	for i := 0; i < len(h); i++ {
		if !isHex(h[i]) {
			return false
		}
	}
	return true
}

// parseBool reads 1/0/true/false/yes/no/on/off; bare presence is true.
func parseBool(v string) (on, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "1", "true", "yes", "on":
		return true, true
	case "0", "false", "no", "off":
		return false, true
	}
	return false, false
}

const boolAccepted = "1, 0, true, false, yes, no, on, off, or the bare name"

// parseOverlay reads the overlay's parameters through get.
func parseOverlay(get func(string) (string, bool), bad func(param, value, accepted string)) Overlay {
	o := Overlay{Theme: Clear, Mentions: true, Direction: "bottom", Align: "left"}
	flag := func(name string, dst *bool) {
		if v, ok := get(name); ok {
			on, valid := parseBool(v)
			if !valid {
				bad(name, v, boolAccepted+fmt.Sprintf("; using %v", *dst))
				return
			}
			*dst = on
		}
	}

	if v, ok := get("fade"); ok {
		o.Fade = fadeParam(v, bad)
	}
	if v, ok := get("size"); ok {
		o.Size = intParam(v, 1, 3, 0, "size", bad)
	}
	if v, ok := get("font_size"); ok {
		o.FontSize = intParam(strings.TrimSuffix(strings.TrimSpace(v), "px"), MinFontSize, MaxFontSize, 0, "font_size", bad)
	}
	if v, ok := get("font"); ok {
		o.Font = fontParam(v, bad)
	}
	o.Stroke = level(get, bad, "stroke", 4)
	o.Shadow = level(get, bad, "shadow", 3)
	flag("animate", &o.Animate)
	flag("small_caps", &o.SmallCaps)
	flag("bots", &o.ShowBots)
	o.BotNames = append(slices.Clone(DefaultBots), names(get, bad, "bot_names")...)
	flag("hide_commands", &o.HideCommands)
	flag("hide_badges", &o.HideBadges)
	o.Block = names(get, bad, "block")
	if v, ok := get("theme"); ok {
		t := Theme(strings.ToLower(strings.TrimSpace(v)))
		if slices.Contains(Themes, t) {
			o.Theme = t
		} else {
			bad("theme", v, "one of clear, dark, light, bubbles; using clear")
		}
	}
	flag("prevent_clipping", &o.PreventClipping)
	if v, ok := get("emote_scale"); ok {
		o.EmoteScale = emoteScale(v, bad)
	}
	flag("big_emotes", &o.BigEmotes)
	flag("timestamps", &o.Timestamps)
	if v, ok := get("highlight"); ok {
		o.Highlight = keywords(v, bad)
	}
	flag("mentions", &o.Mentions)
	o.Direction = choice(get, bad, "direction", o.Direction, "bottom", "top")
	o.Align = choice(get, bad, "align", o.Align, "left", "right", "center")
	if v, ok := get("background"); ok {
		if c, valid := parseColour(v); valid {
			o.Background = c
		} else {
			bad("background", v, "a colour as #rgb, #rgba, #rrggbb or #rrggbbaa (the last two hex digits are the opacity), or transparent")
		}
	}
	if v, ok := get("events"); ok {
		o.Events, o.EventsSet = eventsParam(v, bad), true
	}
	showTag := true
	flag("source_tag", &showTag)
	o.HideSourceTag = !showTag
	if v, ok := get("lang"); ok {
		if v = strings.TrimSpace(v); len(v) <= 35 && isLangTag(v) {
			o.Lang = v
		} else {
			bad("lang", v, "a language tag such as en, de or pt-BR; using the browser's language")
		}
	}
	return o
}

// level reads 1..hi, or off (0).
func level(get func(string) (string, bool), bad func(string, string, string), name string, hi int) int {
	v, ok := get(name)
	if !ok {
		return 0
	}
	if on, valid := parseBool(v); valid && !on {
		return 0
	}
	return intParam(v, 1, hi, 0, name, bad)
}

// fadeParam reads fade=: on (the default time), off, or seconds.
func fadeParam(v string, bad func(param, value, accepted string)) time.Duration {
	if on, isBool := parseBool(v); isBool && strings.TrimSpace(v) != "1" {
		if on {
			return DefaultFade
		}
		return 0
	}
	return seconds(v, time.Second, MaxFade, 0, "fade", bad)
}

// fontParam reads font=: a number of Fonts, or a family name; "" when
// neither.
func fontParam(v string, bad func(param, value, accepted string)) string {
	v = strings.TrimSpace(v)
	if n, err := strconv.Atoi(v); err == nil {
		if n >= 0 && n < len(Fonts) {
			return Fonts[n]
		}
		bad("font", v, fmt.Sprintf("a font number from 0 to %d, or a font family name", len(Fonts)-1))
		return ""
	}
	if len(v) <= maxFontName && isFontName(v) {
		return v
	}
	bad("font", v, fmt.Sprintf("a font number from 0 to %d, or a family name of letters, digits, spaces, - _ or .", len(Fonts)-1))
	return ""
}

// emoteScale reads emote_scale=; 0 (the default size) when out of range.
func emoteScale(v string, bad func(param, value, accepted string)) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || !(f >= MinEmoteScale && f <= MaxEmoteScale) {
		bad("emote_scale", v, fmt.Sprintf("a number from %g to %g; using 1", MinEmoteScale, MaxEmoteScale))
		return 0
	}
	return f
}

// keywords reads highlight=: a list of keywords, lower-cased.
func keywords(v string, bad func(param, value, accepted string)) []string {
	var out []string
	for _, k := range list(v) {
		if len([]rune(k)) > maxKeyword || len(out) == maxListItems {
			bad("highlight", k, fmt.Sprintf("at most %d keywords of at most %d characters; left out", maxListItems, maxKeyword))
			continue
		}
		out = append(out, strings.ToLower(k))
	}
	return out
}

func choice(get func(string) (string, bool), bad func(string, string, string), name, def string, options ...string) string {
	v, ok := get(name)
	if !ok {
		return def
	}
	if c := strings.ToLower(strings.TrimSpace(v)); slices.Contains(options, c) {
		return c
	}
	bad(name, v, "one of "+strings.Join(options, ", ")+"; using "+def)
	return def
}

// list splits a comma-separated value, dropping empty items.
func list(v string) []string {
	var out []string
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// names reads a comma-separated list of usernames (a leading @ allowed),
// lower case.
func names(get func(string) (string, bool), bad func(string, string, string), name string) []string {
	v, ok := get(name)
	if !ok {
		return nil
	}
	var out []string
	for _, n := range list(v) {
		n = strings.TrimPrefix(n, "@")
		if !validUsername(n) || len(out) == maxListItems {
			bad(name, n, fmt.Sprintf("comma-separated usernames, at most %d; left out", maxListItems))
			continue
		}
		out = append(out, strings.ToLower(n))
	}
	return out
}

// parseColour accepts hex colours with or without "#" (a "#" must be
// written %23 in a URL) and "transparent", and returns "#rrggbbaa".
func parseColour(v string) (string, bool) {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "transparent" {
		return "#00000000", true
	}
	if !isHexColour(v) {
		return "", false
	}
	h := strings.TrimPrefix(v, "#")
	if len(h) <= 4 {
		var b strings.Builder
		for _, c := range h {
			b.WriteRune(c)
			b.WriteRune(c)
		}
		h = b.String()
	}
	if len(h) == 6 {
		h += "ff"
	}
	return "#" + h, true
}

// FontPx is the font size in px the overlay asks for; 0 leaves it to the
// stylesheet.
func (o Overlay) FontPx() int {
	if o.FontSize > 0 {
		return o.FontSize
	}
	return SizeFontPx[o.Size]
}

// Attrs are the data attributes the root gets, as name, value pairs; a
// style sheet selects on them (README, Style hooks).
func (o Overlay) Attrs() [][2]string {
	a := [][2]string{{"data-theme", string(o.Theme)}, {"data-direction", o.Direction}, {"data-align", o.Align}}
	on := func(name string, b bool) {
		if b {
			a = append(a, [2]string{name, ""})
		}
	}
	if o.Stroke > 0 {
		a = append(a, [2]string{"data-stroke", strconv.Itoa(o.Stroke)})
	}
	if o.Shadow > 0 {
		a = append(a, [2]string{"data-shadow", strconv.Itoa(o.Shadow)})
	}
	on("data-animate", o.Animate)
	on("data-small-caps", o.SmallCaps)
	on("data-hide-badges", o.HideBadges)
	on("data-big-emotes", o.BigEmotes)
	on("data-timestamps", o.Timestamps)
	on("data-prevent-clipping", o.PreventClipping)
	on("data-background", o.Background != "")
	return a
}

// Props are the custom properties the root gets through CSSOM
// (style.setProperty, which a CSP without 'unsafe-inline' allows, unlike a
// style attribute), as name, value pairs. Every value is validated above.
func (o Overlay) Props() [][2]string {
	var p [][2]string
	if px := o.FontPx(); px > 0 {
		p = append(p, [2]string{"--glimchat-font-size", strconv.Itoa(px) + "px"})
	}
	if o.Font != "" {
		p = append(p, [2]string{"--glimchat-font", `"` + o.Font + `", var(--glimchat-font-fallback)`})
	}
	if o.EmoteScale > 0 {
		p = append(p, [2]string{"--glimchat-emote-scale", strconv.FormatFloat(o.EmoteScale, 'g', 4, 64)})
	}
	if o.Background != "" {
		p = append(p, [2]string{"--glimchat-msg-bg", o.Background})
	}
	return p
}

// values adds o's parameters that differ from the defaults to v, under
// their canonical names.
func (o Overlay) values(v url.Values) {
	set := func(name string, on bool) {
		if on {
			v.Set(name, "1")
		}
	}
	if o.Fade > 0 {
		v.Set("fade", strconv.Itoa(int(o.Fade/time.Second)))
	}
	if o.FontSize > 0 {
		v.Set("font_size", strconv.Itoa(o.FontSize))
	} else if o.Size > 0 {
		v.Set("size", strconv.Itoa(o.Size))
	}
	if o.Font != "" {
		if i := slices.Index(Fonts, o.Font); i >= 0 {
			v.Set("font", strconv.Itoa(i))
		} else {
			v.Set("font", o.Font)
		}
	}
	if o.Stroke > 0 {
		v.Set("stroke", strconv.Itoa(o.Stroke))
	}
	if o.Shadow > 0 {
		v.Set("shadow", strconv.Itoa(o.Shadow))
	}
	set("animate", o.Animate)
	set("small_caps", o.SmallCaps)
	set("bots", o.ShowBots)
	if extra := o.BotNames[min(len(DefaultBots), len(o.BotNames)):]; len(extra) > 0 {
		v.Set("bot_names", strings.Join(extra, ","))
	}
	set("hide_commands", o.HideCommands)
	set("hide_badges", o.HideBadges)
	if len(o.Block) > 0 {
		v.Set("block", strings.Join(o.Block, ","))
	}
	if o.Theme != Clear && o.Theme != "" {
		v.Set("theme", string(o.Theme))
	}
	set("prevent_clipping", o.PreventClipping)
	if o.EmoteScale > 0 && o.EmoteScale != 1 {
		v.Set("emote_scale", strconv.FormatFloat(o.EmoteScale, 'g', 4, 64))
	}
	set("big_emotes", o.BigEmotes)
	set("timestamps", o.Timestamps)
	if len(o.Highlight) > 0 {
		v.Set("highlight", strings.Join(o.Highlight, ","))
	}
	if !o.Mentions {
		v.Set("mentions", "0")
	}
	if o.Direction != "bottom" && o.Direction != "" {
		v.Set("direction", o.Direction)
	}
	if o.Align != "left" && o.Align != "" {
		v.Set("align", o.Align)
	}
	if o.Background != "" {
		v.Set("background", o.Background)
	}
	if o.Lang != "" {
		v.Set("lang", o.Lang)
	}
	o.eventValues(v)
}

// eventValues writes source_tag= and events= back.
func (o Overlay) eventValues(v url.Values) {
	if o.HideSourceTag {
		v.Set("source_tag", "0")
	}
	if o.EventsSet {
		var names []string
		for _, n := range eventNames {
			if o.Events.Has(n.e) {
				names = append(names, n.name)
			}
		}
		if len(names) == 0 {
			names = []string{"none"}
		}
		v.Set("events", strings.Join(names, ","))
	}
}
