//go:build js && wasm

// Command wasm is the glimchat widget, compiled to WebAssembly. This file is
// wiring only: config → client → live → feed → view. The logic lives in the
// portable packages beside it, tested on the host.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/glimchat/glimchat/wasm/catalog"
	"github.com/glimchat/glimchat/wasm/config"
	"github.com/glimchat/glimchat/wasm/dom"
	"github.com/glimchat/glimchat/wasm/events"
	"github.com/glimchat/glimchat/wasm/fade"
	"github.com/glimchat/glimchat/wasm/filter"
	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/live"
	"github.com/glimchat/glimchat/wasm/moderation"
	"github.com/glimchat/glimchat/wasm/pace"
	"github.com/glimchat/glimchat/wasm/phoenix"
	"github.com/glimchat/glimchat/wasm/render"
	"github.com/glimchat/glimchat/wasm/signin"
	"github.com/glimchat/glimchat/wasm/source"
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
	pg, ok := readPage(view)
	if !ok {
		return
	}
	src, ok := pg.connect(ctx)
	if !ok {
		return
	}
	if len(pg.cfg.More) > 0 {
		pg.readMany(ctx, append([]*source.Source{src}, pg.more(ctx)...))
		return
	}
	first, ok := pg.open(ctx, src)
	if !ok {
		return
	}
	rights := pg.rights(ctx, pg.acct, src.ChannelID())
	out := pg.output(rights)
	scr, ok := pg.screen(ctx, []*source.Source{src}, out)
	if !ok {
		return
	}
	pg.history(ctx, src, first, out, scr)
	if pg.embed {
		compose(view, []*source.Source{src}, pg.account, pg.cfg.Instance.String(), scr.deliver)
		if rights.Any() {
			newDesks(view, out.r, scr.deliver).add(src, pg.acct, rights)
		}
	}
	everLive := false // state calls come one at a time
	err := pg.follow(ctx, src, first.Stream, out, scr, func(st live.State, err error) {
		state(pg.view, st, err, pg.warn, everLive)
		everLive = everLive || st == live.Live
	})
	if err != nil {
		pg.fail(catalog.Explain(err))
	}
}

// page is what every step of run shares: the view, the configuration and
// what the page says while it starts.
type page struct {
	view  *dom.View
	cfg   config.Config
	embed bool
	warn  string // the parameter warnings the embed page keeps in its status line
	plan  live.Plan
	acct  *signin.Account // the embed page's sign-in; nil on the overlay
	// accts are the embed page's sign-ins with the other instances of
	// channel=, by their URL (source.Source.Instance).
	accts map[string]*signin.Account
	log   *slog.Logger
	conns map[string]conn // by instance origin: the socket and client its sources share
}

// conn is one instance's connection: one socket carries the subscriptions
// of all its channels.
type conn struct {
	sock   *phoenix.Socket // nil when the chat is polled
	client *glimesh.Client
	subs   int // subscriptions the socket carries
}

// subsPerSocket is how many subscriptions the page puts on one socket
// before it opens another to the same instance: an instance may bound
// them (glimchat demo allows 10), and a channel needs one or two.
const subsPerSocket = 10

// readPage reads the configuration from the URL and picks the language.
// Parameter warnings go to the console (and the generator shows them). On
// air the overlay shows nothing but chat, and an error that stops it,
// once; the embed page also says them in its status line.
func readPage(view *dom.View) (*page, bool) {
	href, search := dom.Location()
	cfg, problems := config.Parse(search, href)
	catalog.Use(append([]string{cfg.Overlay.Lang}, dom.Languages()...)...)
	pg := &page{view: view, cfg: cfg, embed: view.Mode() == "embed", log: slog.Default()}
	notes := make([]string, 0, len(problems))
	for _, p := range problems {
		pg.log.Warn("ignored URL parameter", "problem", p)
		var pe *config.ParamError
		if errors.As(p, &pe) && pe.Param == "channel" && cfg.Channel == "" {
			continue // fail says it below
		}
		notes = append(notes, p.Error())
	}
	if pg.embed {
		pg.warn = strings.Join(notes, " ")
	}
	view.SetStatus(pg.warn)
	switch {
	case cfg.Channel == "":
		pg.fail(catalog.NoChannel)
		return nil, false
	case cfg.Instance == nil:
		pg.fail(catalog.NoInstance)
		return nil, false
	}
	for _, s := range cfg.Sources() {
		origin := s.Instance.Scheme + "://" + s.Instance.Host
		if err := view.OnPolicyBlock(s.Instance, catalog.BlockedByPolicy(origin)); err != nil {
			pg.log.Warn("listen for CSP refusals", "err", err)
		}
	}
	pg.plan = live.Decide(cfg.Transport, href, cfg.Instance.String())
	return pg, true
}

