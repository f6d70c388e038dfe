// Package demo is a Glimesh-compatible instance for development and tests:
// the real API's GraphQL schema (a strict subset), auth rules, errors,
// pagination, tokenization, CORS, OAuth sign-in (oauth.go) and
// Phoenix/Absinthe websocket, with fixtures, simulated chatters and fault
// hooks. It stands in for an external server, so it never imports the
// widget.
//
// Some answers come from reading the server's code, not from a running
// instance, and a few are guesses where nothing could be checked: an unknown
// Client-ID is a 500 "Internal Server Error" (code reading); createChatMessage
// on a nonexistent channel is a 404 over HTTP and crashes the control channel
// (phx_error, no reply) on the socket (code reading); a bad Accept header is
// 406, a mutation over GET 405, a subscription over HTTP a 200 with an error,
// unparsable HTTP variables a 400 "Could not parse variables", and any socket
// vsn other than 2.0.0 a 403 (guesses). Moderation follows the code too
// (moderation.go): a nonexistent id is a 404, and unbanning a user without
// exactly one permanent ban, or posting with two bans or timeouts running at
// once, a 500 (crashes on the socket).
//
// Unlike the real server, the demo bounds everything a client can make it
// hold (limits.go): Absinthe's complexity limit of 500 on socket docs as
// well as on HTTP, 2000 chat messages (and 2000 moderation rows) and 5 s
// per document, the newest 5000 messages, bans and moderation log entries
// per channel, 1024 bytes per message, 256 sockets, 10 subscriptions per
// socket and 1 MiB queued for a slow client.
package demo

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"
)

// ClientID is the registered client id for read-only access.
const ClientID = "glimchat-demo"

//go:embed schema.graphql
var schemaSDL string

// Options configures an Instance.
type Options struct {
	Seed        int64         // makes fixtures and simulated chat deterministic
	ChatRate    float64       // simulated messages per second in demo; 0 = off
	IdleTimeout time.Duration // websocket idle timeout; 0 = 60s like Phoenix
	Faults      bool          // expose the fault hooks under /_demo/fault/
	Logger      *slog.Logger
	// Now is the demo's clock for timestamps and for the expiry of
	// timeouts; nil is time.Now.
	Now func() time.Time
	// RedirectURIs are registered for ClientID besides the loopback
	// callbacks (oauth.go): https://, or http:// on a loopback host.
	RedirectURIs []string
}

// Token is a bearer token of a demo user.
type Token struct {
	Username string
	Token    string
	Scopes   []string
}

// access is what an Authorization header or socket parameter grants.
type access struct {
	user   *user // nil for Client-ID access
	scopes map[string]bool
}

// Instance is one demo Glimesh instance.
type Instance struct {
	opts   Options
	log    *slog.Logger
	now    func() time.Time
	ticker func(time.Duration) (<-chan time.Time, func())
	schema *graphql.Schema
	store  *store
	hub    *hub
	assets map[string]asset

	tokens   []Token
	byToken  map[string]*access // the fixture tokens; OAuth's are in oauth
	oauth    *oauthState
	rngMu    sync.Mutex
	rng      *rand.Rand
	chatSeq  int
	sim      simState     // guarded by rngMu
	uniq     atomic.Int64 // Absinthe's :erlang.unique_integer for subscription ids
	faults   faultState
	socketMu sync.Mutex
	sockets  map[*socket]struct{}
	open     atomic.Int64 // sockets accepted or being accepted, for limits.sockets

	lim                      limits
	slowLog, lagLog, fullLog logLimiter
	// resolveHook, when set by a test, runs as chatMessages starts to
	// resolve, with the execution's context.
	resolveHook func(context.Context)
}

