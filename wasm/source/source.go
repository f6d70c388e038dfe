// Package source reads one channel on one instance: the start query (the
// channel, its history and its moderation in one round trip), the live
// messages (a subscription, or polling), the backfill after a reconnect
// and the moderation reads. It hands the page what it found as two
// streams: messages for the pacer, and moderation steps for the screen.
// The page owns the view, the pace, the list and the composer.
package source

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/live"
	"github.com/glimchat/glimchat/wasm/moderation"
	"github.com/glimchat/glimchat/wasm/phoenix"
)

// Options configure a Source.
type Options struct {
	Client  *glimesh.Client
	Channel string // the streamer's username
	// Instance is the instance's origin when it is not the page's first
	// instance, "" there: every message read is marked with it and Channel.
	Instance string
	// Socket carries the subscription; nil reads by polling. It must be
	// running (or be started) separately.
	Socket *phoenix.Socket
	// PollFallback: poll while the socket keeps failing (live.Plan).
	PollFallback bool
	History      int           // messages at start (history=)
	Limit        int           // messages on screen (limit=)
	ModPoll      time.Duration // between moderation reads while the chat is lively; 0 reads none
	ModQuiet     time.Duration // between them once it is quiet (moderation.QuietAfter)
	Poll         time.Duration // between polls, when polling
	Clock        phoenix.Clock // default phoenix.SystemClock
	Logger       *slog.Logger  // default discards
}

// Source is one channel on one instance. Open, then Moderate, Begin and
// Run, in that order.
type Source struct {
	o      Options
	id     string // the channel's id, once open
	poller *moderation.Poller
	began  time.Time    // when the start query was sent
	window *live.Window // what the start showed, for the backfills

	mu     sync.Mutex
	newest string // the newest message id seen
}

// New returns a source for o.Channel; nothing is sent yet.
func New(o Options) (*Source, error) {
	if o.Client == nil || o.Channel == "" {
		return nil, errors.New("source: a Source needs a Client and a Channel")
	}
	if o.Clock == nil {
		o.Clock = phoenix.SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Source{o: o}, nil
}

// Key names the source: its moderation applies to its messages only
// (moderation.SourceKey).
func (s *Source) Key() string { return moderation.SourceKey(s.o.Instance, s.o.Channel) }

// Name is how the page names the source to a person: the channel, and
// its instance when that is not the page's first.
func (s *Source) Name() string {
	if s.o.Instance != "" {
		return s.o.Channel + " (" + s.o.Instance + ")"
	}
	return s.o.Channel
}

// Mark notes where msgs were read, in place: the source's channel and
// instance.
func (s *Source) Mark(msgs []glimesh.Message) {
	for i := range msgs {
		msgs[i].Channel, msgs[i].Instance = s.o.Channel, s.o.Instance
	}
}

// ChannelID is the channel's id once Open succeeded, "" before.
func (s *Source) ChannelID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id
}

// Channel is the channel's streamer username, as the page names it.
func (s *Source) Channel() string { return s.o.Channel }

// Instance is the instance's origin when it is not the page's first, "".
func (s *Source) Instance() string { return s.o.Instance }

// Open resolves the channel and reads its history and, with moderation
// on, its moderation, in one query. An instance that cannot be reached is
// retried, with failed told each time: an overlay may start before the
// instance does, and the first history must not be lost to a blip. A
// refusal or an unknown channel, which will not change by itself, ends it.
func (s *Source) Open(ctx context.Context, failed func(error)) (glimesh.Start, error) {
	logs := 0
	if s.o.ModPoll > 0 {
		logs = moderation.LogsPerRead
	}
	for delay := 2 * time.Second; ; delay = min(2*delay, time.Minute) {
		s.began = s.o.Clock.Now()
		st, err := s.o.Client.Start(ctx, s.o.Channel, live.FirstLoad(s.o.History), logs, moderation.BansPerRead)
		if err == nil {
			s.mu.Lock()
			s.id = st.ChannelID
			s.mu.Unlock()
			return st, nil
		}
		failed(err)
		var ne *glimesh.NetworkError
		if !errors.As(err, &ne) && !errors.Is(err, context.DeadlineExceeded) {
			return glimesh.Start{}, err
		}
		if !phoenix.Sleep(ctx, s.o.Clock, delay) {
			return glimesh.Start{}, ctx.Err()
		}
	}
}

// Moderate sets up the moderation reads, which deliver hands to the
// screen, and returns what asks for a read now (nil with moderation off).
func (s *Source) Moderate(deliver func(moderation.Step)) (kick func(), err error) {
	if s.o.ModPoll <= 0 {
		return nil, nil
	}
	s.poller, err = moderation.NewPoller(moderation.PollOptions{
		Fetch: func(ctx context.Context, logs int) (glimesh.Moderation, error) {
			return s.o.Client.Moderation(ctx, s.id, logs, moderation.BansPerRead, s.o.Limit)
		},
		Deliver: deliver, Source: s.Key(), Interval: s.o.ModPoll, Quiet: s.o.ModQuiet, Jitter: modJitter,
		Clock: s.o.Clock, Logger: s.o.Logger,
	})
	if err != nil {
		return nil, err
	}
	return s.poller.Kick, nil
}

