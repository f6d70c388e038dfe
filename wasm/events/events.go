// Package events turns the changes of a stream (going live, going
// offline, a new title), as the channel subscription pushes them, into
// the lines the chat shows among its messages. A push that changes
// nothing the viewer sees adds no line.
package events

import "github.com/glimchat/glimchat/wasm/glimesh"

// Show is which changes make a line.
type Show struct {
	Live  bool // going live and offline
	Title bool // a new title
}

// Tracker remembers what the viewer was last told of the stream. It is
// not safe for concurrent use: the subscription's goroutine owns it.
type Tracker struct {
	show  Show
	state glimesh.ChannelState
	seq   int
}

// NewTracker starts from the stream as the page found it.
func NewTracker(show Show, start glimesh.ChannelState) *Tracker {
	return &Tracker{show: show, state: start}
}

// Push takes the stream's state from a push, and returns the line it
// makes, if any; after is the newest message id the page has, which the
// line comes after.
func (t *Tracker) Push(st glimesh.ChannelState, after string) (glimesh.Message, bool) {
	prev := t.state
	t.state = st
	titled := st.Title != prev.Title && st.Title != ""
	var c glimesh.StreamChange
	switch {
	case st.Live != prev.Live && t.show.Live:
		c.Change = glimesh.WentOffline
		if st.Live {
			c.Change, c.Title = glimesh.WentLive, st.Title
		}
	case titled && t.show.Title:
		c.Change, c.Title = glimesh.NewTitle, st.Title
	default:
		return glimesh.Message{}, false
	}
	t.seq++
	c.After, c.Seq = after, t.seq
	return glimesh.Message{Kind: glimesh.Status, Stream: &c}, true
}
