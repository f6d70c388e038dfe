package demo

import (
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// The cast of the demo instance. Channel ids and user ids are distinct
// number ranges, as on the real server.
const (
	demoChannelID   = 6
	quietChannelID  = 7
	cohostChannelID = 8
)

// squad are the channels of a co-streaming squad, ids from
// squadFirstChannelID and streamers' user ids from squadFirstUserID: with
// demo, cohost and quiet, eight channels on one instance, the most an
// overlay reads, so one with their events needs a second socket.
var squad = []string{"pixel", "nova", "ember", "atlas", "juno"}

const (
	squadFirstChannelID = 9
	squadFirstUserID    = 157
)

func seedStore(now time.Time) *store {
	at := func(d time.Duration) time.Time { return now.Add(-d).UTC().Truncate(time.Second) }
	mk := func(id int, name string) *user {
		return &user{id: id, username: name, displayname: name, avatarVer: 63762672056 + int64(id), inserted: at(400 * 24 * time.Hour)}
	}
	demo := mk(154, "demo")
	demo.displayname = "Demo"
	quiet := mk(155, "quiet")
	quiet.displayname = "Quiet"
	marta := mk(201, "MartaMod")
	sam := mk(202, "SubSam")
	fox := mk(203, "FounderFox")
	fox.founder = true
	li := mk(204, "SupporterLi")
	li.supporter = true
	ada := mk(205, "AdminAda")
	ada.admin = true
	ada.teamRole = "Core Team"
	vic := mk(206, "ViewerVic")
	noor := mk(207, "Noor")
	kenji := mk(208, "kenji_k")
	zofia := mk(209, "Zofia")
	lurker := mk(210, "lurker")
	bob := mk(211, "banned_bob")
	tim := mk(212, "timeout_tim")
	hana := mk(213, "HelperHana")
	pete := mk(214, spammerName)
	cohost := mk(156, "cohost")
	cohost.displayname = "CoHost"
	ari := mk(215, "Ari")
	bea := mk(216, "bea_plays")
	cyrus := mk(217, "CyrusMod")

	s := &store{
		follows:    make(map[followKey]*follower),
		followMsgs: make(map[followKey]time.Time),
		users: []*user{demo, quiet, marta, sam, fox, li, ada, vic, noor, kenji, zofia, lurker, bob, tim, hana, pete,
			cohost, ari, bea, cyrus},
		global: []emote{
			{code: ":glimsmile:", file: "glimsmile.svg"},
			{code: ":glimwow:", file: "glimwow.svg"},
			{code: ":glimheart:", file: "glimheart.svg"},
			{code: ":glimdance:", file: "glimdance.gif", animated: true},
		},
	}
	dc := &channel{
		id: demoChannelID, streamer: demo, title: ptr(demoTitles[0]), live: true,
		language: "en", rulesMd: "Be kind. No spoilers.", inserted: at(300 * 24 * time.Hour), updated: at(2 * time.Hour),
		subscribers: map[int]bool{sam.id: true, fox.id: true, marta.id: true},
		emotes:      []emote{{code: ":demowave:", file: "demowave.svg"}, {code: ":demohype:", file: "demohype.svg"}},
	}
	// MartaMod may do everything, HelperHana only short timeouts and
	// deletes.
	dc.moderators = []*moderator{
		{row: row{id: 1, channel: dc, user: marta, inserted: at(250 * 24 * time.Hour)}, can: canAll},
		{row: row{id: 2, channel: dc, user: hana, inserted: at(30 * 24 * time.Hour)}, can: canShortTimeout | canDelete},
	}
	s.channels = []*channel{dc, {
		id: quietChannelID, streamer: quiet, title: ptr("Quiet reading, links blocked"), live: false,
		language: "en", disableHyperlinks: true, blockLinks: true, inserted: at(200 * 24 * time.Hour), updated: at(200 * 24 * time.Hour),
		subscribers: map[int]bool{},
	}}
	// cohost streams alongside demo, with a chat of its own: a few of
	// demo's viewers, and people of its own. It has no emotes of its own,
	// so demo's stay text there.
	cc := &channel{
		id: cohostChannelID, streamer: cohost, title: ptr("Co-streaming with demo"), live: true,
		language: "en", rulesMd: "Same rules as demo.", inserted: at(100 * 24 * time.Hour), updated: at(90 * time.Minute),
		subscribers: map[int]bool{ari.id: true},
	}
	cc.moderators = []*moderator{{row: row{id: 3, channel: cc, user: cyrus, inserted: at(60 * 24 * time.Hour)}, can: canAll}}
	s.channels = append(s.channels, cc)
	// The squad: live, no history (their streams just began), a line now
	// and then (simulate.go).
	for i, name := range squad {
		u := mk(squadFirstUserID+i, name)
		u.displayname = strings.ToUpper(name[:1]) + name[1:]
		s.users = append(s.users, u)
		s.channels = append(s.channels, &channel{
			id: squadFirstChannelID + i, streamer: u, title: ptr("Squad night with demo: " + u.displayname + "'s view"), live: true,
			language: "en", rulesMd: "Same rules as demo.", inserted: at(50 * 24 * time.Hour), updated: at(10 * time.Minute),
			subscribers: map[int]bool{},
		})
	}
	// The simulated followers: newcomers with an account and nothing else.
	for i, name := range fanNames() {
		fan := mk(fanFirstID+i, name)
		fan.fan = true
		fan.inserted = at(time.Duration(30-i%30) * 24 * time.Hour)
		s.users = append(s.users, fan)
	}
	// banned_bob is banned; timeout_tim's long timeout has 10 minutes left.
	s.moderateLocked(dc, marta, bob, banAction, nil, at(72*time.Hour))
	s.moderateLocked(dc, marta, tim, longTimeout, nil, at(5*time.Minute))
	return s
}

func ptr[T any](v T) *T { return &v }

// demoTitles are the titles the simulated streamer of demo gives the
// stream, in turn, the first being the one it has at the start.
var demoTitles = []string{
	"Demo stream: chat all day",
	"Demo stream: speedrun practice",
	"Demo stream: viewer games night",
	"Demo stream: building a chat overlay",
}

// fanFirstID is the user id of the first simulated follower.
const fanFirstID = 301

// fanNames are the usernames of the simulated followers, whom the
// simulation has follow in turn (simulate.go): 255, an odd number, so that
// each one's follows alternate between demo and cohost.
func fanNames() []string {
	adjectives := []string{"Cosmic", "Sleepy", "Brave", "Quiet", "Lucky", "Mellow", "Swift", "Witty",
		"Sunny", "Misty", "Jolly", "Nimble", "Rusty", "Velvet", "Zesty", "Amber", "Frosty"}
	animals := []string{"Otter", "Lynx", "Heron", "Badger", "Gecko", "Panda", "Raven", "Koala",
		"Marten", "Newt", "Puffin", "Quokka", "Seal", "Tapir", "Wombat"}
	var out []string
	for _, a := range adjectives {
		for _, b := range animals {
			out = append(out, a+b)
		}
	}
	return out
}

// seedHistory stores old messages, two hours of them in demo and cohost
// (and a few in quiet), in the order of their times, as the real ids are:
// the oldest of demo have metadata null, like history from before the
// metadata column existed. rng draws demo's, coRng cohost's.
func seedHistory(s *store, rng, coRng *rand.Rand, now time.Time) {
	demo := s.channelByID(demoChannelID)
	quiet := s.channelByID(quietChannelID)
	cohost := s.channelByID(cohostChannelID)
	const n, nullMeta, coN = 150, 40, 63
	start := now.Add(-2 * time.Hour)
	s.mu.Lock()
	defer s.mu.Unlock()
	var msgs []*message
	cast := chatterCast(s)
	for i := range n {
		u := cast[rng.IntN(len(cast))]
		m := s.seedMessage(demo, u, chatterLine(rng, i), start.Add(time.Duration(i)*45*time.Second), i >= nullMeta)
		msgs = append(msgs, m)
		if i%30 == 0 {
			qt := "quiet page " + fmt.Sprint(i/30+1) + " of the book, see glimesh.tv later"
			msgs = append(msgs, s.seedMessage(quiet, quiet.streamer, qt, m.inserted, true))
		}
	}
	coCast := cohostCast(s)
	for j := range coN {
		u := coCast[coRng.IntN(len(coCast))]
		msgs = append(msgs, s.seedMessage(cohost, u, chatterLine(coRng, -1), start.Add(20*time.Second+time.Duration(j)*115*time.Second), true))
	}
	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].inserted.Before(msgs[j].inserted) })
	for _, m := range msgs {
		s.insertLocked(m)
	}
}

