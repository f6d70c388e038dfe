// Package config reads the widget's settings from the page URL. Every
// parameter is optional or has a default: a bad value is reported by name,
// with what is accepted, and the default is used, so the widget always
// starts. Tokens are never read from the URL.
package config

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/glimchat/glimchat/wasm/feed"
	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/phoenix"
)

// Transport is how the widget talks to the instance.
type Transport string

const (
	// Auto: fetch when the instance is the page's origin, else the socket.
	Auto Transport = "auto"
	// Socket: everything over the Phoenix websocket (works cross-origin).
	Socket Transport = "socket"
	// Fetch: GraphQL over HTTP POST (same origin or a CORS-enabled proxy).
	Fetch Transport = "fetch"
	// Poll: periodic history queries, no live socket.
	Poll Transport = "poll"
)

// Defaults and bounds of the parameters. Limits that belong to another
// package's rules (the API's history cap, the feed's size, the socket's
// heartbeat) are that package's constants.
const (
	DefaultHistory = 50
	MaxHistory     = glimesh.MaxHistory
	DefaultLimit   = 100
	MaxLimit       = feed.MaxLimit
	DefaultPoll    = 10 * time.Second
	MinPoll        = 2 * time.Second
	MaxPoll        = 300 * time.Second
	// The heartbeat is how fast a dead link that never closed (a stalled
	// proxy, a suspended NAT entry) is noticed: within one interval plus
	// the reply deadline (phoenix.DefaultHeartbeatTimeout, 10 s).
	DefaultHeartbeat = phoenix.DefaultHeartbeatInterval
	MinHeartbeat     = 5 * time.Second
	MaxHeartbeat     = 60 * time.Second
	// Moderation is read every ModPoll: that is how long a removed message
	// may stay on screen. 0 turns reading it off.
	DefaultModPoll = 5 * time.Second
	MaxModPoll     = 300 * time.Second
	// Hold holds every message back before it shows, so that one removed
	// meanwhile never shows; off by default.
	MaxHold     = 60 * time.Second
	maxClientID = 128
	maxUsername = 50
	maxShown    = 40 // how much of a bad value a warning repeats
)

// Config is the parsed URL.
type Config struct {
	// Instance is the instance's base URL, validated here once for every
	// package that uses it: absolute http(s), a host, no user info, query
	// or fragment, and no trailing slash. nil when none is usable.
	Instance  *url.URL
	Channel   string // streamer username; "" when missing (the page says so)
	ClientID  string
	More      []ChatSource  // channels beyond Channel (channel=a,b,c@https://other.example)
	History   int           // recent messages to load, 0..MaxHistory
	Limit     int           // most messages on screen, 1..MaxLimit
	Transport Transport     // auto, socket, fetch or poll
	Avatars   bool          // show avatars
	Poll      time.Duration // interval for Transport Poll
	Heartbeat time.Duration // socket heartbeat interval
	ModPoll   time.Duration // between reads of the moderation logs; 0 = off
	Hold      time.Duration // how long a message is held back; 0 = off
	Overlay   Overlay       // look and filters (overlay.go)
	// RedirectURI is the embed's OAuth callback page: on the page's own
	// origin, since the callback hands the code to its opener by
	// postMessage aimed at that origin. "" = <page origin>/oauth-callback.html.
	RedirectURI string
	// Remember keeps the embed's sign-in in sessionStorage, so a reload
	// stays signed in; off keeps it in memory only.
	Remember bool
}

// ParamError reports one unusable parameter. Value is what was given
// (shortened, never for tokens); Accepted says what would have worked.
type ParamError struct {
	Param    string
	Value    string
	Accepted string
}

func (e *ParamError) Error() string {
	if e.Value == "" {
		return e.Param + ": " + e.Accepted
	}
	return fmt.Sprintf("%s=%q is not valid: %s", e.Param, e.Value, e.Accepted)
}

// aliases maps parameter names other chat overlays use to ours.
// Keys are lower case: an alias matches whatever its case.
var aliases = map[string]string{
	"max":          "limit", // "most messages kept"
	"clientid":     "client_id",
	"client-id":    "client_id",
	"fontsize":     "font_size",   // ChatIS-style camel case
	"fontcustom":   "font",        // ChatIS
	"bot_activity": "bots",        // KapChat: true shows bots
	"botnames":     "bot_names",   // ChatIS
	"hidefrom":     "block",       // Social Stream Ninja
	"ignored":      "block",       // multistream.tools
	"emotescale":   "emote_scale", // ChatIS
	"smallcaps":    "small_caps",
}

