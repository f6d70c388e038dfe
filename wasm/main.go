//go:build js && wasm

// Command wasm is the glimchat widget, compiled to WebAssembly. This file is
// wiring only: config → client → live → feed → view. The logic lives in the
// portable packages beside it, tested on the host.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/glimchat/glimchat/wasm/catalog"
	"github.com/glimchat/glimchat/wasm/config"
	"github.com/glimchat/glimchat/wasm/dom"
	"github.com/glimchat/glimchat/wasm/fade"
	"github.com/glimchat/glimchat/wasm/filter"
	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/live"
	"github.com/glimchat/glimchat/wasm/moderation"
	"github.com/glimchat/glimchat/wasm/pace"
	"github.com/glimchat/glimchat/wasm/phoenix"
	"github.com/glimchat/glimchat/wasm/render"
)

func main() {
	dom.Mark("main")
	// The one log sink: the browser console, through wasm_exec's stderr.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if g, ok, err := dom.FindGenerator(); ok || err != nil {
		if err != nil {
			slog.Error("glimchat: the generator cannot start", "err", err)
			os.Exit(1)
		}
		go generate(g)
		select {}
	}
	view, err := dom.Mount()
	if err != nil {
		slog.Error("glimchat: cannot start", "err", err)
		os.Exit(1) // the loader turns a non-zero exit into a message on the page
	}
	go run(view)
	select {}
}

