package demo

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	graphql "github.com/graph-gophers/graphql-go"
)

// Channel changes, as Glimesh.Streams makes them (GT lib/glimesh/streams.ex,
// streams/policy.ex, streams/channel.ex, channel_resolver.ex): each one
// broadcasts the channel to the channel subscriptions, changed or not.
// Streams start and end through Janus on the real server, not through the
// API; the demo's simulation and tests do it with StartStream and
// EndStream.

// maxTitle is Channel.changeset's validate_length(:title, max: 250).
const maxTitle = 250

// updateTitle is Streams.update_channel(user, channel, %{title: title}):
// the Streams.Policy (admins, GCT staff, the channel's streamer), the
// changeset (a blank title is cast to nil, since the column is not
// required; at most 250 characters), Repo.update, which moves updated_at
// only when the title changes, and the broadcast in any case.
func (inst *Instance) updateTitle(u *user, c *channel, title string) (channelSnap, error) {
	if !u.admin && c.streamer != u {
		return channelSnap{}, errors.New(errUnauthorized)
	}
	if graphemeLen(title) > maxTitle {
		return channelSnap{}, chatError(fmt.Sprintf("title: should be at most %d character(s)", maxTitle))
	}
	var t *string
	if title != "" {
		t = &title
	}
	return inst.changeChannel(c, func() bool {
		if (c.title == nil) == (t == nil) && (t == nil || *c.title == *t) {
			return false
		}
		c.title = t
		return true
	}), nil
}

// changeChannel applies change (which reports whether it changed the row)
// under the store's lock, moves updated_at if it did, and broadcasts the
// channel as it is then.
func (inst *Instance) changeChannel(c *channel, change func() bool) channelSnap {
	s := inst.store
	s.mu.Lock()
	if change() {
		c.updated = dbTime(inst.now())
	}
	snap := c.snapLocked()
	s.mu.Unlock()
	inst.hub.publish(fieldChannel, strconv.Itoa(c.id), snap)
	return snap
}

// startStream is Streams.start_stream: a new stream, and the channel
// live on it (start_changeset always changes stream_id, so updated_at
// moves even when the channel was live already).
func (inst *Instance) startStream(c *channel) {
	inst.changeChannel(c, func() bool {
		c.live = true
		return true
	})
}

// endStream is Streams.end_stream(channel): stop_changeset sets status
// offline and stream_id nil. A channel without a stream has nothing to
// end: end_stream(nil) matches no clause and raises.
func (inst *Instance) endStream(c *channel) error {
	s := inst.store
	s.mu.RLock()
	live := c.live
	s.mu.RUnlock()
	if !live {
		return fmt.Errorf("end_stream of channel %d: no stream, FunctionClauseError: %w", c.id, errRaised)
	}
	inst.changeChannel(c, func() bool {
		c.live = false
		return true
	})
	return nil
}

// channelNamed is the channel of the streamer named name.
func (inst *Instance) channelNamed(name string) (*channel, error) {
	if u := inst.store.userByName(name); u != nil {
		if c := inst.store.channelOf(u); c != nil {
			return c, nil
		}
	}
	return nil, fmt.Errorf("channel %q: %w", name, errMissing)
}

// StartStream starts a stream on the channel of streamer name (the channel
// goes live and is pushed), as Janus does on the real server.
func (inst *Instance) StartStream(name string) error {
	c, err := inst.channelNamed(name)
	if err != nil {
		return err
	}
	inst.startStream(c)
	return nil
}

// EndStream ends the stream of the channel of streamer name.
func (inst *Instance) EndStream(name string) error {
	c, err := inst.channelNamed(name)
	if err != nil {
		return err
	}
	return inst.endStream(c)
}

// SetTitle changes the title of the channel of streamer name, as its
// streamer would with updateStreamInfo.
func (inst *Instance) SetTitle(name, title string) error {
	c, err := inst.channelNamed(name)
	if err != nil {
		return err
	}
	if _, err := inst.updateTitle(c.streamer, c, title); err != nil {
		return fmt.Errorf("title of %s: %w", name, err)
	}
	return nil
}

// UpdateStreamInfo is ChannelResolver.update_stream_info: the stream_info
// scope, then ChannelLookups.get_channel ("Channel not found"; an id Ecto
// cannot cast raises), then update_channel.
func (r *rootResolver) UpdateStreamInfo(ctx context.Context, args struct {
	ChannelID graphql.ID
	Title     string
}) (*channelRes, error) {
	ri := reqFrom(ctx)
	if !ri.acc.has("stream_info") {
		return nil, errors.New(errUnauthorized)
	}
	n, err := strconv.Atoi(string(args.ChannelID))
	if err != nil {
		return nil, ri.fail(fmt.Errorf("cast channel id %q: %w", string(args.ChannelID), errMissing))
	}
	c := r.inst.store.channelByID(n)
	if c == nil {
		return nil, errors.New("Channel not found")
	}
	snap, err := r.inst.updateTitle(ri.acc.user, c, args.Title)
	if err != nil {
		return nil, err
	}
	return &channelRes{r.inst, snap}, nil
}
