package demo

import (
	"errors"
	"fmt"
	"sort"
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
	fan         bool // a simulated follower: no token of its own
}

type emote struct {
	code     string // ":glimsmile:"
	file     string // "glimsmile.svg"
	animated bool
}

type channel struct {
	id                int
	streamer          *user
	language          string
	rulesMd           string
	disableHyperlinks bool
	blockLinks        bool
	inserted          time.Time

	moderators  []*moderator // fixed at start: no mutation adds one
	subscribers map[int]bool
	emotes      []emote // channel emotes, usable in this channel only

	// Guarded by store.mu.
	messages table[*message]
	bans     table[*ban] // timeouts and bans, expired ones too, as on the real server
	modLogs  table[*modLog]
	title    *string   // update_channel sets it; a blank title is cast to nil
	live     bool      // start_stream and end_stream set it
	updated  time.Time // updated_at: moved by any change to the row
}

// channelSnap is a channel with its changing fields as they were at one
// instant: what a query reads, and what a channel push carries (Absinthe
// pushes the struct that was broadcast).
type channelSnap struct {
	c       *channel
	title   *string
	live    bool
	updated time.Time
}

func (s *store) snap(c *channel) channelSnap {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return c.snapLocked()
}

func (c *channel) snapLocked() channelSnap {
	return channelSnap{c: c, title: c.title, live: c.live, updated: c.updated}
}

// table is one of a channel's tables: its newest maxHistory rows in id
// order, and how many older ones were let go (the offset of rows[0] among
// all the channel ever had). Readers hold slices capped at their length,
// so rows are only appended past them or copied into a fresh array, never
// overwritten in place.
type table[T any] struct {
	rows    []T
	dropped int
}

func (t *table[T]) appendLocked(v T) {
	if len(t.rows) == maxHistory {
		if len(t.rows) == cap(t.rows) {
			// A fresh array, so that the old one and the rows dropped from
			// its front can be collected. Every historySlack appends copy
			// maxHistory pointers once.
			fresh := make([]T, maxHistory-1, maxHistory+historySlack)
			copy(fresh, t.rows[1:])
			t.rows = fresh
		} else {
			t.rows = t.rows[1:]
		}
		t.dropped++
	}
	t.rows = append(t.rows, v)
}

// removeLocked deletes row i (Repo.delete!): later rows' offsets shift
// down by one, as in the real table.
func (t *table[T]) removeLocked(i int) {
	fresh := make([]T, 0, len(t.rows)-1)
	t.rows = append(append(fresh, t.rows[:i]...), t.rows[i+1:]...)
}

// snapshot returns the table at this instant and the offset of its first row.
func snapshot[T any](s *store, t *table[T]) ([]T, int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return t.rows[:len(t.rows):len(t.rows)], t.dropped
}

// historySlack is how many dropped rows the array behind a full table may
// still pin before it is copied.
const historySlack = maxHistory / 4

// row is what every row of a channel's moderation tables has. Rows never
// change once stored, so updatedAt is insertedAt.
type row struct {
	id       int
	channel  *channel
	user     *user // whom it is about
	inserted time.Time
}

// ban is a channel_bans row: a timeout, or with a zero expires a ban.
type ban struct {
	row
	expires time.Time
}

type modLog struct {
	row
	moderator *user
	action    string
}

// perm is a set of a channel moderator's can* flags.
type perm uint8

const (
	canShortTimeout perm = 1 << iota
	canLongTimeout
	canUnTimeout // granted on the real server, but no mutation uses it
	canBan
	canUnban
	canDelete
	canAll = canShortTimeout | canLongTimeout | canUnTimeout | canBan | canUnban | canDelete
)

type moderator struct {
	row
	can perm
}

func (c *channel) moderatorOf(u *user) *moderator {
	return find(c.moderators, func(m *moderator) bool { return m.user == u })
}

// activeBanLocked is Chat.is_banned_until: the user's one ban that has not
// expired, or nil. The real query is a Repo.one, which raises when it
// finds two rows, as after a second timeout or a ban during a timeout.
func (c *channel) activeBanLocked(u *user, now time.Time) (*ban, error) {
	var found *ban
	for _, b := range c.bans.rows {
		if b.user != u || (!b.expires.IsZero() && !b.expires.After(now)) {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("is_banned_until(%s): Ecto.MultipleResultsError: %w", u.username, errRaised)
		}
		found = b
	}
	return found, nil
}

type token struct{ Type, Text, URL, Src string }

type metadata struct {
	admin, streamer, moderator, subscriber, founder, supporter bool
}

// message is a chat_messages row. What was posted never changes, so
// resolvers read it without locks; visible and updated change with
// moderation.
type message struct {
	id       int
	channel  *channel
	user     *user
	text     string
	tokens   []token
	meta     *metadata // nil for history from before the metadata column
	inserted time.Time
	followed bool // is_followed_message: posted by follow, " just followed the stream!"

	// Guarded by store.mu.
	visible bool      // is_visible: not in the schema, but a delete moves updated
	updated time.Time // updated_at: insertedAt until a delete (api.md §3)
}

// updatedAt is the message's updated_at now.
func (s *store) updatedAt(m *message) time.Time {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return m.updated
}