func run(view *dom.View) {
	ctx := context.Background()
	log := slog.Default()
	href, search := dom.Location()
	cfg, problems := config.Parse(search, href)
	catalog.Use(append([]string{cfg.Overlay.Lang}, dom.Languages()...)...)
	embed := view.Mode() == "embed"
	// Parameter warnings go to the console (and the generator shows
	// them). On air the overlay shows nothing but chat, and an error that
	// stops it, once; the embed page also says them in its status line.
	notes := make([]string, 0, len(problems))
	for _, p := range problems {
		log.Warn("ignored URL parameter", "problem", p)
		var pe *config.ParamError
		if errors.As(p, &pe) && pe.Param == "channel" && cfg.Channel == "" {
			continue // fail says it below
		}
		notes = append(notes, p.Error())
	}
	warn := ""
	if embed {
		warn = strings.Join(notes, " ")
	}
	view.SetStatus(warn)
	if cfg.Channel == "" {
		fail(view, catalog.NoChannel, warn)
		return
	}
	if cfg.Instance == nil {
		fail(view, catalog.NoInstance, warn)
		return
	}
	origin := cfg.Instance.Scheme + "://" + cfg.Instance.Host
	if err := view.OnPolicyBlock(cfg.Instance, catalog.BlockedByPolicy(origin)); err != nil {
		log.Warn("listen for CSP refusals", "err", err)
	}
	plan := live.Decide(cfg.Transport, href, cfg.Instance.String())
	// The chat reads with the client_id; a viewer's token is the account's,
	// for posting. Only a page without a client_id reads with the token.
	auth := glimesh.Auth{ClientID: cfg.ClientID}
	var acct *account
	if embed {
		acct = newAccount(cfg, plan, log)
		if acct.restore() && auth.ClientID == "" {
			auth.Token = acct.token()
		}
	}
	if auth.ClientID == "" && auth.Token == "" {
		if embed {
			fail(view, catalog.Explain(glimesh.ErrNoCredentials), warn)
		} else {
			fail(view, catalog.NoClientID, warn) // an overlay cannot sign in
		}
		return
	}

	var sock, tunnel *phoenix.Socket
	if plan.Subscribe || plan.Queries == live.ViaSocket {
		var err error
		sock, err = newSocket(cfg, auth, log)
		if err != nil {
			fail(view, catalog.CannotStart(err), warn)
			return
		}
		go sock.Run(ctx)
		if err := dom.OnWake(sock.Wake); err != nil {
			// Reconnects still happen, only after the backoff.
			log.Warn("listen for page wake-ups", "err", err)
		}
	}
	if plan.Queries == live.ViaSocket {
		tunnel = sock
	}
	client, err := glimesh.NewClient(cfg.Instance, queries(tunnel), auth)
	if err != nil {
		fail(view, catalog.CannotStart(err), warn)
		return
	}

	view.SetState(live.Connecting.String())
	// Until the chat is live, say what is happening: never a blank page.
	view.SetStatus(join(catalog.Connecting(cfg.Channel), warn))
	// One query, while the socket dials: the channel, its recent history
	// and, for moderation before the first paint, its moderation.
	logs := 0
	if cfg.ModPoll > 0 {
		logs = moderation.LogsPerRead
	}
	began := time.Now()
	dom.Mark("start query")
	first, err := lookup(ctx, view, client, cfg.Channel, live.FirstLoad(cfg.History), logs, warn)
	if err != nil {
		return // lookup has said why on the page
	}
	dom.Mark("start answered")
	channelID := first.ChannelID

	// A moderator signed in to the embed page gets tools on every message:
	// know that before the first message is rendered.
	var rights glimesh.Rights
	if poster := acct.client(); poster != nil {
		// A refused token must not hold the chat back for long.
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		rights, err = poster.Rights(rctx, channelID)
		cancel()
		if err != nil {
			log.Warn("read the viewer's moderator rights", "err", err)
		}
	}
	o := cfg.Overlay
	keep := filter.New(filter.Options{ShowBots: o.ShowBots, Bots: o.BotNames, HideCommands: o.HideCommands,
		Block: o.Block, Highlight: o.Highlight, Streamer: cfg.Channel, Mentions: o.Mentions})
	r := render.New(render.Options{Links: embed, Avatars: cfg.Avatars, Instance: cfg.Instance, Tools: rights,
		Highlight: keep.Highlighted, Timestamps: o.Timestamps})
	// Messages reach the view through fade when it is on: one timer, for
	// the oldest message; a page shown again catches up before it paints.
	// The live region goes on after the history is on the page, so only
	// new messages are announced (historyIn: the history step ran).
	var historyIn, announced atomic.Bool
	paint := func(shown []glimesh.Message) {
		show(view, r, shown)
		if historyIn.Load() && !announced.Swap(true) {
			view.Announce()
		}
	}
	before := func() {}
	if o.Fade > 0 {
		fader := fade.New(o.Fade, nil, paint)
		paint, before = fader.Show, fader.Check
		if err := dom.OnWake(fader.Check); err != nil {
			log.Warn("listen for page wake-ups", "err", err)
		}
	}
	view.Look(o.Attrs(), o.Props(), !embed, o.PreventClipping, before)

	// Every message and every moderation read goes through the screen's
	// one goroutine, in the order it was sent.
	steps := make(chan moderation.Step, 64)
	deliver := func(s moderation.Step) { steps <- s }
	screen := moderation.New(moderation.Options{Limit: cfg.Limit, Hold: cfg.Hold, Gated: cfg.ModPoll > 0})
	var poller *moderation.Poller
	var readNow func()
	if cfg.ModPoll > 0 {
		poller, err = moderation.NewPoller(moderation.PollOptions{
			Fetch: func(ctx context.Context) (glimesh.Moderation, error) {
				return client.Moderation(ctx, channelID, moderation.LogsPerRead, moderation.BansPerRead)
			},
			Deliver: deliver, Interval: cfg.ModPoll, Logger: log,
		})
		if err != nil {
			fail(view, catalog.CannotStart(err), warn)
			return
		}
		readNow = poller.Kick
	}
	go screen.Run(ctx, steps, paint, readNow)
	// Live messages reach the screen a screenful a frame at most, so that
	// none is pruned before it was painted.
	pacer := pace.New(pace.Options{Limit: cfg.Limit, Logger: log})
	view.OnPaint(pacer.Painted)
	go pacer.Run(ctx, func(m []glimesh.Message) {
		deliver(func(s *moderation.Screen) bool { return s.Add(m, false) })
	})

	// history= messages at start; after a reconnect, enough to fill the
	// screen, so no gap is lost, but nothing from before the start. Each
	// load is followed by a read of the moderation, applied first.
	window := &live.Window{History: cfg.History, Limit: cfg.Limit,
		Load: func(ctx context.Context, n int) ([]glimesh.Message, error) {
			return client.History(ctx, channelID, n)
		}}
	backfill := window.Backfill
	if poller != nil {
		backfill = poller.Wrap(backfill)
		if first.Moderated {
			poller.Deliver(first.Moderation, began)
		} else {
			poller.Once(ctx)
		}
	}
	history := keep.Apply(window.Start(first.Messages))
	deliver(func(s *moderation.Screen) bool {
		changed := s.Add(history, true)
		historyIn.Store(true)
		if !changed && !announced.Swap(true) {
			view.Announce() // nothing to paint first
		}
		return changed
	})
	if poller != nil {
		go poller.Run(ctx)
	}

	if embed {
		compose(view, acct, channelID, deliver)
		if rights.Any() {
			tools(view, r, acct, channelID, rights, deliver)
		}
	}

	vars, _ := json.Marshal(map[string]string{"channelId": channelID})
	everLive := false // OnState calls come one at a time
	opts := live.Options{
		Backfill:     backfill,
		Sink:         func(m []glimesh.Message) { pacer.Add(ctx, keep.Apply(m)) },
		PollInterval: cfg.Poll,
		OnState: func(st live.State, err error) {
			state(view, st, err, warn, everLive)
			everLive = everLive || st == live.Live
		},
		Logger: log,
	}
	if plan.Subscribe {
		fo := live.FollowOptions{Options: opts, Socket: sock, Query: glimesh.Subscription, Variables: vars}
		if plan.PollFallback {
			fo.FallbackAfter = 3
		}
		err = live.Follow(ctx, fo)
	} else {
		err = live.Poll(ctx, opts)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		fail(view, catalog.Explain(err), warn)
	}
}