// connect picks the credentials, starts the socket and makes the source.
// The chat reads with the client_id; a viewer's token is the account's,
// for posting. Only a page without a client_id reads with the token.
func (pg *page) connect(ctx context.Context) (*source.Source, bool) {
	creds := glimesh.Auth{ClientID: pg.cfg.ClientID}
	if pg.embed {
		pg.acct = newAccount(pg.cfg, pg.cfg.Instance, pg.cfg.ClientID, pg.plan, pg.log)
		if pg.acct.Restore() && creds.ClientID == "" {
			creds.Token = pg.acct.Token()
		}
	}
	if creds.ClientID == "" && creds.Token == "" {
		if pg.embed {
			pg.fail(catalog.Explain(glimesh.ErrNoCredentials))
		} else {
			pg.fail(catalog.NoClientID) // an overlay cannot sign in
		}
		return nil, false
	}
	src, err := pg.source(ctx, config.ChatSource{Channel: pg.cfg.Channel, Instance: pg.cfg.Instance}, creds, pg.plan, "")
	if err != nil {
		pg.fail(catalog.CannotStart(err))
		return nil, false
	}
	return src, true
}

// source makes the source of channel s, on the connection to its instance
// (made now when it is the first source there). other is the instance's
// origin when it is not the page's first, else "".
func (pg *page) source(ctx context.Context, s config.ChatSource, creds glimesh.Auth, plan live.Plan, other string) (*source.Source, error) {
	if pg.conns == nil {
		pg.conns = map[string]conn{}
	}
	need := 1 // the chat
	if ev := pg.cfg.Overlay.EventsFor(pg.embed); ev.Has(config.ShowLive) || ev.Has(config.ShowTitle) {
		need++ // the channel's changes
	}
	c, ok := pg.conns[s.Instance.String()]
	if !ok || c.sock != nil && c.subs+need > subsPerSocket {
		sock, client, err := pg.dial(ctx, s.Instance, plan, creds)
		if err != nil {
			return nil, err
		}
		c = conn{sock: sock, client: client}
	}
	c.subs += need
	pg.conns[s.Instance.String()] = c
	src, err := source.New(source.Options{Client: c.client, Channel: s.Channel, Instance: other, Socket: c.sock,
		PollFallback: plan.PollFallback, History: pg.cfg.History, Limit: pg.cfg.Limit,
		ModPoll: pg.cfg.ModPoll, ModQuiet: pg.quietModPoll(), Poll: pg.cfg.Poll, Logger: pg.log})
	if err != nil {
		return nil, err
	}
	if err := dom.OnVisibility(src.Visible); err != nil {
		pg.log.Warn("listen for the page being hidden", "err", err) // reads go on while hidden
	}
	return src, nil
}

// Once the chat is quiet, the moderation is read this often: an overlay,
// one per streamer, keeps it brisk; the embed, one per viewer, spares the
// instance (moderation.QuietAfter).
const (
	overlayQuietModPoll = 15 * time.Second
	embedQuietModPoll   = time.Minute
)

func (pg *page) quietModPoll() time.Duration {
	if pg.embed {
		return max(pg.cfg.ModPoll, embedQuietModPoll)
	}
	return max(pg.cfg.ModPoll, overlayQuietModPoll)
}