// New builds an instance with its fixtures, history and fresh tokens.
func New(opts Options) (*Instance, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 60 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	seed := uint64(opts.Seed)
	inst := &Instance{
		opts:    opts,
		log:     opts.Logger,
		now:     opts.Now,
		ticker:  realTicker,
		store:   seedStore(opts.Now()),
		hub:     newHub(),
		byToken: make(map[string]*access),
		rng:     rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		sockets: make(map[*socket]struct{}),
		lim:     defaultLimits(),
	}
	// Spam has a generator of its own, so the chatters' lines stay what
	// the seed made them before there was a spammer.
	inst.sim.rng = rand.New(rand.NewPCG(seed^0x5ba4, seed))
	inst.sim.spamAt = inst.spamGap(0)
	// Deletes too, so that neither changes the other's sequence.
	inst.sim.delRng = rand.New(rand.NewPCG(seed^0xde1e, seed))
	inst.sim.deleteAt = inst.deleteGap(0)
	// Erlang's unique integers start near -2^59 on 64-bit nodes, so real
	// subscription ids carry a negative number.
	inst.uniq.Store(-576460752303423488)
	seedHistory(inst.store, rand.New(rand.NewPCG(seed^0x5eed, seed)), opts.Now())
	assets, err := buildAssets(inst.store)
	if err != nil {
		return nil, fmt.Errorf("build demo assets: %w", err)
	}
	inst.assets = assets
	if inst.oauth, err = newOAuth(opts.RedirectURIs); err != nil {
		return nil, err
	}
	for _, u := range inst.store.users {
		scopes := []string{"public", "chat"}
		if u.username == "lurker" {
			scopes = []string{"public"}
		}
		secret, err := newSecret()
		if err != nil {
			return nil, err
		}
		set := make(map[string]bool)
		for _, sc := range scopes {
			set[sc] = true
		}
		inst.byToken[secret] = &access{user: u, scopes: set}
		inst.tokens = append(inst.tokens, Token{Username: u.username, Token: secret, Scopes: scopes})
	}
	schema, err := graphql.ParseSchema(schemaSDL, &rootResolver{inst: inst},
		graphql.UseStringDescriptions(),
		graphql.MaxDepth(30),
		graphql.PanicHandler(panicLogger{inst.log}))
	if err != nil {
		return nil, fmt.Errorf("parse demo schema: %w", err)
	}
	inst.schema = schema
	return inst, nil
}

func realTicker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// Tokens returns a bearer token for every demo user; lurker's lacks the
// chat scope.
func (inst *Instance) Tokens() []Token {
	out := make([]Token, len(inst.tokens))
	for i, t := range inst.tokens {
		t.Scopes = append([]string(nil), t.Scopes...)
		out[i] = t
	}
	return out
}

// Post creates a message in the channel of streamer channelName as user
// username, through the path createChatMessage takes, so it is tokenized,
// stored and pushed to subscribers.
func (inst *Instance) Post(channelName, username, text string) (string, error) {
	s := inst.store
	owner := s.userByName(channelName)
	var c *channel
	if owner != nil {
		c = s.channelOf(owner)
	}
	if c == nil {
		return "", fmt.Errorf("post to channel %q: %w", channelName, errMissing)
	}
	u := s.userByName(username)
	if u == nil {
		return "", fmt.Errorf("post as user %q: %w", username, errMissing)
	}
	m, err := inst.createMessage(c, u, &text)
	if err != nil {
		return "", fmt.Errorf("post to %s as %s: %w", channelName, username, err)
	}
	return fmt.Sprint(m.id), nil
}

func (inst *Instance) createMessage(c *channel, u *user, text *string) (*message, error) {
	m, err := inst.store.create(c, u, text, inst.now())
	if err != nil {
		return nil, err
	}
	inst.hub.publish(m)
	return m, nil
}

// Run posts simulated chat into demo at Options.ChatRate until ctx ends.
func (inst *Instance) Run(ctx context.Context) {
	if inst.opts.ChatRate <= 0 {
		<-ctx.Done()
		return
	}
	interval := time.Duration(float64(time.Second) / inst.opts.ChatRate)
	if interval < time.Millisecond {
		interval = time.Millisecond
	}
	tick, stop := inst.ticker(interval)
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			inst.chatOnce()
		}
	}
}

// The simulated spammer, the moderator who times it out, and the one who
// deletes a single message now and then.
const (
	spammerName      = "promo_pete"
	simModeratorName = "MartaMod"
	simDeleterName   = "HelperHana"
)

var spamLines = []string{
	"Want more viewers? Buy followers at https://cheap-viewers.example 1000 for $1!!!",
	"FREE FOLLOWERS >>> https://free-follows.example <<< limited time only",
	"become famous today, real viewers guaranteed, DM me",
}

// simState is where the simulated chat is in its spam and delete cycles.
type simState struct {
	rng      *rand.Rand
	turn     int
	spamAt   int  // the turn from which the spammer tries again
	spammed  bool // the spammer posted last turn: the moderator acts now
	delRng   *rand.Rand
	deleteAt int // the turn from which the next single delete is due
}

// deleteGap is the turn after turn at which the next single delete is
// due: 45 to 90 seconds on at the chat rate, and never sooner than 10
// turns, so that there are messages to choose from.
func (inst *Instance) deleteGap(turn int) int {
	secs := 45 + inst.sim.delRng.IntN(46)
	return turn + max(10, int(math.Ceil(float64(secs)*inst.opts.ChatRate)))
}

// deleteCandidates is how far back, in messages, the simulated deleter
// looks.
const deleteCandidates = 30