// seedMessage is a message of the history, with metadata when meta.
func (s *store) seedMessage(c *channel, u *user, text string, at time.Time, meta bool) *message {
	m := &message{channel: c, user: u, text: text, tokens: tokenize(text, s.parserConfigFor(c, u)), inserted: dbTime(at)}
	if meta {
		m.meta = &metadata{admin: u.admin, streamer: c.streamer == u, moderator: c.moderatorOf(u) != nil,
			subscriber: c.subscribers[u.id], founder: u.founder, supporter: u.supporter}
	}
	return m
}

// chatterCast is everyone who may chat in demo: every role is there.
func chatterCast(s *store) []*user {
	return castOf(s, "demo", "MartaMod", "SubSam", "FounderFox", "SupporterLi", "AdminAda", "ViewerVic", "Noor", "kenji_k", "Zofia")
}

// cohostCast is who chats in cohost: its streamer, its moderator and
// subscriber, a viewer of its own, and three of demo's.
func cohostCast(s *store) []*user {
	return castOf(s, "cohost", "CyrusMod", "Ari", "bea_plays", "ViewerVic", "Noor", "SubSam")
}

// squadCast is who chats in squad channel i: its streamer and four of
// demo's viewers.
func squadCast(s *store, i int) []*user {
	return castOf(s, squad[i], "ViewerVic", "Noor", "kenji_k", "Zofia")
}

