// Package demo is a Glimesh-compatible instance for development and tests:
// the real API's GraphQL schema (a strict subset), auth rules, errors,
// pagination, tokenization, CORS, OAuth sign-in (oauth.go) and
// Phoenix/Absinthe websocket, follows (follows.go) and channel changes
// (streams.go) with their pushes, with fixtures, a simulation of chat and
// of what else happens on a channel (simulate.go) and fault hooks. It
// stands in for an external server, so it never imports the widget.
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
	"math/rand/v2"
	"strconv"
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
	Seed     int64   // makes fixtures and simulated chat deterministic
	ChatRate float64 // simulated messages per second in demo; 0 = no simulation at all
	// ChatOnly keeps the simulation to chat, the spammer and its timeout:
	// no follows, no stream ending and starting, no title changes, no
	// single deletes.
	ChatOnly    bool
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
	// The spam, deletes and events have generators of their own, so the
	// chatters' lines stay what the seed made them before there were any.
	inst.initSim(seed)
	// Erlang's unique integers start near -2^59 on 64-bit nodes, so real
	// subscription ids carry a negative number.
	inst.uniq.Store(-576460752303423488)
	seedHistory(inst.store, rand.New(rand.NewPCG(seed^0x5eed, seed)), rand.New(rand.NewPCG(seed^0xc0, seed)), opts.Now())
	assets, err := buildAssets(inst.store)
	if err != nil {
		return nil, fmt.Errorf("build demo assets: %w", err)
	}
	inst.assets = assets
	if inst.oauth, err = newOAuth(opts.RedirectURIs); err != nil {
		return nil, err
	}
	for _, u := range inst.store.users {
		if u.fan {
			continue
		}
		scopes := []string{"public", "chat", "follow", "stream_info"}
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

// Tokens returns a bearer token for every demo user but the simulated
// followers, with the scopes public, chat, follow and stream_info;
// lurker's has public alone.
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
	return inst.postMessage(c, u, text, false)
}

// postMessage is Chat.create_chat_message: stored, then published to the
// chatMessage subscriptions of the channel and the firehose. followed
// marks the follow announcement.
func (inst *Instance) postMessage(c *channel, u *user, text *string, followed bool) (*message, error) {
	m, err := inst.store.create(c, u, text, followed, inst.now())
	if err != nil {
		return nil, err
	}
	inst.hub.publish(fieldChat, strconv.Itoa(c.id), m)
	return m, nil
}

type panicLogger struct{ log *slog.Logger }

// MakePanicError logs a resolver panic and answers like an internal error.
func (p panicLogger) MakePanicError(_ context.Context, value any) *gqlerrors.QueryError {
	p.log.Error("graphql resolver panic", "panic", fmt.Sprint(value))
	return gqlerrors.Errorf("internal server error")
}
