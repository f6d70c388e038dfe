//go:build js && wasm

package main

import (
	"context"
	"errors"
	"strings"

	"github.com/glimchat/glimchat/wasm/catalog"
	"github.com/glimchat/glimchat/wasm/dom"
	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/live"
	"github.com/glimchat/glimchat/wasm/signin"
	"github.com/glimchat/glimchat/wasm/source"
)

// more makes the sources of the channels beyond the first (channel=a,b,…),
// each on the connection to its instance. One that cannot be made is said
// on the page, and the others go on.
func (pg *page) more(ctx context.Context) []*source.Source {
	var out []*source.Source
	for _, s := range pg.cfg.More {
		creds, plan, other := glimesh.Auth{ClientID: pg.cfg.ClientID}, pg.plan, ""
		if s.Other(pg.cfg.Instance) {
			href, _ := dom.Location()
			creds, plan, other = glimesh.Auth{ClientID: s.ClientID}, live.Decide(pg.cfg.Transport, href, s.Instance.String()), s.Instance.String()
			if pg.embed && pg.accts[other] == nil {
				if pg.accts == nil {
					pg.accts = map[string]*signin.Account{}
				}
				acct := newAccount(pg.cfg, s.Instance, s.ClientID, plan, pg.log)
				acct.Restore()
				pg.accts[other] = acct
			}
		}
		src, err := pg.source(ctx, s, creds, plan, other)
		if err != nil {
			pg.log.Warn("glimchat: a channel cannot start", "channel", s.Channel, "err", err)
			continue
		}
		out = append(out, src)
	}
	return out
}

// readMany reads several channels into one list: each source opens,
// shows its history and follows its chat on its own, and says its trouble
// on the page by name, while the others go on. The embed page's composer
// posts to the chosen channel, with the sign-in on its instance; a
// moderator gets tools on the lines of the channels they moderate.
func (pg *page) readMany(ctx context.Context, srcs []*source.Source) {
	names := make([]string, len(srcs))
	for i, s := range srcs {
		names[i] = s.Name()
	}
	pg.view.SetState(live.Connecting.String())
	pg.view.SetStatus(join(catalog.Connecting(strings.Join(names, ", ")), pg.warn))
	out := pg.output(glimesh.Rights{})
	l, ok := pg.screen(ctx, srcs, out)
	if !ok {
		return
	}
	board := &source.Board{}
	report := func(src *source.Source, st live.State, err error) {
		problem := ""
		if err != nil && !errors.Is(err, context.Canceled) {
			problem = catalog.Explain(err)
		}
		pageState, problems := board.Set(src.Name(), st, problem)
		pg.view.SetState(pageState.String())
		if problems != "" {
			pg.view.SetError(join(problems, pg.warn))
		} else if pageState == live.Live {
			pg.view.SetStatus(pg.warn)
		}
	}
	var d *desks
	if pg.embed {
		d = newDesks(pg.view, out.r, l.deliver)
	}
	for i, src := range srcs {
		board.Set(src.Name(), live.Connecting, "")
		go pg.readOne(ctx, src, i == 0, srcs, d, out, l, func(st live.State, err error) { report(src, st, err) })
	}
}

// readOne opens one source of several and follows it until the page
// closes. On the embed page, the first also starts the composer, for all.
func (pg *page) readOne(ctx context.Context, src *source.Source, primary bool, all []*source.Source, d *desks, out *output, l *lanes,
	onState func(live.State, error)) {
	first, err := src.Open(ctx, func(err error) { onState(live.Reconnecting, err) })
	if err != nil {
		onState(live.Offline, err)
		return
	}
	if d != nil {
		// Before its history renders, so that its lines get the tools.
		acct := pg.account(src)
		if rights := pg.rights(ctx, acct, src.ChannelID()); rights.Any() && d.add(src, acct, rights) {
			out.r.Grant(src.Channel(), src.Instance(), rights)
		}
	}
	pg.history(ctx, src, first, out, l)
	if primary && pg.embed {
		compose(pg.view, all, pg.account, pg.cfg.Instance.String(), l.deliver)
	}
	if err := pg.follow(ctx, src, first.Stream, out, l, onState); err != nil {
		onState(live.Offline, err)
	}
}
