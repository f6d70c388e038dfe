//go:build js && wasm

package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

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
// the sign-in ends.
// Posts go to one channel of to at a time: the viewer chooses when there
// are several (all on the instance the viewer signed in to).
func compose(view *dom.View, acct *signin.Account, to []*source.Source, deliver func(moderation.Step)) {
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
	changed := func(signedIn bool, note string, focus bool) {
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
	if hasUI {
		ui.Label(catalog.SignIn, catalog.SignOut)
		err = errors.Join(ui.OnSignIn(acct.Begin, acct.Opened), ui.OnSignOut(acct.SignOut), dom.OnCallback(acct.Callback))
		if err != nil {
			slog.Error("glimchat: the sign-in cannot start", "err", err)
		}
	}
	acct.Wire(changed)
	c.OnSubmit(func(text string) {
		// The textarea's maxlength bounds the length; the instance has the
		// last word on it (it counts characters its own way).
		text = strings.TrimSpace(text)
		if text == "" {
			c.Alert(catalog.Explain(glimesh.ErrEmptyMessage))
			return
		}
		client := acct.Client()
		if client == nil {
			c.Alert(catalog.SendingDisabled)
			return
		}
		c.Busy(true)
		defer c.Busy(false)
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		src := chosen()
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

// tools wires the moderator tools of the embed page: the buttons on each
// message, their confirmations and the line that reports results.
func tools(view *dom.View, r *render.Renderer, acct *signin.Account, channelID, source string, rights glimesh.Rights, deliver func(moderation.Step)) {
	t, ok, err := view.Tools()
	if err != nil || !ok {
		slog.Warn("glimchat: the moderator tools cannot start", "err", err, "page has a result line", ok)
		return
	}
	desk := &moderation.Desk{
		Rights: rights,
		Source: source,
		Moderate: func(ctx context.Context, a glimesh.Action, target string) (glimesh.ModerationLog, error) {
			client := acct.Client()
			if client == nil {
				return glimesh.ModerationLog{}, signin.ErrSignedOut
			}
			log, err := client.Moderate(ctx, channelID, a, target)
			if signin.TokenRefused(err) {
				acct.RefusedNow()
			}
			return log, err
		},
		Deliver: deliver,
		UI:      pageTools{t, r},
	}
	err = t.OnPress(func(c moderation.Click) {
		if err := desk.Press(c); err != nil {
			slog.Warn("moderator tools", "err", err, "action", c.Action)
		}
	})
	if err != nil {
		slog.Error("glimchat: the moderator tools cannot start", "err", err)
	}
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
	p.t.Replace(c.Box, p.r.Tools(c.Username), string(c.Action))
}
func (p pageTools) Report(text string, isErr bool) { p.t.Report(text, isErr) }
