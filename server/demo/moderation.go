package demo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
)

// modAction is one of Glimesh.Chat's moderation functions.
type modAction struct {
	name  string        // the log row's action
	need  perm          // the moderator flag Chat.Policy asks for
	until time.Duration // timeouts: how long; 0 for the others
}

var (
	shortTimeout  = &modAction{name: "short_timeout", need: canShortTimeout, until: 5 * time.Minute}
	longTimeout   = &modAction{name: "long_timeout", need: canLongTimeout, until: 15 * time.Minute}
	banAction     = &modAction{name: "ban", need: canBan}
	unbanAction   = &modAction{name: "unban", need: canUnban}
	deleteMessage = &modAction{name: "delete_message", need: canDelete}
)

// mayModerate is Chat.Policy for the moderation actions: admins, the
// channel's streamer, and its moderators with the action's flag (and GCT
// staff, whom the demo does not have). Bans do not matter here.
func (c *channel) mayModerate(u *user, act *modAction) bool {
	if u.admin || c.streamer == u {
		return true
	}
	m := c.moderatorOf(u)
	return m != nil && m.can&act.need != 0
}

// moderate is the part of Glimesh.Chat's moderation functions after the
// resolver's lookups: the policy, the effect, the log row. The API and the
// simulated moderators both come through here. msg is the message a
// delete takes down, nil for the other actions. chatMessages returns
// hidden messages all the same (the API has no is_visible), but how they
// were hidden shows in their updatedAt.
func (inst *Instance) moderate(c *channel, mod, target *user, act *modAction, msg *message) (*modLog, error) {
	if !c.mayModerate(mod, act) {
		return nil, errors.New(errUnauthorized) // Bodyguard's {:error, :unauthorized}
	}
	s := inst.store
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.moderateLocked(c, mod, target, act, msg, dbTime(inst.now()))
}

// moderateLocked is the effect and the log row, at now.
func (s *store) moderateLocked(c *channel, mod, target *user, act *modAction, msg *message, now time.Time) (*modLog, error) {
	switch act {
	case shortTimeout, longTimeout, banAction:
		// A new row every time, never an update: channel_bans has no
		// unique index.
		b := &ban{row: row{channel: c, user: target, inserted: now}}
		if act.until > 0 {
			b.expires = now.Add(act.until)
		}
		s.nextBan++
		b.id = s.nextBan
		c.bans.appendLocked(b)
		s.hideAllLocked(c, target)
	case unbanAction:
		if err := s.unbanLocked(c, target); err != nil {
			return nil, err
		}
	case deleteMessage:
		s.hideLocked(msg, now)
	}
	s.nextLog++
	l := &modLog{row: row{id: s.nextLog, channel: c, user: target, inserted: now}, moderator: mod, action: act.name}
	c.modLogs.appendLocked(l)
	return l, nil
}

// hideAllLocked is delete_chat_messages_for_user, which hides the user's
// visible messages in c with Repo.update_all(set: [is_visible: false]):
// update_all sets only what it is told, so updated_at stays.
func (s *store) hideAllLocked(c *channel, u *user) {
	for _, m := range c.messages.rows {
		if m.user == u {
			m.visible = false
		}
	}
}

// hideLocked is delete_chat_message: ChatMessage.changeset(%{is_visible:
// false}) |> Repo.update(), which moves updated_at to now, like
// insertedAt in whole seconds. A message hidden already makes an empty
// changeset, and Repo.update writes nothing, so its updated_at stays.
func (s *store) hideLocked(m *message, now time.Time) {
	if m.visible {
		m.visible, m.updated = false, now
	}
}

// unbanLocked deletes the user's permanent ban as unban_user does:
// Repo.one(…is_nil(expires_at)) |> Repo.delete!(), which raises when there
// is none (delete! of nil) or more than one. Timeouts stay.
func (s *store) unbanLocked(c *channel, u *user) error {
	at := -1
	for i, b := range c.bans.rows {
		if b.user != u || !b.expires.IsZero() {
			continue
		}
		if at >= 0 {
			return fmt.Errorf("unban %s: Ecto.MultipleResultsError: %w", u.username, errRaised)
		}
		at = i
	}
	if at < 0 {
		return fmt.Errorf("unban %s: no permanent ban, Repo.delete!(nil): %w", u.username, errRaised)
	}
	c.bans.removeLocked(at)
	return nil
}

type modUserArgs struct{ ChannelID, UserID graphql.ID }

func (r *rootResolver) ShortTimeoutUser(ctx context.Context, args modUserArgs) (*modLogRes, error) {
	return r.moderateUser(ctx, args, shortTimeout)
}

func (r *rootResolver) LongTimeoutUser(ctx context.Context, args modUserArgs) (*modLogRes, error) {
	return r.moderateUser(ctx, args, longTimeout)
}

func (r *rootResolver) BanUser(ctx context.Context, args modUserArgs) (*modLogRes, error) {
	return r.moderateUser(ctx, args, banAction)
}

func (r *rootResolver) UnbanUser(ctx context.Context, args modUserArgs) (*modLogRes, error) {
	return r.moderateUser(ctx, args, unbanAction)
}