// dial starts the socket the plan asks for, and the client whose queries
// go by fetch or, cross-origin, through that socket. sock is nil when the
// chat is polled.
func (pg *page) dial(ctx context.Context, instance *url.URL, plan live.Plan, creds glimesh.Auth) (sock *phoenix.Socket, client *glimesh.Client, err error) {
	var tunnel *phoenix.Socket
	if plan.Subscribe || plan.Queries == live.ViaSocket {
		if sock, err = newSocket(pg.cfg, instance, creds, pg.log); err != nil {
			return nil, nil, err
		}
		go sock.Run(ctx)
		if err := dom.OnWake(sock.Wake); err != nil {
			pg.log.Warn("listen for page wake-ups", "err", err) // reconnects still happen, after the backoff
		}
		if plan.Queries == live.ViaSocket {
			tunnel = sock
		}
	}
	client, err = glimesh.NewClient(instance, queries(tunnel), creds)
	if !plan.Subscribe {
		sock = nil // the chat is polled
	}
	return sock, client, err
}

// open sends the start query, while the socket dials. Until the chat is
// live, the page says what is happening: never a blank page.
func (pg *page) open(ctx context.Context, src *source.Source) (glimesh.Start, bool) {
	pg.view.SetState(live.Connecting.String())
	pg.view.SetStatus(join(catalog.Connecting(pg.cfg.Channel), pg.warn))
	dom.Mark("start query")
	first, err := src.Open(ctx, func(err error) { pg.fail(catalog.Explain(err)) })
	if err != nil {
		return glimesh.Start{}, false // fail has said why on the page
	}
	dom.Mark("start answered")
	return first, true
}

// account is the embed page's sign-in that posts and moderates in src:
// the one with its instance.
func (pg *page) account(src *source.Source) *signin.Account {
	if src.Instance() == "" {
		return pg.acct
	}
	return pg.accts[src.Instance()]
}