// pickDeleteLocked chooses the message the simulated deleter takes down:
// one of the last deleteCandidates of c, still visible, by a viewer (no
// streamer, moderator or admin), whose author has posted since, so that
// it is not the author's newest and the old "newest message of the user"
// rule would take the wrong one, and posted in an earlier second than
// now, so that its updatedAt will tell. nil when there is none yet.
// Called with rngMu held.
func (inst *Instance) pickDeleteLocked(c *channel, now time.Time) *message {
	s := inst.store
	s.mu.RLock()
	defer s.mu.RUnlock()
	rows := c.messages.rows
	posted := make(map[*user]bool) // authors of the newer messages
	var picks []*message
	for i := len(rows) - 1; i >= 0 && i >= len(rows)-deleteCandidates; i-- {
		m := rows[i]
		u := m.user
		if posted[u] && m.visible && m.inserted.Before(dbTime(now)) &&
			!u.admin && c.streamer != u && c.moderatorOf(u) == nil {
			picks = append(picks, m)
		}
		posted[u] = true
	}
	if len(picks) == 0 {
		return nil
	}
	return picks[inst.sim.delRng.IntN(len(picks))]
}

// spamGap is the turn after turn at which the spammer comes back: 30 to 60
// turns on, but not before its 5-minute timeout has run out at the chat
// rate, with a fifth more in case the moderator's turn came late (at the
// default rate, about every 6 minutes). So with the real clock the
// sequence depends on the seed alone. At the start, turn 0, there is no
// timeout to wait out.
func (inst *Instance) spamGap(turn int) int {
	gap := 30 + inst.sim.rng.IntN(31)
	if turn > 0 {
		gap = max(gap, int(math.Ceil(shortTimeout.until.Seconds()*inst.opts.ChatRate*1.2))+1)
	}
	return turn + gap
}

// chatOnce takes one simulated turn: a chatter's line; now and then the
// spammer's ad instead, and on the next turn the moderator times the
// spammer out, through the mutations' code path, and says so. About once
// a minute, on a chatter's turn, another moderator first deletes one
// earlier message, not its author's newest. The seeded generators make
// the sequence repeatable.
func (inst *Instance) chatOnce() {
	s := inst.store
	c := s.channelByID(demoChannelID)
	spammer := s.userByName(spammerName)
	inst.rngMu.Lock()
	sim := &inst.sim
	sim.turn++
	var u *user
	var text string
	var doomed *message
	modTurn := sim.spammed
	switch {
	case modTurn:
		sim.spammed = false
		u, text = s.userByName(simModeratorName), "@"+spammerName+" no ads in here. Take five."
	// A slower clock than the ticker's (or a human moderator) may keep
	// the spammer out for longer: then the turn is a chatter's.
	case sim.turn >= sim.spamAt && inst.mayPost(c, spammer):
		u, text = spammer, spamLines[sim.rng.IntN(len(spamLines))]
		sim.spammed = true
		sim.spamAt = inst.spamGap(sim.turn)
	default:
		cast := chatterCast(s)
		u = cast[inst.chatSeq%len(cast)]
		if inst.chatSeq >= len(cast) {
			u = cast[inst.rng.IntN(len(cast))]
		}
		text = chatterLine(inst.rng, -1)
		inst.chatSeq++
		if sim.turn >= sim.deleteAt {
			if doomed = inst.pickDeleteLocked(c, inst.now()); doomed != nil {
				sim.deleteAt = inst.deleteGap(sim.turn)
			}
		}
	}
	inst.rngMu.Unlock()
	if modTurn {
		if _, err := inst.moderate(c, u, spammer, shortTimeout, nil); err != nil {
			inst.log.Warn("simulated timeout refused", "moderator", u.username, "err", err)
		}
	}
	if doomed != nil {
		if _, err := inst.moderate(c, s.userByName(simDeleterName), doomed.user, deleteMessage, doomed); err != nil {
			inst.log.Warn("simulated delete refused", "moderator", simDeleterName, "err", err)
		}
	}
	if _, err := inst.createMessage(c, u, &text); err != nil {
		inst.log.Warn("simulated chat message refused", "user", u.username, "err", err)
	}
}

// mayPost reports whether no ban or timeout keeps u out of c now.
func (inst *Instance) mayPost(c *channel, u *user) bool {
	s := inst.store
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, err := c.activeBanLocked(u, inst.now())
	return b == nil && err == nil
}

type panicLogger struct{ log *slog.Logger }

// MakePanicError logs a resolver panic and answers like an internal error.
func (p panicLogger) MakePanicError(_ context.Context, value any) *gqlerrors.QueryError {
	p.log.Error("graphql resolver panic", "panic", fmt.Sprint(value))
	return gqlerrors.Errorf("internal server error")
}