// Parse reads rawQuery (location.search, with or without the leading "?")
// against the page at pageURL, whose origin is the default instance. It
// returns a usable Config and one error per problem.
func Parse(rawQuery, pageURL string) (Config, []error) {
	c := Config{History: DefaultHistory, Limit: DefaultLimit, Transport: Auto, Poll: DefaultPoll, Heartbeat: DefaultHeartbeat,
		ModPoll: DefaultModPoll}
	r := readQuery(rawQuery)
	origin := r.source(&c, pageURL)
	r.timing(&c)
	if v, ok := r.get("avatars"); ok {
		if on, valid := parseBool(v); valid {
			c.Avatars = on
		} else {
			r.bad("avatars", v, boolAccepted+"; using no avatars")
		}
	}
	c.Overlay = parseOverlay(r.get, r.bad)
	r.signIn(&c, origin)
	r.unknown()
	return c, r.errs
}

// reader is one read of the URL parameters: what they hold under their
// canonical names, which were asked for, and what was wrong.
type reader struct {
	params map[string][]string
	used   map[string]bool
	errs   []error
}

// readQuery sorts the parameters out. Canonical names win over aliases,
// and of two aliases the first in byte order, so that the result never
// depends on map order; tokens are refused whatever case.
func readQuery(rawQuery string) *reader {
	r := &reader{params: map[string][]string{}, used: map[string]bool{}}
	q, perr := url.ParseQuery(strings.TrimPrefix(rawQuery, "?"))
	if perr != nil {
		r.errs = append(r.errs, &ParamError{Param: "query", Accepted: "part of the URL parameters could not be read (bad % escape or ';'); the rest was used"})
	}
	for _, name := range slices.Sorted(maps.Keys(q)) {
		vals := q[name]
		lower := strings.ToLower(name)
		if lower == "token" || lower == "access_token" {
			r.errs = append(r.errs, &ParamError{Param: name,
				Accepted: "tokens are not accepted in URLs (they end up in logs and history); sign in from the embed page instead"})
			continue
		}
		if canon, ok := aliases[lower]; ok {
			if _, set := r.params[canon]; set || q.Has(canon) {
				continue
			}
			name = canon
		}
		r.params[name] = vals
	}
	return r
}

// get is the first value of a parameter, which is then used.
func (r *reader) get(name string) (string, bool) {
	r.used[name] = true
	vals, ok := r.params[name]
	if !ok {
		return "", false
	}
	if len(vals) > 1 {
		r.errs = append(r.errs, &ParamError{Param: name, Accepted: "given more than once; the first value is used"})
	}
	return vals[0], true
}

// bad records a value that was not used, and what would have been.
func (r *reader) bad(param, value, accepted string) {
	r.errs = append(r.errs, &ParamError{Param: param, Value: shorten(value), Accepted: accepted})
}

// source reads where the chat comes from: instance, channel, client_id.
// It returns the page's origin, nil when it has none.
func (r *reader) source(c *Config, pageURL string) *url.URL {
	origin, originErr := pageOrigin(pageURL)
	c.Instance = origin
	if v, ok := r.get("instance"); ok {
		if inst, err := parseInstance(v); err != nil {
			using := "no instance"
			if origin != nil {
				using = origin.String()
			}
			r.bad("instance", v, err.Error()+"; using "+using)
		} else {
			c.Instance = inst
		}
	} else if originErr != nil {
		r.errs = append(r.errs, &ParamError{Param: "instance", Accepted: "missing, and the page is not served over http(s): give instance=https://…"})
	}

	r.channels(c)
	return origin
}

// timing reads how much is read, how often, and by which transport.
func (r *reader) timing(c *Config) {
	if v, ok := r.get("history"); ok {
		c.History = intParam(v, 0, MaxHistory, DefaultHistory, "history", r.bad)
	}
	if v, ok := r.get("limit"); ok {
		c.Limit = intParam(v, 1, MaxLimit, DefaultLimit, "limit", r.bad)
	}
	if v, ok := r.get("poll"); ok {
		c.Poll = seconds(v, MinPoll, MaxPoll, DefaultPoll, "poll", r.bad)
	}
	if v, ok := r.get("heartbeat"); ok {
		c.Heartbeat = seconds(v, MinHeartbeat, MaxHeartbeat, DefaultHeartbeat, "heartbeat", r.bad)
	}
	if v, ok := r.get("mod_poll"); ok {
		c.ModPoll = seconds(v, 0, MaxModPoll, DefaultModPoll, "mod_poll", r.bad)
	}
	if v, ok := r.get("hold"); ok {
		c.Hold = seconds(v, 0, MaxHold, 0, "hold", r.bad)
	}
	if v, ok := r.get("transport"); ok {
		switch t := Transport(strings.ToLower(strings.TrimSpace(v))); t {
		case Auto, Socket, Fetch, Poll:
			c.Transport = t
		default:
			r.bad("transport", v, "one of auto, socket, fetch, poll; using auto")
		}
	}
}

// signIn reads the embed page's sign-in: its callback page and whether
// the sign-in outlives a reload.
func (r *reader) signIn(c *Config, origin *url.URL) {
	if v, ok := r.get("redirect_uri"); ok {
		if u, err := url.Parse(strings.TrimSpace(v)); err != nil || origin == nil || u.Scheme != origin.Scheme ||
			u.Host != origin.Host || u.User != nil || u.Fragment != "" || u.Path == "" {
			r.bad("redirect_uri", v, "the callback page's URL on this page's own origin, like "+
				"https://chat.example/oauth-callback.html; using the default")
		} else {
			c.RedirectURI = u.String()
		}
	}
	if v, ok := r.get("remember"); ok {
		if on, valid := parseBool(v); valid {
			c.Remember = on
		} else {
			r.bad("remember", v, boolAccepted+"; the sign-in is kept in memory only")
		}
	}
}