// rights asks what a moderator signed in with acct may do in a channel,
// before its first message is rendered: they get tools on its messages. A
// refused token must not hold the chat back for long.
func (pg *page) rights(ctx context.Context, acct *signin.Account, channelID string) glimesh.Rights {
	poster := acct.Client()
	if poster == nil {
		return glimesh.Rights{}
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	rights, err := poster.Rights(rctx, channelID)
	if err != nil {
		pg.log.Warn("read the viewer's moderator rights", "err", err)
	}
	return rights
}

// output is how a visible list reaches the page: the filter before it,
// the renderer, and fade when it is on.
type output struct {
	keep  *filter.Filter
	r     *render.Renderer
	paint func([]glimesh.Message)
	// The live region goes on after the history is on the page, so only
	// new messages are announced (historyIn: the history step ran).
	historyIn, announced atomic.Bool
}

func (pg *page) output(rights glimesh.Rights) *output {
	cfg, o := pg.cfg, pg.cfg.Overlay
	out := &output{}
	out.keep = filter.New(filter.Options{ShowBots: o.ShowBots, Bots: o.BotNames, HideCommands: o.HideCommands,
		Block: o.Block, Highlight: o.Highlight, Streamer: cfg.Channel, Mentions: o.Mentions,
		HideFollows: !o.EventsFor(pg.embed).Has(config.ShowFollows)})
	out.r = render.New(render.Options{Links: pg.embed, Avatars: cfg.Avatars, Instance: cfg.Instance, Tools: rights,
		ToolsChannel: cfg.Channel, Highlight: out.keep.Highlighted, Timestamps: o.Timestamps,
		SourceTags: len(cfg.More) > 0 && !o.HideSourceTag})
	out.paint = func(shown []glimesh.Message) {
		show(pg.view, out.r, shown)
		if out.historyIn.Load() && !out.announced.Swap(true) {
			pg.view.Announce()
		}
	}
	// Fade keeps one timer, for the oldest message; a page shown again
	// catches up before it paints.
	before := func() {}
	if o.Fade > 0 {
		fader := fade.New(o.Fade, nil, out.paint)
		out.paint, before = fader.Show, fader.Check
		if err := dom.OnWake(fader.Check); err != nil {
			pg.log.Warn("listen for page wake-ups", "err", err)
		}
	}
	pg.view.Look(o.Attrs(), o.Props(), !pg.embed, o.PreventClipping, before)
	return out
}

// lanes are the ways into the screen's one goroutine, which applies every
// message and every moderation read in the order it was sent.
type lanes struct {
	deliver func(moderation.Step)
	pacer   *pace.Pacer
}

// screen starts the screen, with the source's moderation reads, and the
// pacer: live messages reach the screen a screenful a frame at most, so
// that none is pruned before it was painted.
func (pg *page) screen(ctx context.Context, srcs []*source.Source, out *output) (*lanes, bool) {
	steps := make(chan moderation.Step, 64)
	l := &lanes{deliver: func(s moderation.Step) { steps <- s }}
	scr := moderation.New(moderation.Options{Limit: pg.cfg.Limit, Hold: pg.cfg.Hold, Gated: pg.cfg.ModPoll > 0})
	var kicks []func()
	for _, src := range srcs {
		kick, err := src.Moderate(l.deliver)
		if err != nil {
			pg.fail(catalog.CannotStart(err))
			return nil, false
		}
		if kick != nil {
			kicks = append(kicks, kick)
		}
	}
	var readNow func()
	if len(kicks) > 0 {
		readNow = func() {
			for _, k := range kicks {
				k()
			}
		}
	}
	go scr.Run(ctx, steps, out.paint, readNow)
	l.pacer = pace.New(pace.Options{Limit: pg.cfg.Limit, Logger: pg.log,
		Frame: pg.view.FrameTime, NextFrame: pg.view.NextFrame, Hidden: dom.Hidden, Gap: pace.DefaultGap})
	pg.view.OnPaint(l.pacer.Painted)
	go l.pacer.Run(ctx, func(m []glimesh.Message) {
		l.deliver(func(s *moderation.Screen) bool { return s.Add(m, false) })
	})
	return l, true
}

// history shows the start's messages, with its moderation applied first.
func (pg *page) history(ctx context.Context, src *source.Source, first glimesh.Start, out *output, l *lanes) {
	history := out.keep.Apply(src.Begin(ctx, first))
	l.deliver(func(s *moderation.Screen) bool {
		changed := s.Add(history, true)
		out.historyIn.Store(true)
		if !changed && !out.announced.Swap(true) {
			pg.view.Announce() // nothing to paint first
		}
		return changed
	})
}

// follow reads the live chat, and the stream's changes the page shows,
// until the page closes; onState gets the connection's state. A change of
// the stream is no chat message: it skips the filter, the pace and the
// hold, and is pruned with the rest.
func (pg *page) follow(ctx context.Context, src *source.Source, stream glimesh.ChannelState, out *output, l *lanes,
	onState func(live.State, error)) error {
	sinks := source.Sinks{
		Messages: func(m []glimesh.Message) { l.pacer.Add(ctx, out.keep.Apply(m)) },
		State:    onState,
	}
	if ev := pg.cfg.Overlay.EventsFor(pg.embed); ev.Has(config.ShowLive) || ev.Has(config.ShowTitle) {
		tracker := events.NewTracker(events.Show{Live: ev.Has(config.ShowLive), Title: ev.Has(config.ShowTitle)}, stream)
		sinks.Stream = func(st glimesh.ChannelState, after string) {
			if line, ok := tracker.Push(st, after); ok {
				line.InsertedAt = time.Now().UTC().Format("2006-01-02T15:04:05")
				lines := []glimesh.Message{line}
				src.Mark(lines)
				l.deliver(func(s *moderation.Screen) bool { return s.Add(lines, true) })
			}
		}
	}
	err := src.Run(ctx, sinks)
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func (pg *page) fail(msg string) { fail(pg.view, msg, pg.warn) }

// show hands the visible list to the view, which brings the page in line
// (dom.Plan), at once or at the next frame: a removed message leaves the
// DOM there.
func show(view *dom.View, r *render.Renderer, shown []glimesh.Message) {
	ids := make([]string, len(shown))
	for i, m := range shown {
		ids[i] = m.Key()
	}
	view.Show(ids, func(i int) string { return r.HTML(shown[i]) })
}

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