// lookup resolves the channel name to its id and reads its first n
// messages (and, with logs > 0, its moderation) in the same query. An
// instance that cannot be reached is retried: an overlay may start before
// the instance does, and the first history must not be lost to a blip.
func lookup(ctx context.Context, view *dom.View, client *glimesh.Client, channel string, n, logs int, warn string) (glimesh.Start, error) {
	for delay := 2 * time.Second; ; delay = min(2*delay, time.Minute) {
		st, err := client.Start(ctx, channel, n, logs, moderation.BansPerRead)
		if err == nil {
			return st, nil
		}
		fail(view, catalog.Explain(err), warn)
		var ne *glimesh.NetworkError
		if !errors.As(err, &ne) && !errors.Is(err, context.DeadlineExceeded) {
			return glimesh.Start{}, err // a refusal or an unknown channel will not change by itself
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return glimesh.Start{}, ctx.Err()
		}
	}
}

// show hands the visible list to the view, which brings the page in line
// at the next frame (dom.Plan): a removed message leaves the DOM there.
func show(view *dom.View, r *render.Renderer, shown []glimesh.Message) {
	ids := make([]string, len(shown))
	for i, m := range shown {
		ids[i] = m.ID
	}
	view.Show(ids, func(i int) string { return r.HTML(shown[i]) })
}

// compose wires the embed page's form and its sign-in: the form is
// enabled only while the viewer is signed in, and keeps its draft when
// the sign-in ends.
func compose(view *dom.View, acct *account, channelID string, deliver func(moderation.Step)) {
	c, ok, err := view.Composer(glimesh.MaxMessageLength)
	if err != nil {
		slog.Error("glimchat: the composer cannot start", "err", err)
		return
	}
	if !ok {
		return
	}
	c.Label(catalog.Send, catalog.MessageLabel)
	ui, hasUI, err := view.Account()
	if err != nil {
		slog.Error("glimchat: the sign-in buttons cannot start", "err", err)
	}
	changed := func(signedIn bool, note string, focus bool) {
		if hasUI {
			ui.Show(signedIn, acct.canSignIn())
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
		if focus && hasUI && acct.canSignIn() {
			ui.FocusSignIn()
		}
	}
	if hasUI {
		ui.Label(catalog.SignIn, catalog.SignOut)
		err = errors.Join(ui.OnSignIn(acct.begin, acct.opened), ui.OnSignOut(acct.signOut), dom.OnCallback(acct.callback))
		if err != nil {
			slog.Error("glimchat: the sign-in cannot start", "err", err)
		}
	}
	acct.wire(changed)
	c.OnSubmit(func(text string) {
		// The textarea's maxlength bounds the length; the instance has the
		// last word on it (it counts characters its own way).
		text = strings.TrimSpace(text)
		if text == "" {
			c.Alert(catalog.Explain(glimesh.ErrEmptyMessage))
			return
		}
		client := acct.client()
		if client == nil {
			c.Alert(catalog.SendingDisabled)
			return
		}
		c.Busy(true)
		defer c.Busy(false)
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		m, err := client.Send(ctx, channelID, text)
		if tokenRefused(err) {
			acct.refusedNow() // says so; the draft stays
			return
		}
		if err != nil {
			c.Alert(catalog.Explain(err))
			return
		}
		c.Alert("")
		c.Clear()
		// The feed shows it once, whichever copy comes first.
		deliver(func(s *moderation.Screen) bool { return s.Add([]glimesh.Message{m}, false) })
	})
}

// tools wires the moderator tools of the embed page: the buttons on each
// message, their confirmations and the line that reports results.
func tools(view *dom.View, r *render.Renderer, acct *account, channelID string, rights glimesh.Rights, deliver func(moderation.Step)) {
	t, ok, err := view.Tools()
	if err != nil || !ok {
		slog.Warn("glimchat: the moderator tools cannot start", "err", err, "page has a result line", ok)
		return
	}
	desk := &moderation.Desk{
		Rights: rights,
		Moderate: func(ctx context.Context, a glimesh.Action, target string) (glimesh.ModerationLog, error) {
			client := acct.client()
			if client == nil {
				return glimesh.ModerationLog{}, errSignedOut
			}
			log, err := client.Moderate(ctx, channelID, a, target)
			if tokenRefused(err) {
				acct.refusedNow()
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

// state shows the connection state. A refusal is explained only before the
// first success: once the client id worked, a refusal is an outage that
// heals (a restart, a load balancer's 503), and an overlay must not put
// alarms on stream for it.
func state(view *dom.View, st live.State, err error, warn string, everLive bool) {
	view.SetState(st.String())
	switch {
	case st == live.Live:
		view.SetStatus(warn)
	case errors.Is(err, phoenix.ErrRefused) && !everLive:
		view.SetError(join(catalog.LiveRefused, warn))
	}
}

func fail(view *dom.View, msg, warn string) {
	view.SetState(live.Offline.String())
	view.SetError(join(msg, warn))
}

func join(a, b string) string {
	if b == "" {
		return a
	}
	return a + " " + b
}
