package config

import (
	"fmt"
	"net/url"
	"strings"
)

// MaxChannels bounds channel=: more lines than a screen can follow, and
// as many reads of every instance.
const MaxChannels = 8

// ChatSource is one channel the chat reads: by its streamer's username, on an
// instance, with that instance's client id.
type ChatSource struct {
	Channel  string
	Instance *url.URL
	ClientID string // "" on the page's instance without client_id (a sign-in reads)
}

// Other reports whether s is on another instance than primary.
func (s ChatSource) Other(primary *url.URL) bool {
	return s.Instance != nil && (primary == nil || s.Instance.String() != primary.String())
}

// Sources is every channel the chat reads, Channel on Instance first.
func (c Config) Sources() []ChatSource {
	if c.Channel == "" || c.Instance == nil {
		return nil
	}
	return append([]ChatSource{{Channel: c.Channel, Instance: c.Instance, ClientID: c.ClientID}}, c.More...)
}

// channels reads channel= and client_id=. channel= is a comma-separated
// list of usernames, the first on the page's instance (instance=); any
// other may be name@<instance URL>, on that instance. client_id= is the
// page's instance's client id, then, comma-separated, <instance URL>=<id>
// for each other instance.
func (r *reader) channels(c *Config) {
	ids := r.clientIDs(c)
	v, ok := r.get("channel")
	if !ok {
		r.errs = append(r.errs, &ParamError{Param: "channel", Accepted: "missing: add channel=<streamer username>"})
		return
	}
	entries := list(v)
	if len(entries) == 0 {
		r.bad("channel", v, fmt.Sprintf("a Glimesh username: 1 to %d letters, digits, _ . or -", maxUsername))
	}
	seen := map[string]bool{}
	for i, entry := range entries {
		if len(seen) == MaxChannels {
			r.bad("channel", entry, fmt.Sprintf("at most %d channels; left out", MaxChannels))
			continue
		}
		name, at, hasAt := strings.Cut(entry, "@")
		s := ChatSource{Channel: name, Instance: c.Instance, ClientID: c.ClientID}
		if !validUsername(name) {
			r.bad("channel", entry, fmt.Sprintf("a Glimesh username: 1 to %d letters, digits, _ . or -, "+
				"then for a channel on another instance @ and its URL (bob@https://other.example)", maxUsername))
			continue
		}
		if hasAt {
			inst, err := parseInstance(at)
			if err != nil {
				r.bad("channel", entry, err.Error()+"; left out")
				continue
			}
			if s.Other(inst) {
				s.Instance, s.ClientID = inst, ids[inst.String()]
			}
		}
		if i == 0 && hasAt && s.Other(c.Instance) {
			r.bad("channel", entry, "the first channel is on the page's instance (instance=); name others on other instances after it")
			continue
		}
		if s.Instance != nil && s.Other(c.Instance) && s.ClientID == "" {
			r.bad("channel", entry, fmt.Sprintf("no client id for %s: add client_id=…,%s=<its client id>; left out", s.Instance, s.Instance))
			continue
		}
		key := strings.ToLower(s.Channel) + "@" + fmt.Sprint(s.Instance)
		if seen[key] {
			r.bad("channel", entry, "given twice; shown once")
			continue
		}
		seen[key] = true
		if i == 0 {
			c.Channel = s.Channel
		} else {
			c.More = append(c.More, s)
		}
	}
}

// clientIDs reads client_id=: the page instance's id, and the ids of the
// other instances by their URL.
func (r *reader) clientIDs(c *Config) map[string]string {
	ids := map[string]string{}
	v, ok := r.get("client_id")
	if !ok {
		return ids
	}
	accepted := fmt.Sprintf("a client id: 1 to %d letters, digits, - _ or ., then for other instances <instance URL>=<client id>", maxClientID)
	entries := list(v)
	if len(entries) == 0 {
		r.bad("client_id", v, accepted)
	}
	for i, entry := range entries {
		at, id, other := cutLast(entry, "=")
		if !other {
			if i > 0 || !validClientID(entry) {
				r.bad("client_id", entry, accepted)
				continue
			}
			c.ClientID = entry
			continue
		}
		inst, err := parseInstance(at)
		if err != nil || !validClientID(id) {
			r.bad("client_id", entry, accepted)
			continue
		}
		ids[inst.String()] = id
	}
	return ids
}

// cutLast is strings.Cut at the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// channelValues writes channel= and client_id= back, as channels reads them.
func (c Config) channelValues(v url.Values) {
	names := []string{c.Channel}
	ids := []string{}
	if c.ClientID != "" {
		ids = append(ids, c.ClientID)
	}
	given := map[string]bool{}
	for _, s := range c.More {
		if !s.Other(c.Instance) {
			names = append(names, s.Channel)
			continue
		}
		names = append(names, s.Channel+"@"+s.Instance.String())
		if !given[s.Instance.String()] {
			given[s.Instance.String()] = true
			ids = append(ids, s.Instance.String()+"="+s.ClientID)
		}
	}
	if c.Channel != "" {
		v.Set("channel", strings.Join(names, ","))
	}
	if len(ids) > 0 {
		v.Set("client_id", strings.Join(ids, ","))
	}
}
