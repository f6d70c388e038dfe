package demo

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
)

// Error strings of the real API.
const (
	errNotFound     = "Could not find resource"
	errUnauthorized = "unauthorized"
)

type ctxKey struct{}

// reqInfo travels in the context of every GraphQL execution.
type reqInfo struct {
	acc  *access
	base string // scheme://host of the instance, for absolute avatar URLs
	// crash is the first error with which a resolver would have raised on
	// the real server; resolvers of a query run concurrently.
	crash atomic.Pointer[error]
	// lagging ends the connection of a subscription that fell too far
	// behind; nil outside sockets.
	lagging func()
	served  atomic.Int64 // chat messages returned so far, for maxMessagesPerRequest
	modRows atomic.Int64 // moderation rows returned so far, likewise
}

// fail records err as the request's crash when the real resolver would
// have raised, and returns it.
func (ri *reqInfo) fail(err error) error {
	if errors.Is(err, errRaised) {
		ri.crash.CompareAndSwap(nil, &err)
	}
	return err
}

// raised is the recorded crash, or nil.
func (ri *reqInfo) raised() error {
	if p := ri.crash.Load(); p != nil {
		return *p
	}
	return nil
}

// canChat is Bodyguard.permit(Glimesh.Api.Scopes, :chat, access): a user
// token with the chat scope.
func (a *access) canChat() bool { return a.has("chat") }

// has is Glimesh.Api.Scopes' scope_check: a user token granted scope.
func (a *access) has(scope string) bool { return a.user != nil && a.scopes[scope] }

func withReq(ctx context.Context, ri *reqInfo) context.Context {
	return context.WithValue(ctx, ctxKey{}, ri)
}

func reqFrom(ctx context.Context) *reqInfo {
	if ri, ok := ctx.Value(ctxKey{}).(*reqInfo); ok {
		return ri
	}
	return &reqInfo{acc: &access{}}
}

// naiveTime is the NaiveDateTime scalar: UTC, no zone, second precision.
type naiveTime struct{ time.Time }

const naiveLayout = "2006-01-02T15:04:05"

func (naiveTime) ImplementsGraphQLType(name string) bool { return name == "NaiveDateTime" }

func (t *naiveTime) UnmarshalGraphQL(input any) error {
	s, ok := input.(string)
	if !ok {
		return fmt.Errorf("NaiveDateTime: want a string, got %T", input)
	}
	v, err := time.Parse(naiveLayout, s)
	if err != nil {
		return fmt.Errorf("NaiveDateTime: %w", err)
	}
	t.Time = v
	return nil
}

func (t naiveTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format(naiveLayout) + `"`), nil
}

type rootResolver struct{ inst *Instance }

func (r *rootResolver) Myself(ctx context.Context) (*userRes, error) {
	ri := reqFrom(ctx)
	if ri.acc.user == nil {
		return nil, errors.New(errNotFound)
	}
	return &userRes{r.inst, ri.acc.user}, nil
}

func (r *rootResolver) User(args struct {
	ID       *int32
	Username *string
}) (*userRes, error) {
	s := r.inst.store
	var u *user
	switch {
	case args.ID != nil:
		u = s.userByID(int(*args.ID))
	case args.Username != nil:
		u = s.userByName(*args.Username)
	}
	if u == nil {
		return nil, errors.New(errNotFound)
	}
	return &userRes{r.inst, u}, nil
}

// Channel tries id, then streamerUsername, then streamerId, like
// find_channel/2; the first argument given decides.
func (r *rootResolver) Channel(args struct {
	ID               *graphql.ID
	StreamerID       *int32
	StreamerUsername *string
}) (*channelRes, error) {
	s := r.inst.store
	var c *channel
	switch {
	case args.ID != nil:
		if n, err := strconv.Atoi(string(*args.ID)); err == nil {
			c = s.channelByID(n)
		}
	case args.StreamerUsername != nil:
		if u := s.userByName(*args.StreamerUsername); u != nil {
			c = s.channelOf(u)
		}
	case args.StreamerID != nil:
		if u := s.userByID(int(*args.StreamerID)); u != nil {
			c = s.channelOf(u)
		}
	}
	if c == nil {
		return nil, errors.New(errNotFound)
	}
	return r.inst.channelRes(c), nil
}

func (r *rootResolver) CreateChatMessage(ctx context.Context, args struct {
	ChannelID graphql.ID
	Message   struct{ Message *string }
}) (*messageRes, error) {
	ri := reqFrom(ctx)
	if !ri.acc.canChat() {
		return nil, errors.New(errUnauthorized)
	}
	c, err := r.inst.store.channelByIDString(string(args.ChannelID))
	if err != nil {
		return nil, ri.fail(err)
	}
	m, err := r.inst.createMessage(c, ri.acc.user, args.Message.Message)
	if err != nil {
		return nil, ri.fail(err)
	}
	return &messageRes{r.inst, m}, nil
}

