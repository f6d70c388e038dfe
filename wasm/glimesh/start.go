package glimesh

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/shurcooL/graphql"

	"github.com/glimchat/glimchat/wasm/codec"
)

// Start is everything the page needs before its first paint.
type Start struct {
	ChannelID string
	Messages  []Message // the n most recent, oldest first
	// Moderation is the read of logs and bans made with the messages; Moderated
	// says whether there is one (asked for, and the instance showed it).
	Moderation Moderation
	Moderated  bool
	Stream     ChannelState // live or not, and the title, as the history was read
}

// The start query is written by hand and decoded with easyjson: on the
// page's critical path, shurcooL's reflection (building the query, then
// decoding it) cost more than the round trip. TestOperationsMatchReferenceSchema
// checks both texts against the schema, TestStartMatchesTyped their
// selections against the typed operations.
const (
	startChannel = `channel(streamerUsername: $username){id,status,title,chatMessages(last: $last){edges{node` + messageSelection + `}}`
	modLogsBans  = `moderationLogs(last: $logs){edges{node{id,action,insertedAt,user{id},moderator{id}}}},` +
		`bans(last: $bans){edges{node{user{id},expiresAt,insertedAt}}}`
	startMod           = `,` + modLogsBans
	startQueryText     = `query($bans:Int!$last:Int!$logs:Int!$username:String!){` + startChannel + startMod + `}}`
	startChatQueryText = `query($last:Int!$username:String!){` + startChannel + `}}`
	// moderationQueryText is the moderation poll, every few seconds: by
	// hand too, so that no read stalls a frame with reflection (~100 ms
	// for a hundred rows, measured in a flood).
	// It reads the newest messages' stamps beside the logs: a delete log
	// names only the author, the deleted message's updatedAt says which.
	moderationQueryText = `query($bans:Int!$channelId:ID!$logs:Int!$recent:Int!){channel(id: $channelId){` + modLogsBans +
		`,recent: chatMessages(last: $recent){edges{node{id,insertedAt,updatedAt,user{id}}}}}}`
	// historyQueryText is the backfill after every reconnect, by hand for
	// the same reason.
	historyQueryText = `query($channelId:ID!$last:Int!){channel(id: $channelId){chatMessages(last: $last){edges{node` + messageSelection + `}}}}`
)

// Start resolves the channel by its streamer's username and reads its n
// most recent messages (n clamped to 1..MaxHistory) and, when logs > 0, its
// newest logs and bans, all in one query: one round trip before the first
// paint instead of three. An instance that refuses the moderation part
// gets the chat part alone; moderation is best effort.
func (c *Client) Start(ctx context.Context, username string, n, logs, bans int) (Start, error) {
	name, err := json.Marshal(username)
	if err != nil {
		return Start{}, err
	}
	last := strconv.Itoa(max(1, min(n, MaxHistory)))
	if logs > 0 {
		vars := `{"bans":` + strconv.Itoa(max(1, min(bans, MaxHistory))) + `,"last":` + last +
			`,"logs":` + strconv.Itoa(max(1, min(logs, MaxHistory))) + `,"username":` + string(name) + `}`
		ws, err := c.query(ctx, startQueryText, vars)
		var ge *GraphQLError
		if err == nil || !errors.As(err, &ge) || ge.has("Could not find resource") {
			if err != nil || ws.Data.Channel == nil {
				return Start{}, startError(username, err)
			}
			ch := ws.Data.Channel
			// The history was read with the logs: its stamps tell which
			// message each delete took.
			return startOf(username, ch, moderationOf(ch.ModerationLogs, ch.Bans, ch.ChatMessages), true)
		}
	}
	ws, err := c.query(ctx, startChatQueryText, `{"last":`+last+`,"username":`+string(name)+`}`)
	if err != nil || ws.Data.Channel == nil {
		return Start{}, startError(username, err)
	}
	return startOf(username, ws.Data.Channel, Moderation{}, false)
}

// query posts one hand-written query and decodes its answer with
// easyjson; a failure is sorted as do sorts it.
func (c *Client) query(ctx context.Context, query, vars string) (*wireStart, error) {
	q, err := json.Marshal(query)
	if err != nil {
		return nil, err
	}
	body := make([]byte, 0, len(q)+len(vars)+32)
	body = append(body, `{"query":`...)
	body = append(body, q...)
	body = append(body, `,"variables":`...)
	body = append(body, vars...)
	body = append(body, '}')
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, sortError(ctx, err, func(err error) error { return &NetworkError{Err: err} })
	}
	data, err := io.ReadAll(resp.Body) // authTransport has read and bounded it
	resp.Body.Close()
	if err != nil {
		return nil, &NetworkError{Err: err}
	}
	ws := &wireStart{}
	if err := codec.Decode(data, ws); err != nil {
		return nil, &DecodeError{Err: err}
	}
	if len(ws.Errors) > 0 {
		return nil, graphQLError(ws.Errors)
	}
	return ws, nil
}

func startError(username string, err error) error {
	var ge *GraphQLError
	if err == nil || errors.As(err, &ge) && ge.has("Could not find resource") {
		return &NotFoundError{Channel: username}
	}
	return fmt.Errorf("look up channel %q: %w", username, err)
}

func startOf(username string, ch *wireStartChannel, mod Moderation, moderated bool) (Start, error) {
	if !ValidID(ch.ID) {
		return Start{}, fmt.Errorf("look up channel %q: %w", username,
			&DecodeError{Err: fmt.Errorf("channel id %q is not a decimal id", clip(ch.ID, maxShortBytes))})
	}
	return Start{ChannelID: ch.ID, Messages: messagesOf(ch.ChatMessages), Moderation: mod, Moderated: moderated,
		Stream: channelState(&wireChannelState{Status: ch.Status, Title: ch.Title})}, nil
}

// messagesOf is a read of messages, oldest first. Messages without a
// valid id are skipped: one broken row must not hide the rest.
func messagesOf(msgs *wireMessageEdges) []Message {
	if msgs == nil {
		return nil
	}
	out := make([]Message, 0, len(msgs.Edges))
	for _, e := range msgs.Edges {
		if e == nil || e.Node == nil {
			continue
		}
		if m, err := toMessage(e.Node); err == nil {
			out = append(out, m)
		}
	}
	sortByID(out, func(m Message) string { return m.ID })
	return out
}

// Stream reads whether the channel is live, and its title.
func (c *Client) Stream(ctx context.Context, channelID string) (ChannelState, error) {
	var q streamQuery
	err := c.do(ctx, false, &q, map[string]any{"channelId": graphql.ID(channelID)})
	if err == nil && q.Channel == nil {
		err = ErrChannelNotFound
	}
	if err != nil {
		return ChannelState{}, fmt.Errorf("read the stream of channel %s: %w", channelID, err)
	}
	return channelState(&wireChannelState{Status: q.Channel.Status, Title: q.Channel.Title}), nil
}
