package moderation

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/glimchat/glimchat/wasm/catalog"
	"github.com/glimchat/glimchat/wasm/glimesh"
)

// What a press on a moderator's button asks for.
const (
	Ask     = "ask"     // an action's button: ask to confirm it
	Confirm = "confirm" // carry the action out
	Cancel  = "cancel"  // put the tools back
)

// Click is a press on one of a message's moderator buttons.
type Click struct {
	Kind      string // Ask, Confirm or Cancel
	Action    glimesh.Action
	MessageID string
	UserID    string // the message's author
	Username  string
	// Channel and Instance say where the message was read (its
	// data-channel and data-instance): the tools act there.
	Channel, Instance string
	Box               any // the page's handle on the message's tools, for the UI
}

// ParseClick reads the data-mod and data-action attributes of a pressed
// button (see render): an action's button has the action in data-mod;
// confirm and cancel buttons name theirs in data-action.
func ParseClick(mod, action string) (kind string, a glimesh.Action) {
	switch mod {
	case Confirm, Cancel:
		return mod, glimesh.Action(action)
	}
	return Ask, glimesh.Action(mod)
}

// UI is what the Desk needs from the page. Its methods must not block.
type UI interface {
	Ask(c Click)     // replace the tools with the question whether to do c.Action
	Busy(c Click)    // say that c.Action is on its way
	Restore(c Click) // put the tools back, focus on c.Action's button
	Report(text string, isErr bool)
}

// Desk carries out what the moderator of an embed page asks: every action
// is confirmed first, then sent, and its result said in plain words. A
// delete removes exactly the message it names; a timeout or ban applies at
// once. Press may be called from any goroutine, and blocks while the
// instance answers: call it on a goroutine of its own.
type Desk struct {
	Rights glimesh.Rights
	// Moderate carries the action out (glimesh.Client.Moderate for the
	// page's channel).
	Moderate func(ctx context.Context, a glimesh.Action, target string) (glimesh.ModerationLog, error)
	Deliver  func(Step) // to the Screen's goroutine
	// Source names the channel the tools act in (SourceKey); "" is the
	// page's one channel.
	Source  string
	UI      UI
	Timeout time.Duration // per action; default 15 s

	mu     sync.Mutex
	acting map[string]bool // actions on their way, so a second confirm does nothing
}

// ErrNotAllowed is a press the viewer's rights do not cover, or on a
// message that is not a valid target (their own, or one without ids).
var ErrNotAllowed = errors.New("moderation: not an action this viewer may take on this message")

// Press handles one press.
func (d *Desk) Press(c Click) error {
	switch {
	case !d.Rights.Can(c.Action), !glimesh.ValidID(c.UserID), c.UserID == d.Rights.UserID,
		c.Action == glimesh.DeleteMessage && !glimesh.ValidID(c.MessageID):
		return ErrNotAllowed
	}
	switch c.Kind {
	case Ask:
		d.UI.Ask(c)
	case Cancel:
		d.UI.Restore(c)
	case Confirm:
		d.act(c)
	default:
		return ErrNotAllowed
	}
	return nil
}

func (d *Desk) act(c Click) {
	target := c.UserID
	if c.Action == glimesh.DeleteMessage {
		target = c.MessageID
	}
	key := string(c.Action) + " " + target
	d.mu.Lock()
	if d.acting[key] {
		d.mu.Unlock()
		return
	}
	if d.acting == nil {
		d.acting = map[string]bool{}
	}
	d.acting[key] = true
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		delete(d.acting, key)
		d.mu.Unlock()
	}()

	d.UI.Busy(c)
	if c.Action == glimesh.DeleteMessage {
		d.Deliver(func(s *Screen) bool { return s.Claim(d.source(), c.UserID, c.MessageID) })
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	log, err := d.Moderate(ctx, c.Action, target)
	d.UI.Restore(c)
	if err != nil {
		if c.Action == glimesh.DeleteMessage {
			d.Deliver(func(s *Screen) bool { return s.Unclaim(d.source(), c.UserID, c.MessageID) })
		}
		d.UI.Report(catalog.ModerationFailed(c.Action, c.Username, err), true)
		return
	}
	if c.Action == glimesh.DeleteMessage {
		d.Deliver(func(s *Screen) bool { return s.Deleted(d.source(), c.MessageID, log.ID) })
	} else {
		d.Deliver(func(s *Screen) bool { return s.Took(d.source(), log) })
	}
	d.UI.Report(catalog.ModerationDone(c.Action, c.Username), false)
}

func (d *Desk) source() string {
	if d.Source == "" {
		return SourceKey("", "")
	}
	return d.Source
}
