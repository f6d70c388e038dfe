package config

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Source is the overlay a pasted URL came from.
type Source string

const (
	FromGlimchat Source = "glimchat"
	FromJChat    Source = "jChat"
	FromKapChat  Source = "KapChat"
	FromChatIS   Source = "ChatIS"
)

// kapThemes maps KapChat's themes to the nearest of ours.
var kapThemes = map[string]Theme{"dark": Dark, "light": Light, "bttv_dark": Dark, "bttv_light": Light,
	"s0n0s_1080": Bubbles, "s0n0s_1440": Bubbles}

// twitchOnly are jChat and ChatIS parameters for Twitch or third-party
// services that Glimesh has no counterpart for.
var twitchOnly = []string{"hide_special_badges", "show_homies", "show_7tv_unlisted", "markdown", "md_image",
	"last_emote_background", "hide_paints", "show_redeems", "yt", "gigantify", "link_urls", "style",
	"nl_after_name", "hide_names", "reverse_line_order", "horizontal", "single_chatter", "weight", "center",
	"hide_colon", "height", "allow", "pronouns"}

// Import converts a URL of another overlay (jChat, KapChat, ChatIS, or a
// glimchat URL) to glimchat parameters: the nearest settings, and a note
// for everything that could not be carried over. page is the glimchat
// page's URL, as for Parse.
func Import(raw, page string) (url.Values, Source, []string) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || !strings.Contains(raw, "?") && u.Scheme == "" {
		// A bare query string ("channel=x&fade=30").
		u = &url.URL{RawQuery: strings.TrimPrefix(raw, "?")}
	}
	src := detect(u)
	in, _ := url.ParseQuery(u.RawQuery)
	var notes []string
	out := url.Values{}
	for name, vals := range in {
		if len(vals) > 0 {
			out.Set(name, vals[0])
		}
	}
	if src != FromGlimchat {
		if ch := out.Get("channel"); ch != "" {
			notes = append(notes, fmt.Sprintf("channel=%s was a Twitch name: check that it is the streamer's Glimesh username.", shorten(ch)))
		}
		for _, name := range twitchOnly {
			if out.Has(name) {
				notes = append(notes, name+" has no Glimesh counterpart and was left out.")
				out.Del(name)
			}
		}
	}
	switch src {
	case FromKapChat:
		// bot_activity=true shows bots and !commands; without it KapChat
		// hides both.
		if on, ok := parseBool(out.Get("bot_activity")); !out.Has("bot_activity") || ok && !on {
			out.Set("hide_commands", "1")
		}
		if t := strings.ToLower(out.Get("theme")); t != "" {
			if mapped, ok := kapThemes[t]; ok {
				out.Set("theme", string(mapped))
				if string(mapped) != t {
					notes = append(notes, fmt.Sprintf("theme=%s became theme=%s, the nearest glimchat theme.", t, mapped))
				}
			}
		}
	case FromJChat, FromChatIS:
		// jChat hides bots and shows commands, as glimchat does.
	}
	if (src == FromJChat || src == FromKapChat) && !out.Has("events") {
		notes = append(notes, string(src)+" shows no stream events; glimchat shows new followers (events=follows): "+
			"choose events=none, or add live and title.")
	}
	c, errs := Parse(out.Encode(), page)
	for _, e := range errs {
		var pe *ParamError
		if asParam(e, &pe) && (pe.Param == "channel" && !out.Has("channel") || pe.Param == "instance" && !out.Has("instance")) {
			continue // the generator asks for those itself
		}
		notes = append(notes, e.Error())
	}
	return c.Values(page), src, notes
}

func asParam(err error, pe **ParamError) bool {
	p, ok := err.(*ParamError)
	*pe = p
	return ok
}

// detect names the overlay a URL belongs to, by host and path, else by the
// parameters only that overlay uses.
func detect(u *url.URL) Source {
	host, path := strings.ToLower(u.Hostname()), strings.ToLower(u.Path)
	q := u.Query()
	switch {
	case strings.Contains(host, "nightdev") || strings.Contains(path, "obschat") ||
		q.Has("bot_activity") || q.Has("prevent_clipping") && !q.Has("size"):
		return FromKapChat
	case strings.Contains(host, "chatis") || q.Has("fontCustom") || q.Has("emoteScale") || q.Has("botNames"):
		return FromChatIS
	case strings.Contains(strings.ToLower(u.String()), "jchat") || q.Has("size") && q.Has("font") && !q.Has("client_id"):
		return FromJChat
	}
	if slices.ContainsFunc(twitchOnly, q.Has) {
		return FromChatIS
	}
	return FromGlimchat
}
