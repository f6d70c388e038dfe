package glimesh

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/shurcooL/graphql"
)

// Action is a moderation log's action, as the API spells it.
type Action string

// The actions Glimesh logs (api.md §3). The API sends no event for any of
// them: channel.moderationLogs is the only record.
const (
	ShortTimeout  Action = "short_timeout" // 5 minutes; hides the user's messages
	LongTimeout   Action = "long_timeout"  // 15 minutes; hides the user's messages
	Ban           Action = "ban"           // until an unban; hides the user's messages
	Unban         Action = "unban"
	DeleteMessage Action = "delete_message" // one message; the log names only its author
)

// ModerationLog is one entry of channel.moderationLogs.
type ModerationLog struct {
	ID          string // decimal, ordered like message ids
	Action      Action // may be one the widget does not know
	UserID      string // the user acted on (for a delete, the author)
	ModeratorID string
	InsertedAt  string // NaiveDateTime, to the second
}

// ChannelBan is one row of channel.bans: a timeout, or a ban when
// ExpiresAt is "".
type ChannelBan struct {
	UserID     string
	ExpiresAt  string
	InsertedAt string
}

// Moderation is one read of a channel's recent moderation.
type Moderation struct {
	Logs []ModerationLog // ascending id
	Bans []ChannelBan
	// Stamps are the channel's newest messages as of the read, oldest
	// first; Stamped says they were read (a read without them proves
	// nothing about which message a delete took).
	Stamps  []Stamp
	Stamped bool
}

// Stamp is what a read says of one message: a delete moved its UpdatedAt
// away from its InsertedAt (api.md §3).
type Stamp struct {
	ID, UserID            string
	InsertedAt, UpdatedAt string
}

// StampOf is m's stamp.
func StampOf(m Message) Stamp {
	return Stamp{ID: m.ID, UserID: m.User.ID, InsertedAt: m.InsertedAt, UpdatedAt: m.UpdatedAt}
}

// Rights is what the signed-in viewer may do to other people's messages
// in a channel. The zero value may do nothing.
type Rights struct {
	UserID                                 string // the viewer
	Delete, ShortTimeout, LongTimeout, Ban bool
}

// Any reports whether the viewer may take any action.
func (r Rights) Any() bool { return r.Delete || r.ShortTimeout || r.LongTimeout || r.Ban }

// Can reports whether the viewer may take action a.
func (r Rights) Can(a Action) bool {
	switch a {
	case DeleteMessage:
		return r.Delete
	case ShortTimeout:
		return r.ShortTimeout
	case LongTimeout:
		return r.LongTimeout
	case Ban:
		return r.Ban
	}
	return false
}

// Moderation reads the newest logs and bans of a channel, and the stamps
// of its newest messages: up to logs, bans and recent entries, each
// clamped to 1..MaxHistory.
func (c *Client) Moderation(ctx context.Context, channelID string, logs, bans, recent int) (Moderation, error) {
	id, err := json.Marshal(channelID)
	if err != nil {
		return Moderation{}, err
	}
	vars := `{"bans":` + strconv.Itoa(max(1, min(bans, MaxHistory))) + `,"channelId":` + string(id) +
		`,"logs":` + strconv.Itoa(max(1, min(logs, MaxHistory))) + `,"recent":` + strconv.Itoa(max(1, min(recent, MaxHistory))) + `}`
	ws, err := c.query(ctx, moderationQueryText, vars)
	if err == nil && ws.Data.Channel == nil {
		err = ErrChannelNotFound
	}
	if err != nil {
		return Moderation{}, fmt.Errorf("read the moderation of channel %s: %w", channelID, err)
	}
	ch := ws.Data.Channel
	return moderationOf(ch.ModerationLogs, ch.Bans, ch.Recent), nil
}

// moderationOf checks, clips and sorts a read of logs, bans and, when
// recent is not nil, the messages read with them.
func moderationOf(logs *wireLogEdges, bans *wireBanEdges, recent *wireMessageEdges) Moderation {
	var out Moderation
	if recent != nil {
		out.Stamped = true
		for _, m := range messagesOf(recent) {
			out.Stamps = append(out.Stamps, StampOf(m))
		}
	}
	if logs != nil {
		for _, e := range logs.Edges {
			if e == nil || e.Node == nil {
				continue
			}
			if log, ok := e.Node.gql().log(); ok {
				out.Logs = append(out.Logs, log)
			}
		}
	}
	if bans != nil {
		for _, e := range bans.Edges {
			if e == nil || e.Node == nil || e.Node.User == nil || !ValidID(e.Node.User.ID) {
				continue
			}
			out.Bans = append(out.Bans, ChannelBan{
				UserID:     e.Node.User.ID,
				ExpiresAt:  clip(e.Node.ExpiresAt, maxShortBytes),
				InsertedAt: clip(e.Node.InsertedAt, maxShortBytes),
			})
		}
	}
	sortByID(out.Logs, func(l ModerationLog) string { return l.ID })
	return out
}