// unknown names whatever no one asked for: a typo or another overlay's
// parameter, so that it is not silently without effect.
func (r *reader) unknown() {
	for _, name := range slices.Sorted(maps.Keys(r.params)) {
		if !r.used[name] {
			r.errs = append(r.errs, &ParamError{Param: name, Accepted: "unknown parameter, ignored"})
		}
	}
}

// Values are c's parameters that differ from the defaults (the instance
// too, unless it is pageURL's origin), under their canonical names:
// Parse(c.Values(pageURL).Encode(), pageURL) gives c back.
func (c Config) Values(pageURL string) url.Values {
	v := url.Values{}
	c.channelValues(v)
	if origin, _ := pageOrigin(pageURL); c.Instance != nil && (origin == nil || c.Instance.String() != origin.String()) {
		v.Set("instance", c.Instance.String())
	}
	num := func(name string, n, def int) {
		if n != def {
			v.Set(name, strconv.Itoa(n))
		}
	}
	num("history", c.History, DefaultHistory)
	num("limit", c.Limit, DefaultLimit)
	if c.Transport != Auto && c.Transport != "" {
		v.Set("transport", string(c.Transport))
	}
	if c.Avatars {
		v.Set("avatars", "1")
	}
	num("poll", int(c.Poll/time.Second), int(DefaultPoll/time.Second))
	num("heartbeat", int(c.Heartbeat/time.Second), int(DefaultHeartbeat/time.Second))
	num("mod_poll", int(c.ModPoll/time.Second), int(DefaultModPoll/time.Second))
	num("hold", int(c.Hold/time.Second), 0)
	c.Overlay.values(v)
	if c.RedirectURI != "" {
		v.Set("redirect_uri", c.RedirectURI)
	}
	if c.Remember {
		v.Set("remember", "1")
	}
	return v
}

// intParam parses a whole number in [lo, hi], reporting and defaulting
// anything else.
func intParam(v string, lo, hi, def int, name string, bad func(string, string, string)) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < lo || n > hi {
		bad(name, v, fmt.Sprintf("a whole number from %d to %d; using %d", lo, hi, def))
		return def
	}
	return n
}

// seconds parses a whole number of seconds in [lo, hi] like intParam.
func seconds(v string, lo, hi, def time.Duration, name string, bad func(string, string, string)) time.Duration {
	return time.Duration(intParam(v, int(lo/time.Second), int(hi/time.Second), int(def/time.Second), name, bad)) * time.Second
}

// parseInstance accepts an absolute http(s) URL without credentials, query
// or fragment, and returns it without a trailing slash.
func parseInstance(v string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(v))
	switch {
	case err != nil:
		return nil, fmt.Errorf("an http(s) URL like https://glimesh.example")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("only http and https instances are supported")
	case u.Opaque != "":
		return nil, fmt.Errorf("an http(s) URL like https://glimesh.example")
	case u.Host == "":
		return nil, fmt.Errorf("the URL needs a host")
	case u.User != nil:
		return nil, fmt.Errorf("user names or passwords are not allowed in the instance URL")
	case u.RawQuery != "" || u.ForceQuery:
		return nil, fmt.Errorf("the instance URL must not have a query (?…)")
	case u.Fragment != "" || strings.Contains(v, "#"):
		return nil, fmt.Errorf("the instance URL must not have a fragment (#…)")
	}
	// Re-parse the trimmed form so Path and RawPath agree.
	return url.Parse(strings.TrimRight(u.String(), "/"))
}

// pageOrigin returns scheme://host[:port] of an http(s) page.
func pageOrigin(page string) (*url.URL, error) {
	u, err := url.Parse(page)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("page %q has no http(s) origin", page)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

func validUsername(s string) bool {
	if len(s) == 0 || len(s) > maxUsername {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// validClientID keeps the id safe inside an Authorization header and a
// websocket query parameter. UUIDs, old 64-hex ids and names like
// "glimchat-demo" pass.
func validClientID(s string) bool {
	if len(s) == 0 || len(s) > maxClientID {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// shorten keeps warnings readable when a value is huge.
func shorten(v string) string {
	r := []rune(v)
	if len(r) <= maxShown {
		return v
	}
	return string(r[:maxShown]) + "…"
}

// TokenKey is the sessionStorage key under which the embed page keeps a
// viewer's access token for instance: one key per instance origin, so a
// token is only ever sent to the instance that issued it, whatever
// instance= names later.
func TokenKey(instance *url.URL) string {
	return "glimchat.token " + strings.ToLower(instance.Scheme+"://"+instance.Host)
}