// Subscription resolves the subscription fields: graphql-go would
// otherwise look for them on the root resolver, where the query's channel
// field already is.
func (r *rootResolver) Subscription() *subscriptionResolver { return &subscriptionResolver{r.inst} }

type subscriptionResolver struct{ inst *Instance }

// ChatMessage subscribes to a channel's new messages, or to every
// channel's when channelId is absent.
func (r *subscriptionResolver) ChatMessage(ctx context.Context, args struct{ ChannelID *graphql.ID }) (<-chan *messageRes, error) {
	return pushes(ctx, r.inst, fieldChat, (*string)(args.ChannelID), func(m *message) *messageRes { return &messageRes{r.inst, m} }), nil
}

// Channel subscribes to a channel's changes (update_channel, start_stream,
// end_stream), or to every channel's when id is absent.
func (r *subscriptionResolver) Channel(ctx context.Context, args struct{ ID *graphql.ID }) (<-chan *channelRes, error) {
	return pushes(ctx, r.inst, fieldChannel, (*string)(args.ID), func(c channelSnap) *channelRes { return &channelRes{r.inst, c} }), nil
}

// Followers subscribes to a streamer's new followers (the topic is the
// streamer's user id), or to everyone's when streamerId is absent.
func (r *subscriptionResolver) Followers(ctx context.Context, args struct{ StreamerID *graphql.ID }) (<-chan *followerRes, error) {
	return pushes(ctx, r.inst, fieldFollowers, (*string)(args.StreamerID), func(f *follower) *followerRes { return &followerRes{r.inst, f} }), nil
}