// Rights asks what the signed-in viewer may do in the channel: everything
// as its streamer, what their can* flags allow as one of its moderators.
// The schema has no admin or staff flag, so the rights that Glimesh gives
// admins and its community team are not seen here. It needs a token.
func (c *Client) Rights(ctx context.Context, channelID string) (Rights, error) {
	if !c.bearer {
		return Rights{}, nil // no viewer: nothing to moderate with
	}
	var q rightsQuery
	err := c.do(ctx, false, &q, map[string]any{
		"channelId": graphql.ID(channelID),
		"first":     graphql.Int(MaxHistory),
	})
	if err == nil && (q.Channel == nil || q.Myself == nil) {
		err = ErrChannelNotFound
	}
	if err != nil {
		return Rights{}, fmt.Errorf("read the viewer's rights in channel %s: %w", channelID, err)
	}
	me := q.Myself.ID
	if !ValidID(me) {
		return Rights{}, nil
	}
	r := Rights{UserID: me}
	if s := q.Channel.Streamer; s != nil && s.ID == me {
		r.Delete, r.ShortTimeout, r.LongTimeout, r.Ban = true, true, true, true
		return r, nil
	}
	if m := q.Channel.Moderators; m != nil {
		for _, e := range m.Edges {
			if e == nil || e.Node == nil || e.Node.User == nil || e.Node.User.ID != me {
				continue
			}
			n := e.Node
			r.Delete, r.ShortTimeout, r.LongTimeout, r.Ban = n.CanDelete, n.CanShortTimeout, n.CanLongTimeout, n.CanBan
		}
	}
	return r, nil
}

// Moderate takes action a in the channel and returns the log it wrote.
// target is the message id for DeleteMessage, else the user id.
func (c *Client) Moderate(ctx context.Context, channelID string, a Action, target string) (ModerationLog, error) {
	vars := map[string]any{"channelId": graphql.ID(channelID)}
	var m interface{ result() *gqlModerationLog }
	switch a {
	case DeleteMessage:
		vars["messageId"] = graphql.ID(target)
		m = &deleteMutation{}
	case ShortTimeout:
		m = &shortTimeoutMutation{}
	case LongTimeout:
		m = &longTimeoutMutation{}
	case Ban:
		m = &banMutation{}
	default:
		return ModerationLog{}, fmt.Errorf("moderate in channel %s: %q is not an action the widget takes", channelID, a)
	}
	if a != DeleteMessage {
		vars["userId"] = graphql.ID(target)
	}
	err := c.do(ctx, true, m, vars)
	if err == nil && m.result() == nil {
		err = ErrNoLog
	}
	if err != nil {
		return ModerationLog{}, fmt.Errorf("%s %s in channel %s: %w", a, target, channelID, err)
	}
	log, ok := m.result().log()
	if !ok {
		return ModerationLog{}, fmt.Errorf("%s %s in channel %s: %w", a, target, channelID,
			&DecodeError{Err: errors.New("the moderation log has no valid id")})
	}
	return log, nil
}

// gql is w in the shape the mutations return, so that log checks both.
func (w *wireLog) gql() *gqlModerationLog {
	g := &gqlModerationLog{ID: w.ID, Action: w.Action, InsertedAt: w.InsertedAt}
	if w.User != nil {
		g.User = &struct{ ID string }{w.User.ID}
	}
	if w.Moderator != nil {
		g.Moderator = &struct{ ID string }{w.Moderator.ID}
	}
	return g
}

// log checks and clips a decoded log; ok is false without valid ids.
func (g *gqlModerationLog) log() (ModerationLog, bool) {
	if !ValidID(g.ID) || g.User == nil || !ValidID(g.User.ID) {
		return ModerationLog{}, false
	}
	l := ModerationLog{
		ID:         g.ID,
		Action:     Action(clip(g.Action, maxShortBytes)),
		UserID:     g.User.ID,
		InsertedAt: clip(g.InsertedAt, maxShortBytes),
	}
	if g.Moderator != nil {
		l.ModeratorID = clip(g.Moderator.ID, maxShortBytes)
	}
	return l, true
}
