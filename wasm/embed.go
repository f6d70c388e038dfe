//go:build js && wasm

package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/glimchat/glimchat/wasm/auth"
	"github.com/glimchat/glimchat/wasm/catalog"
	"github.com/glimchat/glimchat/wasm/dom"
	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/moderation"
	"github.com/glimchat/glimchat/wasm/render"
	"github.com/glimchat/glimchat/wasm/signin"
	"github.com/glimchat/glimchat/wasm/source"
)

// compose wires the embed page's form and its sign-in: the form is
// enabled only while the viewer is signed in, and keeps its draft when
// the sign-in ends. Posts go to one channel of to at a time: the viewer
// chooses when there are several. Each goes with the sign-in acctOf gives
// for its instance; the buttons sign in and out of the chosen channel's,
// and name its instance when the channels are on several (home is the
// page's instance).
func compose(view *dom.View, to []*source.Source, acctOf func(*source.Source) *signin.Account, home string, deliver func(moderation.Step)) {
	c, ok, err := view.Composer(glimesh.MaxMessageLength)
	if err != nil {
		slog.Error("glimchat: the composer cannot start", "err", err)
		return
	}
	if !ok {
		return
	}
	chosen := chooser(c, to)
	c.Label(catalog.Send, catalog.MessageLabel)
	ui, hasUI, err := view.Account()
	if err != nil {
		slog.Error("glimchat: the sign-in buttons cannot start", "err", err)
	}
	instances := map[*signin.Account]bool{}
	for _, s := range to {
		instances[acctOf(s)] = true
	}
	signInLabel := func(src *source.Source) string {
		if len(instances) < 2 {
			return catalog.SignIn
		}
		if src.Instance() != "" {
			return catalog.SignInTo(src.Instance())
		}
		return catalog.SignInTo(home)
	}
	var mu sync.Mutex
	shown := acctOf(chosen())   // the sign-in the buttons and the form show
	var pending *signin.Account // the one whose popup is open
	changed := func(acct *signin.Account) func(signedIn bool, note string, focus bool) {
		return func(signedIn bool, note string, focus bool) {
			mu.Lock()
			other := acct != shown
			mu.Unlock()
			if other {
				return // shown when its channel is chosen
			}
			if hasUI {
				ui.Show(signedIn, acct.CanSignIn())
			}
			if signedIn {
				c.Enable(true, catalog.ComposerReady)
				c.Alert("")
				if focus {
					c.Focus()
				}
				return
			}
			c.Enable(false, catalog.ComposerReadOnly)
			if note != "" {
				c.Alert(note)
			}
			if focus && hasUI && acct.CanSignIn() {
				ui.FocusSignIn()
			}
		}
	}
	if hasUI {
		ui.Label(signInLabel(chosen()), catalog.SignOut)
		begin := func() string {
			a := acctOf(chosen())
			mu.Lock()
			pending = a
			mu.Unlock()
			return a.Begin()
		}
		// The callback goes to the sign-in under way; with none, to the
		// shown one, which logs and ignores it.
		answering := func() *signin.Account {
			mu.Lock()
			defer mu.Unlock()
			if pending != nil {
				return pending
			}
			return shown
		}
		err = errors.Join(ui.OnSignIn(begin, func(ok bool) { answering().Opened(ok) }),
			ui.OnSignOut(func() { acctOf(chosen()).SignOut() }),
			dom.OnCallback(func(cb auth.Callback) { answering().Callback(cb) }))
		if err != nil {
			slog.Error("glimchat: the sign-in cannot start", "err", err)
		}
	}
	for a := range instances {
		a.Wire(changed(a))
	}
	err = c.OnChoose(func(i int) {
		src := to[min(max(i, 0), len(to)-1)]
		a := acctOf(src)
		mu.Lock()
		shown = a
		mu.Unlock()
		if hasUI {
			ui.Label(signInLabel(src), catalog.SignOut)
		}
		a.Wire(changed(a)) // shows its state now
	})
	if err != nil {
		slog.Error("glimchat: the channel chooser cannot start", "err", err)
	}
	c.OnSubmit(func(text string) {
		// The textarea's maxlength bounds the length; the instance has the
		// last word on it (it counts characters its own way).
		text = strings.TrimSpace(text)
		if text == "" {
			c.Alert(catalog.Explain(glimesh.ErrEmptyMessage))
			return
		}
		src := chosen()
		acct := acctOf(src)
		client := acct.Client()
		if client == nil {
			c.Alert(catalog.SendingDisabled)
			return
		}
		c.Busy(true)
		defer c.Busy(false)
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if src.ChannelID() == "" {
			c.Alert(catalog.ChannelNotOpen(src.Name()))
			return
		}
		m, err := client.Send(ctx, src.ChannelID(), text)
		if signin.TokenRefused(err) {
			acct.RefusedNow() // says so; the draft stays
			return
		}
		if err != nil {
			c.Alert(catalog.Explain(err))
			return
		}
		c.Alert("")
		c.Clear()
		// The feed shows it once, whichever copy comes first.
		sent := []glimesh.Message{m}
		src.Mark(sent)
		deliver(func(s *moderation.Screen) bool { return s.Add(sent, false) })
	})
}