// pushes subscribes to field's events of topic (nil: the firehose) and
// hands them on as resolvers until ctx ends; the channel closes then, or
// when the hub cut the subscriber off for lagging, which closes the
// socket.
func pushes[T, R any](ctx context.Context, inst *Instance, field string, topic *string, res func(T) R) <-chan R {
	sub := inst.hub.subscribe(field, topic)
	out := make(chan R)
	go func() {
		defer close(out)
		defer inst.hub.unsubscribe(sub)
		for {
			select {
			case <-ctx.Done():
				return
			case v, ok := <-sub.ch:
				if !ok {
					if ri := reqFrom(ctx); sub.lagged && ri.lagging != nil {
						ri.lagging()
					}
					return
				}
				select {
				case out <- res(v.(T)):
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

type userRes struct {
	inst *Instance
	u    *user
}

func (r *userRes) ID() graphql.ID      { return graphql.ID(strconv.Itoa(r.u.id)) }
func (r *userRes) Username() string    { return r.u.username }
func (r *userRes) Displayname() string { return r.u.displayname }
func (r *userRes) TeamRole() *string   { return optString(r.u.teamRole) }

// AvatarURL is absolute, like Glimesh.Api.resolve_full_url makes it.
func (r *userRes) AvatarURL(ctx context.Context) *string {
	u := fmt.Sprintf("%s/uploads/avatars/%s.svg?v=%d", reqFrom(ctx).base, r.u.username, r.u.avatarVer)
	return &u
}

func (r *userRes) Channel() *channelRes {
	if c := r.inst.store.channelOf(r.u); c != nil {
		return r.inst.channelRes(c)
	}
	return nil
}
func (r *userRes) InsertedAt() naiveTime { return naiveTime{r.u.inserted} }
func (r *userRes) UpdatedAt() naiveTime  { return naiveTime{r.u.inserted} }

// channelRes resolves a channel as it was when it was looked up, or, for
// a channel push, when it was broadcast.
type channelRes struct {
	inst *Instance
	channelSnap
}

func (inst *Instance) channelRes(c *channel) *channelRes {
	return &channelRes{inst, inst.store.snap(c)}
}

func (r *channelRes) ID() *graphql.ID {
	id := graphql.ID(strconv.Itoa(r.c.id))
	return &id
}
func (r *channelRes) Title() *string { return r.title }
func (r *channelRes) Status() *string {
	s := "OFFLINE"
	if r.live {
		s = "LIVE"
	}
	return &s
}
func (r *channelRes) MatureContent() *bool              { return optBool(false) }
func (r *channelRes) Language() *string                 { return optString(r.c.language) }
func (r *channelRes) ChatRulesMd() *string              { return optString(r.c.rulesMd) }
func (r *channelRes) ShowRecentChatMessagesOnly() *bool { return optBool(false) }
func (r *channelRes) DisableHyperlinks() *bool          { return optBool(r.c.disableHyperlinks) }
func (r *channelRes) BlockLinks() *bool                 { return optBool(r.c.blockLinks) }
func (r *channelRes) RequireConfirmedEmail() *bool      { return optBool(false) }
func (r *channelRes) MinimumAccountAge() *int32 {
	var n int32
	return &n
}
func (r *channelRes) ChatBgURL() *string    { return nil }
func (r *channelRes) Streamer() *userRes    { return &userRes{r.inst, r.c.streamer} }
func (r *channelRes) InsertedAt() naiveTime { return naiveTime{r.c.inserted} }
func (r *channelRes) UpdatedAt() naiveTime  { return naiveTime{r.updated} }
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
func optBool(b bool) *bool { return &b }

type pageArgs struct {
	After, Before *string
	First, Last   graphql.NullInt
}

// ChatMessages pages the channel's messages in id order, exactly as
// Glimesh.Api.connection_from_query_with_count drives absinthe_relay's
// Connection.from_query.
func (r *channelRes) ChatMessages(ctx context.Context, args pageArgs) (*connRes[*messageRes], error) {
	if r.inst.resolveHook != nil {
		r.inst.resolveHook(ctx)
	}
	ri := reqFrom(ctx)
	msgs, oldest := r.inst.store.historyOf(r.c)
	return connection(ri, msgs, oldest, args, func(n int) error {
		return overLimit(&ri.served, n, r.inst.lim.messagesPerRequest, "chat messages")
	}, func(m *message) *messageRes { return &messageRes{r.inst, m} })
}

// connection pages rows, a table whose first row has offset oldest, after
// admit has accepted the page's size.
func connection[T, N any](ri *reqInfo, rows []T, oldest int, args pageArgs, admit func(n int) error, node func(T) N) (*connRes[N], error) {
	page, err := paginate(oldest, oldest+len(rows), args)
	if err != nil {
		return nil, ri.fail(err)
	}
	if err := admit(page.n); err != nil {
		return nil, err
	}
	conn := &connRes[N]{page: page}
	for i := page.offset; i < page.offset+page.n; i++ {
		conn.edges = append(conn.edges, &edgeRes[N]{cursor: offsetToCursor(i), node: node(rows[i-oldest])})
	}
	return conn, nil
}

// overLimit adds n rows of what to a request's tally, and refuses them
// once it passes limit.
func overLimit(tally *atomic.Int64, n, limit int, what string) error {
	if tally.Add(int64(n)) > int64(limit) {
		return fmt.Errorf("Too many %s: the demo returns at most %d per request", what, limit)
	}
	return nil
}

type page struct {
	offset, n        int
	hasPrev, hasNext bool
}

const cursorPrefix = "arrayconnection:"

func offsetToCursor(i int) string {
	return base64.StdEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(i)))
}

// cursorToOffset is Integer.parse after the prefix: a leading integer,
// trailing junk ignored.
func cursorToOffset(c string) (int, bool) {
	raw, err := base64.StdEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(raw), cursorPrefix) {
		return 0, false
	}
	s := string(raw[len(cursorPrefix):])
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(s[:end])
	if err != nil {
		return 0, false
	}
	return n, true
}

// paginate pages offsets [oldest, total): cursors are offsets over every
// message the channel ever had (as in the real server, which keeps them
// all), and those before oldest are gone from the demo's bounded history.
func paginate(oldest, total int, a pageArgs) (page, error) {
	// No first or last key at all: first 100. A null one counts as given,
	// as in Absinthe. (graphql-go reports an argument bound to a variable
	// the request left out as null too; Absinthe would drop it.)
	if !a.First.Set && !a.Last.Set {
		hundred := int32(100)
		a.First = graphql.NullInt{Value: &hundred, Set: true}
	}
	var forward bool
	var limit int
	switch {
	case a.First.Value != nil:
		forward, limit = true, int(*a.First.Value)
	case a.Last.Value != nil:
		limit = int(*a.Last.Value)
	default:
		return page{}, errors.New("You must either supply `:first` or `:last`")
	}
	limit = min(limit, 1000)
	var offset *int
	switch {
	case a.After != nil:
		o, ok := cursorToOffset(*a.After)
		if !ok {
			return page{}, errors.New("Invalid cursor provided as `after` argument")
		}
		o++
		offset = &o
	case a.Before != nil:
		o, ok := cursorToOffset(*a.Before)
		if !ok {
			return page{}, errors.New("Invalid cursor provided as `before` argument")
		}
		o = max(o, 0)
		offset = &o
	}
	var start int
	switch {
	case forward && offset == nil:
		start = 0
	case forward:
		start = *offset
	case offset == nil:
		start = max(total-limit, 0)
	default:
		start = max(*offset-limit, 0)
		if start == 0 {
			limit = *offset
		}
	}
	// Postgres rejects a negative LIMIT or OFFSET, and the resolver raises.
	if limit < 0 || start < 0 {
		return page{}, fmt.Errorf("negative limit or offset: %w", errMissing)
	}
	if start < oldest {
		// Forward pages start at the oldest message held; backward ones
		// keep their end (the before cursor).
		if !forward {
			limit = max(start+limit-oldest, 0)
		}
		start = oldest
	}
	fetched := min(max(total-start, 0), limit+1)
	return page{
		offset:  start,
		n:       min(fetched, limit),
		hasPrev: start > oldest,
		hasNext: fetched > limit,
	}, nil
}

// connRes is every XConnection; N is the node's resolver.
type connRes[N any] struct {
	page  page
	edges []*edgeRes[N]
}

// Count is the size of the page, not a total (length(conn.edges)).
func (r *connRes[N]) Count() *int32 {
	n := int32(len(r.edges))
	return &n
}
func (r *connRes[N]) Edges() *[]*edgeRes[N] { return &r.edges }
func (r *connRes[N]) PageInfo() *pageInfoRes {
	pi := &pageInfoRes{hasPrev: r.page.hasPrev, hasNext: r.page.hasNext}
	if len(r.edges) > 0 {
		pi.start, pi.end = &r.edges[0].cursor, &r.edges[len(r.edges)-1].cursor
	}
	return pi
}

type edgeRes[N any] struct {
	cursor string
	node   N
}

func (r *edgeRes[N]) Cursor() *string { return &r.cursor }
func (r *edgeRes[N]) Node() N         { return r.node }

type pageInfoRes struct {
	hasPrev, hasNext bool
	start, end       *string
}

func (r *pageInfoRes) HasPreviousPage() bool { return r.hasPrev }
func (r *pageInfoRes) HasNextPage() bool     { return r.hasNext }
func (r *pageInfoRes) StartCursor() *string  { return r.start }
func (r *pageInfoRes) EndCursor() *string    { return r.end }

type messageRes struct {
	inst *Instance
	m    *message
}

func (r *messageRes) ID() graphql.ID        { return graphql.ID(strconv.Itoa(r.m.id)) }
func (r *messageRes) Message() *string      { return &r.m.text }
func (r *messageRes) Channel() *channelRes  { return r.inst.channelRes(r.m.channel) }
func (r *messageRes) User() *userRes        { return &userRes{r.inst, r.m.user} }
func (r *messageRes) InsertedAt() naiveTime { return naiveTime{r.m.inserted} }
func (r *messageRes) UpdatedAt() naiveTime  { return naiveTime{r.inst.store.updatedAt(r.m)} }

// IsFollowedMessage is set on follow's announcement; nothing in the final
// code sets is_subscription_message (api.md §3).
func (r *messageRes) IsFollowedMessage() *bool     { return optBool(r.m.followed) }
func (r *messageRes) IsSubscriptionMessage() *bool { return optBool(false) }

func (r *messageRes) Tokens() *[]*tokenRes {
	out := make([]*tokenRes, len(r.m.tokens))
	for i := range r.m.tokens {
		out[i] = &tokenRes{&r.m.tokens[i]}
	}
	return &out
}

func (r *messageRes) Metadata() *metaRes {
	if r.m.meta == nil {
		return nil
	}
	return &metaRes{r.m.meta}
}

// tokenRes serves the ChatMessageToken interface and all three of its
// types; resolve_type goes by the type string, as in chat_types.ex.
type tokenRes struct{ t *token }

func (r *tokenRes) Type() *string                   { return &r.t.Type }
func (r *tokenRes) Text() *string                   { return &r.t.Text }
func (r *tokenRes) URL() *string                    { return optString(r.t.URL) }
func (r *tokenRes) Src() *string                    { return optString(r.t.Src) }
func (r *tokenRes) ToTextToken() (*tokenRes, bool)  { return r, r.t.Type == "text" }
func (r *tokenRes) ToUrlToken() (*tokenRes, bool)   { return r, r.t.Type == "url" }
func (r *tokenRes) ToEmoteToken() (*tokenRes, bool) { return r, r.t.Type == "emote" }

type metaRes struct{ m *metadata }

func (r *metaRes) Admin() *bool                       { return optBool(r.m.admin) }
func (r *metaRes) Streamer() *bool                    { return optBool(r.m.streamer) }
func (r *metaRes) Moderator() *bool                   { return optBool(r.m.moderator) }
func (r *metaRes) Subscriber() *bool                  { return optBool(r.m.subscriber) }
func (r *metaRes) PlatformFounderSubscriber() *bool   { return optBool(r.m.founder) }
func (r *metaRes) PlatformSupporterSubscriber() *bool { return optBool(r.m.supporter) }