func (r *rootResolver) moderateUser(ctx context.Context, args modUserArgs, act *modAction) (*modLogRes, error) {
	return r.moderation(ctx, args.ChannelID, act, func() (*user, *message, error) {
		u, err := r.inst.store.userByIDString(string(args.UserID))
		return u, nil, err
	})
}

// DeleteChatMessage hides the message and logs its author. As on the real
// server the message may belong to another channel than channelId: only
// the moderator's rights in channelId are checked.
func (r *rootResolver) DeleteChatMessage(ctx context.Context, args struct{ ChannelID, MessageID graphql.ID }) (*modLogRes, error) {
	return r.moderation(ctx, args.ChannelID, deleteMessage, func() (*user, *message, error) {
		m, err := r.inst.store.messageByIDString(string(args.MessageID))
		if err != nil {
			return nil, nil, err
		}
		return m.user, m, nil
	})
}

// moderation is ChatResolver's order: the chat scope, then the bang
// lookups (channel, then target), which raise for anyone, then the policy.
// target returns the user acted on and, for a delete, the message.
func (r *rootResolver) moderation(ctx context.Context, channelID graphql.ID, act *modAction, target func() (*user, *message, error)) (*modLogRes, error) {
	ri := reqFrom(ctx)
	if !ri.acc.canChat() {
		return nil, errors.New(errUnauthorized)
	}
	c, err := r.inst.store.channelByIDString(string(channelID))
	if err != nil {
		return nil, ri.fail(err)
	}
	u, m, err := target()
	if err != nil {
		return nil, ri.fail(err)
	}
	l, err := r.inst.moderate(c, ri.acc.user, u, act, m)
	if err != nil {
		return nil, ri.fail(err)
	}
	return &modLogRes{rowRes{r.inst, &l.row}, l}, nil
}

func (r *channelRes) Bans(ctx context.Context, args pageArgs) (*connRes[*banRes], error) {
	rows, oldest := snapshot(r.inst.store, &r.c.bans)
	return modConnection(ctx, r.inst, rows, oldest, args, func(b *ban) *banRes { return &banRes{rowRes{r.inst, &b.row}, b} })
}

func (r *channelRes) ModerationLogs(ctx context.Context, args pageArgs) (*connRes[*modLogRes], error) {
	rows, oldest := snapshot(r.inst.store, &r.c.modLogs)
	return modConnection(ctx, r.inst, rows, oldest, args, func(l *modLog) *modLogRes { return &modLogRes{rowRes{r.inst, &l.row}, l} })
}

func (r *channelRes) Moderators(ctx context.Context, args pageArgs) (*connRes[*moderatorRes], error) {
	return modConnection(ctx, r.inst, r.c.moderators, 0, args, func(m *moderator) *moderatorRes { return &moderatorRes{rowRes{r.inst, &m.row}, m} })
}

// modConnection pages a moderation table; its rows count towards the
// request's moderation-row limit.
func modConnection[T, N any](ctx context.Context, inst *Instance, rows []T, oldest int, args pageArgs, node func(T) N) (*connRes[N], error) {
	ri := reqFrom(ctx)
	return connection(ri, rows, oldest, args, func(n int) error {
		return overLimit(&ri.modRows, n, inst.lim.messagesPerRequest, "moderation rows (bans, moderators, log entries)")
	}, node)
}

// rowRes resolves the fields every moderation row has.
type rowRes struct {
	inst *Instance
	r    *row
}

func (r rowRes) ID() graphql.ID        { return graphql.ID(strconv.Itoa(r.r.id)) }
func (r rowRes) Channel() *channelRes  { return r.inst.channelRes(r.r.channel) }
func (r rowRes) User() *userRes        { return &userRes{r.inst, r.r.user} }
func (r rowRes) InsertedAt() naiveTime { return naiveTime{r.r.inserted} }
func (r rowRes) UpdatedAt() naiveTime  { return naiveTime{r.r.inserted} }

type banRes struct {
	rowRes
	b *ban
}

func (r *banRes) ExpiresAt() *naiveTime {
	if r.b.expires.IsZero() {
		return nil
	}
	return &naiveTime{r.b.expires}
}

// Reason is never set through the API.
func (r *banRes) Reason() *string { return nil }

type modLogRes struct {
	rowRes
	l *modLog
}

func (r *modLogRes) Moderator() *userRes { return &userRes{r.inst, r.l.moderator} }
func (r *modLogRes) Action() *string     { return &r.l.action }

type moderatorRes struct {
	rowRes
	m *moderator
}

func (r *moderatorRes) CanShortTimeout() *bool { return optBool(r.m.can&canShortTimeout != 0) }
func (r *moderatorRes) CanLongTimeout() *bool  { return optBool(r.m.can&canLongTimeout != 0) }
func (r *moderatorRes) CanUnTimeout() *bool    { return optBool(r.m.can&canUnTimeout != 0) }
func (r *moderatorRes) CanBan() *bool          { return optBool(r.m.can&canBan != 0) }
func (r *moderatorRes) CanUnban() *bool        { return optBool(r.m.can&canUnban != 0) }
func (r *moderatorRes) CanDelete() *bool       { return optBool(r.m.can&canDelete != 0) }
