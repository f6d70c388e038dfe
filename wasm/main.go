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
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/glimchat/glimchat/wasm/catalog"
	"github.com/glimchat/glimchat/wasm/config"
	"github.com/glimchat/glimchat/wasm/dom"
	"github.com/glimchat/glimchat/wasm/feed"
	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/live"
	"github.com/glimchat/glimchat/wasm/phoenix"
	"github.com/glimchat/glimchat/wasm/render"
	"github.com/glimchat/glimchat/wasm/transport"
)

func main() {
	// The one log sink: the browser console, through wasm_exec's stderr.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
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
	notes := make([]string, 0, len(problems))
	for _, p := range problems {
		log.Warn("ignored URL parameter", "problem", p)
		notes = append(notes, p.Error())
	}
	warn := strings.Join(notes, " ")
	view.SetStatus(warn)
	if cfg.Channel == "" {
		fail(view, catalog.NoChannel, warn)
		return
	}
	if cfg.Instance == nil {
		fail(view, catalog.NoInstance, warn)
		return
	}
	embed := view.Mode() == "embed"
	auth := glimesh.Auth{ClientID: cfg.ClientID}
	if embed {
		auth.Token = dom.SessionValue(config.TokenKey(cfg.Instance))
	}
	if auth.ClientID == "" && auth.Token == "" {
		fail(view, catalog.Explain(glimesh.ErrNoCredentials), warn)
		return
	}

	plan := live.Decide(cfg.Transport, href, cfg.Instance.String())
	var sock *phoenix.Socket
	if plan.Subscribe || plan.Queries == live.ViaSocket {
		url, err := phoenix.SocketURL(cfg.Instance, auth.ClientID, auth.Token)
		if err != nil {
			fail(view, catalog.CannotStart(err), warn)
			return
		}
		sock, err = phoenix.New(phoenix.Config{URL: url, Dial: phoenix.DialWebSocket, Logger: log,
			HeartbeatInterval: cfg.Heartbeat})
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
	hc := &http.Client{Transport: transport.Fetch{}, Timeout: 20 * time.Second}
	if plan.Queries == live.ViaSocket {
		hc = &http.Client{Transport: transport.Tunnel{Socket: sock}, Timeout: 20 * time.Second}
	}
	client, err := glimesh.NewClient(cfg.Instance, hc, auth)
	if err != nil {
		fail(view, catalog.CannotStart(err), warn)
		return
	}

	view.SetState(live.Connecting.String())
	// Until the chat is live, say what is happening: never a blank page.
	view.SetStatus(join(catalog.Connecting(cfg.Channel), warn))
	channelID, err := lookup(ctx, view, client, cfg.Channel, warn)
	if err != nil {
		return // lookup has said why on the page
	}

	msgs := make(chan []glimesh.Message, 64)
	r := render.New(render.Options{Links: embed, Avatars: cfg.Avatars, Instance: cfg.Instance})
	go show(view, feed.New(cfg.Limit), r, msgs)

	// history= messages at start; after a reconnect, enough to fill the
	// screen, so no gap is lost, but nothing from before the start.
	window := &live.Window{History: cfg.History, Limit: cfg.Limit,
		Load: func(ctx context.Context, n int) ([]glimesh.Message, error) {
			return client.History(ctx, channelID, n)
		}}
	backfill := window.Backfill
	history, err := backfill(ctx)
	if err != nil {
		log.Warn("load history", "err", err)
		view.SetError(catalog.Explain(err))
	}
	msgs <- history

	if embed {
		compose(view, client, channelID, auth.Token != "", msgs)
	}

	vars, _ := json.Marshal(map[string]string{"channelId": channelID})
	everLive := false // OnState calls come one at a time
	opts := live.Options{
		Backfill:     backfill,
		Sink:         func(m []glimesh.Message) { msgs <- m },
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

// lookup resolves the channel name to its id. An instance that cannot be
// reached is retried: an overlay may start before the instance does.
func lookup(ctx context.Context, view *dom.View, client *glimesh.Client, channel, warn string) (string, error) {
	for delay := 2 * time.Second; ; delay = min(2*delay, time.Minute) {
		id, err := client.ChannelID(ctx, channel)
		if err == nil {
			return id, nil
		}
		fail(view, catalog.Explain(err), warn)
		var ne *glimesh.NetworkError
		if !errors.As(err, &ne) && !errors.Is(err, context.DeadlineExceeded) {
			return "", err // a refusal or an unknown channel will not change by itself
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return "", ctx.Err()
		}
	}
}

// show owns the feed: every batch of messages, whatever its source, goes
// through it. When the list changed, the view gets all of it and brings the
// page in line at the next frame (dom.Plan). Batches that queued up meanwhile
// are merged first, so a flood costs one snapshot per pass rather than one
// per push.
func show(view *dom.View, f *feed.Feed, r *render.Renderer, in <-chan []glimesh.Message) {
	for batch := range in {
		changed := !f.Add(batch...).Empty()
		for queued := len(in); queued > 0; queued-- {
			changed = !f.Add(<-in...).Empty() || changed
		}
		if !changed {
			continue
		}
		shown := f.Messages()
		ids := make([]string, len(shown))
		for i, m := range shown {
			ids[i] = m.ID
		}
		view.Show(ids, func(i int) string { return r.HTML(shown[i]) })
	}
}

// compose wires the embed page's form: enabled only for a signed-in viewer.
func compose(view *dom.View, client *glimesh.Client, channelID string, signedIn bool, out chan<- []glimesh.Message) {
	c, ok, err := view.Composer(glimesh.MaxMessageLength)
	if err != nil {
		slog.Error("glimchat: the composer cannot start", "err", err)
		return
	}
	if !ok {
		return
	}
	if !signedIn {
		c.Enable(false, catalog.ComposerReadOnly)
		return
	}
	c.Enable(true, catalog.ComposerReady)
	c.OnSubmit(func(text string) {
		// The textarea's maxlength bounds the length; the instance has the
		// last word on it (it counts characters its own way).
		text = strings.TrimSpace(text)
		if text == "" {
			c.Alert(catalog.Explain(glimesh.ErrEmptyMessage))
			return
		}
		c.Busy(true)
		defer c.Busy(false)
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		m, err := client.Send(ctx, channelID, text)
		if err != nil {
			c.Alert(catalog.Explain(err))
			return
		}
		c.Alert("")
		c.Clear()
		out <- []glimesh.Message{m} // the feed shows it once, whichever copy comes first
	})
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