// dbTime is how a timestamp comes back from a :naive_datetime column.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

// chatError is a refusal the real server reports as a GraphQL error message.
type chatError string

func (e chatError) Error() string { return string(e) }

// errRaised is an exception in a real resolver: Absinthe does not catch
// it, so HTTP answers 500 and the socket's control channel crashes.
var errRaised = errors.New("resolver raised")

// errMissing is a lookup the real resolver does with a bang function
// (get_channel!): Ecto.NoResultsError, which HTTP answers 404.
var errMissing = fmt.Errorf("no such record: %w", errRaised)

type store struct {
	mu         sync.RWMutex
	users      []*user
	channels   []*channel
	global     []emote
	nextID     int // chat_messages ids
	nextBan    int // channel_bans ids
	nextLog    int // channel_moderation_log ids
	nextFollow int // followers ids

	// Guarded by mu.
	follows map[followKey]*follower // the followers table, unique on (streamer_id, user_id)
	// followMsgs is when each user's newest follow message went to each
	// streamer's channel: the index Chat.get_follow_chat_message_for_user
	// reads, kept apart from the bounded history so that the 6-hour rule
	// holds however much chat came since.
	followMsgs map[followKey]time.Time
}

// find returns the first element of list that match accepts, or the zero
// value.
func find[T any](list []T, match func(T) bool) T {
	for _, v := range list {
		if match(v) {
			return v
		}
	}
	var zero T
	return zero
}

func (s *store) userByName(name string) *user {
	return find(s.users, func(u *user) bool { return strings.EqualFold(u.username, name) })
}

func (s *store) userByID(id int) *user {
	return find(s.users, func(u *user) bool { return u.id == id })
}

func (s *store) channelByID(id int) *channel {
	return find(s.channels, func(c *channel) bool { return c.id == id })
}

func (s *store) channelOf(u *user) *channel {
	return find(s.channels, func(c *channel) bool { return c.streamer == u })
}

// byIDString is a bang lookup (get_channel!, get_user!) of an ID argument,
// parsed the way Ecto casts it.
func byIDString[T any](kind, id string, find func(int) *T) (*T, error) {
	n, err := strconv.Atoi(id)
	if err != nil {
		return nil, fmt.Errorf("cast %s id %q: %w", kind, id, errMissing)
	}
	v := find(n)
	if v == nil {
		return nil, fmt.Errorf("%s %d: %w", kind, n, errMissing)
	}
	return v, nil
}

func (s *store) channelByIDString(id string) (*channel, error) {
	return byIDString("channel", id, s.channelByID)
}

func (s *store) userByIDString(id string) (*user, error) {
	return byIDString("user", id, s.userByID)
}

// messageByIDString is get_chat_message!, over every channel: the demo
// no longer has messages its bounded history let go.
func (s *store) messageByIDString(id string) (*message, error) {
	return byIDString("chat message", id, func(n int) *message {
		s.mu.RLock()
		defer s.mu.RUnlock()
		for _, c := range s.channels {
			ms := c.messages.rows
			if i := sort.Search(len(ms), func(i int) bool { return ms[i].id >= n }); i < len(ms) && ms[i].id == n {
				return ms[i]
			}
		}
		return nil
	})
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

// create runs Glimesh.Chat.create_chat_message: the policy (admins post
// anywhere, the streamer despite a ban in their own channel, everyone else
// not while banned or timed out), link policy, changeset (1..255
// characters; and, unlike the real one, at most maxMessageBytes),
// tokenize, insert. Publishing is the caller's job, outside the lock.
func (s *store) create(c *channel, u *user, text *string, followed bool, now time.Time) (*message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !u.admin && c.streamer != u {
		b, err := c.activeBanLocked(u, now)
		if err != nil {
			return nil, err
		}
		if b != nil {
			if b.expires.IsZero() {
				return nil, chatError("You are permanently banned from this channel.")
			}
			// NaiveDateTime.diff in whole seconds, then Float.ceil(seconds / 60).
			secs := int(b.expires.Sub(now) / time.Second)
			return nil, chatError(fmt.Sprintf("You are banned from this channel for %d more minutes.", (secs+59)/60))
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
			moderator:  c.moderatorOf(u) != nil,
			subscriber: c.subscribers[u.id],
			founder:    u.founder,
			supporter:  u.supporter,
		},
		inserted: dbTime(now),
		followed: followed,
	}
	s.insertLocked(m)
	return m, nil
}

func (s *store) insertLocked(m *message) {
	s.nextID++
	m.id = s.nextID
	m.visible, m.updated = true, m.inserted
	if m.followed {
		s.followMsgs[followKey{m.channel.streamer, m.user}] = m.inserted
	}
	m.channel.messages.appendLocked(m)
}

// historyOf returns the channel's messages at this instant (id order) and
// the offset of the first one among all it ever had.
func (s *store) historyOf(c *channel) ([]*message, int) {
	return snapshot(s, &c.messages)
}

// messagesOf returns the messages historyOf does.
func (s *store) messagesOf(c *channel) []*message {
	msgs, _ := s.historyOf(c)
	return msgs
}