// chooser offers the channels of to in the composer when there are
// several, and returns what says which one is chosen.
func chooser(c *dom.Composer, to []*source.Source) func() *source.Source {
	if len(to) > 1 {
		names := make([]string, len(to))
		for i, s := range to {
			names[i] = s.Name()
		}
		if err := c.Choose(catalog.SendTo, names); err != nil {
			slog.Error("glimchat: the channel chooser cannot start", "err", err)
		}
	}
	return func() *source.Source { return to[min(max(c.Chosen(), 0), len(to)-1)] }
}

// desks are the moderator tools of the embed page, one Desk per channel
// the viewer moderates: an action goes to its line's channel, on its
// instance, with the sign-in there. The buttons on each message, their
// confirmations and the line that reports results are wired with the
// first.
type desks struct {
	view    *dom.View
	r       *render.Renderer
	deliver func(moderation.Step)

	mu     sync.Mutex
	ui     *pageTools
	failed bool                        // the page has no tools
	by     map[string]*moderation.Desk // by source (moderation.SourceKey)
}

func newDesks(view *dom.View, r *render.Renderer, deliver func(moderation.Step)) *desks {
	return &desks{view: view, r: r, deliver: deliver, by: map[string]*moderation.Desk{}}
}

// add gives the viewer signed in with acct the tools in src's channel, and
// reports whether the page has them.
func (d *desks) add(src *source.Source, acct *signin.Account, rights glimesh.Rights) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ui == nil && !d.failed {
		d.failed = !d.wireLocked()
	}
	if d.failed {
		return false
	}
	d.by[src.Key()] = &moderation.Desk{
		Rights: rights,
		Source: src.Key(),
		Moderate: func(ctx context.Context, a glimesh.Action, target string) (glimesh.ModerationLog, error) {
			client := acct.Client()
			if client == nil {
				return glimesh.ModerationLog{}, signin.ErrSignedOut
			}
			log, err := client.Moderate(ctx, src.ChannelID(), a, target)
			if signin.TokenRefused(err) {
				acct.RefusedNow()
			}
			return log, err
		},
		Deliver: d.deliver,
		UI:      *d.ui,
	}
	return true
}

// wireLocked listens for presses on the tools, and hands each to the desk
// of its line's channel.
func (d *desks) wireLocked() bool {
	t, ok, err := d.view.Tools()
	if err != nil || !ok {
		slog.Warn("glimchat: the moderator tools cannot start", "err", err, "page has a result line", ok)
		return false
	}
	d.ui = &pageTools{t, d.r}
	err = t.OnPress(func(c moderation.Click) {
		d.mu.Lock()
		desk := d.by[moderation.SourceKey(c.Instance, c.Channel)]
		d.mu.Unlock()
		if desk == nil {
			slog.Warn("moderator tools: a press in a channel without tools", "channel", c.Channel, "instance", c.Instance)
			return
		}
		if err := desk.Press(c); err != nil {
			slog.Warn("moderator tools", "err", err, "action", c.Action)
		}
	})
	if err != nil {
		slog.Error("glimchat: the moderator tools cannot start", "err", err)
		return false
	}
	return true
}

// pageTools shows the Desk's steps in the page, rendered by render.
type pageTools struct {
	t *dom.Tools
	r *render.Renderer
}

func (p pageTools) Ask(c moderation.Click) {
	p.t.Replace(c.Box, p.r.Confirm(c.Action, c.Username), moderation.Cancel)
}
func (p pageTools) Busy(c moderation.Click) { p.t.Replace(c.Box, p.r.Busy(c.Action), "") }
func (p pageTools) Restore(c moderation.Click) {
	p.t.Replace(c.Box, p.r.Tools(c.Channel, c.Instance, c.Username), string(c.Action))
}
func (p pageTools) Report(text string, isErr bool) { p.t.Report(text, isErr) }
