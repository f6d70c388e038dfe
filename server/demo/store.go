package demo

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

type user struct {
	id          int
	username    string // as registered; lookups ignore case (citext)
	displayname string
	teamRole    string
	admin       bool
	founder     bool // platform founder subscriber
	supporter   bool // platform supporter subscriber
	avatarVer   int64
	inserted    time.Time
}

type emote struct {
	code     string // ":glimsmile:"
	file     string // "glimsmile.svg"
	animated bool
}

type channel struct {
	id                int
	streamer          *user
	title             string
	live              bool
	language          string
	rulesMd           string
	disableHyperlinks bool
	blockLinks        bool
	inserted          time.Time

	moderators  map[int]bool
	subscribers map[int]bool
	bans        map[int]time.Time // zero time: permanent
	emotes      []emote           // channel emotes, usable in this channel only

	messages []*message // the newest maxHistory, id order; guarded by store.mu
	dropped  int        // how many older ones were let go: messages[0]'s offset
}

type token struct{ Type, Text, URL, Src string }

type metadata struct {
	admin, streamer, moderator, subscriber, founder, supporter bool
}

// message is immutable once stored, so resolvers read it without locks.
type message struct {
	id       int
	channel  *channel
	user     *user
	text     string
	tokens   []token
	meta     *metadata // nil for history from before the metadata column
	inserted time.Time
}

// chatError is a refusal the real server reports as a GraphQL error message.
type chatError string

func (e chatError) Error() string { return string(e) }

// errMissing is a lookup the real resolver does with a bang function
// (get_channel!): it raises instead of returning a GraphQL error.
var errMissing = errors.New("no such record")

type store struct {
	mu       sync.RWMutex
	users    []*user
	channels []*channel
	global   []emote
	nextID   int
}

func (s *store) userByName(name string) *user {
	for _, u := range s.users {
		if strings.EqualFold(u.username, name) {
			return u
		}
	}
	return nil
}

func (s *store) userByID(id int) *user {
	for _, u := range s.users {
		if u.id == id {
			return u
		}
	}
	return nil
}

func (s *store) channelByID(id int) *channel {
	for _, c := range s.channels {
		if c.id == id {
			return c
		}
	}
	return nil
}

func (s *store) channelOf(u *user) *channel {
	for _, c := range s.channels {
		if c.streamer == u {
			return c
		}
	}
	return nil
}

// channelByIDString parses an ID argument the way Ecto casts it.
func (s *store) channelByIDString(id string) (*channel, error) {
	n, err := strconv.Atoi(id)
	if err != nil {
		return nil, fmt.Errorf("cast channel id %q: %w", id, errMissing)
	}
	c := s.channelByID(n)
	if c == nil {
		return nil, fmt.Errorf("channel %d: %w", n, errMissing)
	}
	return c, nil
}

// parserConfigFor is Glimesh.Chat.get_chat_parser_config: global animated
// emotes only for platform subscribers, the channel's own emotes for all.
func (s *store) parserConfigFor(c *channel, u *user) parserConfig {
	em := make(map[string]string)
	for _, e := range s.global {
		if !e.animated || u.founder || u.supporter {
			em[e.code] = "/uploads/emotes/" + e.file
		}
	}
	for _, e := range c.emotes {
		em[e.code] = "/uploads/emotes/" + e.file
	}
	return parserConfig{allowLinks: !c.disableHyperlinks, emotes: em}
}

// create runs Glimesh.Chat.create_chat_message: channel ban, link policy,
// changeset (1..255 characters; and, unlike the real one, at most
// maxMessageBytes), tokenize, insert. Publishing is the caller's job,
// outside the lock.
func (s *store) create(c *channel, u *user, text *string, now time.Time) (*message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if until, banned := c.bans[u.id]; banned {
		if until.IsZero() {
			return nil, chatError("You are permanently banned from this channel.")
		}
		if left := until.Sub(now); left > 0 {
			minutes := int(math.Ceil(left.Seconds() / 60))
			return nil, chatError(fmt.Sprintf("You are banned from this channel for %d more minutes.", minutes))
		}
	}
	if text != nil && c.blockLinks && strings.Contains(*text, "http") && strings.Contains(*text, "://") {
		return nil, chatError("This channel has links disabled!")
	}
	// Ecto casts "" to nil and validate_required treats blank strings as
	// missing.
	if text == nil || strings.TrimSpace(*text) == "" {
		return nil, chatError("message: can't be blank")
	}
	if graphemeLen(*text) > 255 {
		return nil, chatError("message: should be at most 255 character(s)")
	}
	if len(*text) > maxMessageBytes {
		// Ecto's validate_length wording for count: :bytes.
		return nil, chatError(fmt.Sprintf("message: should be at most %d byte(s)", maxMessageBytes))
	}
	m := &message{
		channel: c,
		user:    u,
		text:    *text,
		tokens:  tokenize(*text, s.parserConfigFor(c, u)),
		meta: &metadata{
			admin:      u.admin,
			streamer:   c.streamer == u,
			moderator:  c.moderators[u.id],
			subscriber: c.subscribers[u.id],
			founder:    u.founder,
			supporter:  u.supporter,
		},
		inserted: now.UTC().Truncate(time.Second),
	}
	s.insertLocked(m)
	return m, nil
}

func (s *store) insertLocked(m *message) {
	s.nextID++
	m.id = s.nextID
	c := m.channel
	if len(c.messages) == maxHistory {
		if len(c.messages) == cap(c.messages) {
			// A fresh array, so that the old one and the messages dropped
			// from its front can be collected. Every historySlack inserts
			// copy maxHistory pointers once.
			fresh := make([]*message, maxHistory-1, maxHistory+historySlack)
			copy(fresh, c.messages[1:])
			c.messages = fresh
		} else {
			// Readers hold slices capped at their length, so appending
			// past the end of this one never touches what they see.
			c.messages = c.messages[1:]
		}
		c.dropped++
	}
	c.messages = append(c.messages, m)
}

// historySlack is how many dropped messages the array behind a full
// history may still pin before it is copied.
const historySlack = maxHistory / 4

// historyOf returns the channel's messages at this instant (id order) and
// the offset of the first one among all it ever had.
func (s *store) historyOf(c *channel) ([]*message, int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return c.messages[:len(c.messages):len(c.messages)], c.dropped
}

// messagesOf returns the messages historyOf does.
func (s *store) messagesOf(c *channel) []*message {
	msgs, _ := s.historyOf(c)
	return msgs
}
