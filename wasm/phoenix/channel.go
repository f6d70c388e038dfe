package phoenix

import (
	"errors"
	"fmt"

	"github.com/glimchat/glimchat/wasm/codec"
)

// channel is the Absinthe control channel: its join, and its rejoin after a
// crash. It is owned by the socket's loop and tells the socket how a join
// went through s.joined and s.channelFailed.
type channel struct {
	s       *Socket
	joinRef string // ref of the current join; frames of older joins are stale
	joined  bool
	gen     int // bumped on every (re)join and reset; stale replies are dropped
	rejoinT loopTimer
	rejoins int // rejoin attempts since the last successful join
}

func (c *channel) join() {
	s := c.s
	c.rejoinT.stop()
	c.gen++
	gen := c.gen
	c.joined = false
	ref := s.nextRef()
	c.joinRef = ref // the join's own ref doubles as the channel's join_ref
	s.startPush(ref, ref, TopicControl, EventJoin, nil, func(r Reply, err error) {
		if gen != c.gen {
			return
		}
		switch {
		case errors.Is(err, ErrTimeout), errors.Is(err, ErrMalformedFrame):
			c.failed(fmt.Errorf("join: %w", err))
			return
		case err != nil:
			return // the connection went down; the next one joins again
		case r.Status != "ok":
			c.failed(fmt.Errorf("join: %w", newReplyError(TopicControl, EventJoin, r)))
			return
		}
		c.joined = true
		c.rejoins = 0
		s.joined()
	})
}

// push sends event on the channel, tagged with the current join.
func (c *channel) push(event string, payload []byte, done func(Reply, error)) {
	c.s.startPush(c.s.nextRef(), c.joinRef, TopicControl, event, payload, done)
}

// reset forgets the join when the channel or its connection is gone.
func (c *channel) reset() {
	c.gen++
	c.joined = false
	c.joinRef = ""
	c.rejoinT.stop()
}

// failed handles a crashed or refused channel on a working connection: it
// is joined again after a backoff.
func (c *channel) failed(cause error) {
	s := c.s
	c.reset()
	delay := s.cfg.Backoff.Delay(c.rejoins)
	c.rejoins++
	s.arm(&c.rejoinT, delay, func() {
		if s.conn != nil {
			c.join()
		}
	})
	s.channelFailed(cause)
}

// rejoinNow skips the wait of a pending rejoin.
func (c *channel) rejoinNow() {
	if c.rejoinT.armed() {
		c.join()
	}
}

func (c *channel) handle(f Frame) {
	s := c.s
	if f.JoinRef != "" && f.JoinRef != c.joinRef {
		s.log.Debug("phoenix: frame of an earlier join", "event", f.Event)
		return
	}
	switch f.Event {
	case EventReply:
		s.reply(f)
		// A doc answered "unmatched topic" means the server has no channel
		// for us any more, though it never said phx_error.
		if c.joined && f.JoinRef == "" {
			var rp replyPayload
			if codec.Decode(f.Payload, &rp) == nil && rp.Status != "ok" {
				if re := newReplyError(TopicControl, EventReply, Reply{rp.Status, rp.Response}); isUnmatchedTopic(re) {
					c.failed(fmt.Errorf("%w: %w", ErrChannelCrashed, re))
				}
			}
		}
	case EventError, EventClose:
		if c.joinRef != "" {
			c.failed(fmt.Errorf("%w (%s)", ErrChannelCrashed, f.Event))
		}
	default:
		s.log.Debug("phoenix: ignoring control frame", "event", f.Event)
	}
}