// modJitter spreads the moderation reads of many viewers' pages.
const modJitter = 0.1

// Visible says whether the page shows: no moderation reads while it is
// hidden (nobody sees it), one as soon as it shows again.
func (s *Source) Visible(visible bool) {
	if s.poller != nil {
		s.poller.Visible(visible)
	}
}

// Begin hands the screen the moderation read with the start (or reads it
// now, when the instance would not show it then), and returns the
// history to show: the moderation is delivered first, so that no removed
// message flashes when the page opens.
func (s *Source) Begin(ctx context.Context, first glimesh.Start) []glimesh.Message {
	if s.poller != nil {
		if first.Moderated {
			s.poller.Deliver(first.Moderation, s.began)
		} else {
			s.poller.Once(ctx)
		}
	}
	// history= messages at start; after a reconnect, enough to fill the
	// screen, so no gap is lost, but nothing from before the start.
	s.window = &live.Window{History: s.o.History, Limit: s.o.Limit,
		Load: func(ctx context.Context, n int) ([]glimesh.Message, error) {
			return s.o.Client.History(ctx, s.id, n)
		}}
	s.Mark(first.Messages)
	if n := len(first.Messages); n > 0 {
		s.mu.Lock()
		s.newest = first.Messages[n-1].ID
		s.mu.Unlock()
	}
	return s.window.Start(first.Messages)
}

// Sinks are where Run hands what it finds.
type Sinks struct {
	// Messages gets every message found, pushed or queried, one batch at a
	// time.
	Messages func([]glimesh.Message)
	// Stream, when set, gets the stream's state (live or not, the title)
	// from every channel push, with the newest message id seen then. Only
	// a socket has the pushes: a polled chat has no stream events.
	Stream func(st glimesh.ChannelState, after string)
	// State gets the connection's state, and the error of each failure.
	State func(live.State, error)
}

// Run reads the moderation every ModPoll and the live chat until ctx ends,
// and hands what it finds to sinks. Each backfill is followed by a read of
// the moderation, applied before its messages.
func (s *Source) Run(ctx context.Context, sinks Sinks) error {
	if s.window == nil {
		return errors.New("source: Run before Begin")
	}
	backfill := s.window.Backfill
	if s.poller != nil {
		backfill = s.poller.Wrap(backfill)
		go s.poller.Run(ctx)
	}
	opts := live.Options{Backfill: backfill, Sink: s.noteNewest(sinks.Messages), PollInterval: s.o.Poll,
		OnState: sinks.State, Clock: s.o.Clock, Logger: s.o.Logger}
	if s.o.Socket == nil {
		return live.Poll(ctx, opts)
	}
	vars, err := json.Marshal(map[string]string{"channelId": s.id})
	if err != nil {
		return err
	}
	if sinks.Stream != nil {
		defer s.followStream(ctx, vars, sinks.Stream)()
	}
	fo := live.FollowOptions{Options: opts, Socket: s.o.Socket, Query: glimesh.Subscription, Variables: vars}
	if s.o.PollFallback {
		fo.FallbackAfter = 3
	}
	return live.Follow(ctx, fo)
}

// noteNewest wraps sink so that the source knows the newest message id:
// a new one means people chat, when deletes come (the moderation reads
// speed up), and a stream event stands after it. Polls and backfills
// repeat what came before; only a newer id is news.
func (s *Source) noteNewest(sink func([]glimesh.Message)) func([]glimesh.Message) {
	return func(msgs []glimesh.Message) {
		s.Mark(msgs)
		s.mu.Lock()
		fresh := false
		for _, m := range msgs {
			if s.newest == "" || glimesh.CompareIDs(m.ID, s.newest) > 0 {
				s.newest, fresh = m.ID, true
			}
		}
		s.mu.Unlock()
		if fresh && s.poller != nil {
			s.poller.Arrived()
		}
		sink(msgs)
	}
}

func (s *Source) newestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newest
}

// followStream subscribes to the channel's changes on the chat's socket,
// and returns what unsubscribes. After a resubscribe, which may have
// missed a push, it reads the stream's state once.
func (s *Source) followStream(ctx context.Context, vars []byte, out func(glimesh.ChannelState, string)) (stop func()) {
	var mu sync.Mutex // pushes and reads after a resubscribe come on different goroutines
	deliver := func(st glimesh.ChannelState) {
		mu.Lock()
		defer mu.Unlock()
		out(st, s.newestID())
	}
	subscribed := false
	sub := s.o.Socket.Subscribe(glimesh.ChannelSubscription, vars, phoenix.SubscriptionHandler{
		Data: func(p []byte) {
			st, err := glimesh.DecodeChannelPush(p)
			if err != nil {
				s.o.Logger.Warn("source: skipped a channel push", "err", err)
				return
			}
			deliver(st)
		},
		Active: func(string) {
			if !subscribed { // the start read the state a moment ago
				subscribed = true
				return
			}
			go func() {
				st, err := s.o.Client.Stream(ctx, s.id)
				if err != nil {
					s.o.Logger.Warn("source: read the stream after a reconnect", "err", err)
					return
				}
				deliver(st)
			}()
		},
		Failed: func(err error) { s.o.Logger.Warn("source: the channel subscription was refused", "err", err) },
	})
	return sub.Unsubscribe
}