func castOf(s *store, names ...string) []*user {
	out := make([]*user, len(names))
	for i, name := range names {
		out[i] = s.userByName(name)
	}
	return out
}

var chatterLines = []string{
	"hello chat :glimsmile:",
	"that play was :glimwow: :glimwow: :glimwow:",
	"How:glimheart:are you all doing?",
	":demowave: welcome in!",
	":demohype: :demohype: LET'S GO",
	":glimdance: dance break",
	":notanemote: is just text",
	"check the schedule at https://glimesh.tv/demo",
	"docs: https://github.com/Glimesh/api-docs and glimesh.tv for the rest",
	"Pneumonoultramicroscopicsilicovolcanoconiosis is the longest word I know",
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	"こんにちは、みんな！今日も配信ありがとう",
	"大家好，这个游戏真好玩",
	"안녕하세요 여러분",
	"مرحبا بالجميع، كيف حالكم؟",
	"שלום לכולם! מה שלומכם?",
	"Привет всем, отличный стрим!",
	"नमस्ते दोस्तों",
	"🎉🔥👍🏽 gg wp 👩‍💻🇯🇵",
	"<script>alert('hi')</script> & <b>not bold</b>",
	"**markdown** is _not_ rendered `ever`",
	"mixed English and العربية in one line",
	"gg",
	"lol",
	"first time here, this is great :glimsmile: :glimheart:",
}

// chatterLine picks a varied line; i makes every line of the library come
// round regularly so history shows all of them.
func chatterLine(rng *rand.Rand, i int) string {
	if i >= 0 && i < len(chatterLines) {
		return chatterLines[i]
	}
	line := chatterLines[rng.IntN(len(chatterLines))]
	if rng.IntN(4) == 0 {
		line += fmt.Sprintf(" #%d", rng.IntN(1000))
	}
	return line
}

// newSecret returns a random bearer token.
func newSecret() (string, error) {
	b := make([]byte, 24)
	if _, err := crand.Read(b); err != nil {
		return "", fmt.Errorf("generate token: %w", err)
	}
	return hex.EncodeToString(b), nil
}
