package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The lively chat is what a streamer's overlay pays all evening: a steady
// rate of single messages from several chatters (badges, name colours, an
// emote each), as a real chat arrives.

// livelyUsers are the demo chatters the bench posts as, in turn: a
// moderator, subscribers, a founder, a supporter and plain viewers.
var livelyUsers = []string{"ViewerVic", "SubSam", "Noor", "MartaMod", "kenji_k", "FounderFox", "Zofia", "SupporterLi"}

// chatters post in turn, one request a due batch.
type chatters struct {
	ps []*Poster
	n  int
}

func newChatters(d *Proc) (*chatters, error) {
	c := &chatters{}
	for _, u := range livelyUsers {
		tok, err := d.Token(u)
		if err != nil {
			return nil, err
		}
		p, err := newPoster(d.URL, tok)
		if err != nil {
			return nil, err
		}
		c.ps = append(c.ps, p)
	}
	return c, nil
}

func (c *chatters) post(k int) ([]int64, error) {
	p := c.ps[c.n%len(c.ps)]
	c.n++
	return p.Post(k)
}

// chatFor posts rate messages a second for d, open loop (what is due each
// steadyTick, in one request). every, when set, runs at each mark (an
// offset from the start, ascending) with what was posted so far.
func chatFor(c *chatters, rate float64, d time.Duration, marks []time.Duration, every func(p *pushed) error) (*pushed, error) {
	p := &pushed{}
	total := int(rate * d.Seconds())
	start := time.Now()
	tick := time.NewTicker(steadyTick)
	defer tick.Stop()
	for len(p.ids) < total {
		now := <-tick.C
		for len(marks) > 0 && now.Sub(start) >= marks[0] {
			marks = marks[1:]
			if every != nil {
				if err := every(p); err != nil {
					return p, err
				}
			}
		}
		due := min(total, int(now.Sub(start).Seconds()*rate)) - len(p.ids)
		for due > 0 {
			k := min(due, maxBatch)
			at := unixMS(time.Now())
			ids, err := c.post(k)
			if err != nil {
				return p, err
			}
			p.ids = append(p.ids, ids...)
			for range ids {
				p.posted = append(p.posted, at)
			}
			due -= k
		}
	}
	if len(p.ids) == 0 {
		return p, fmt.Errorf("nothing posted in %v", d)
	}
	return p, nil
}

// livelySettle lets a page finish starting (compiling, the first reads)
// before its CPU is counted.
const livelySettle = 2 * time.Second

// measureLively runs the lively chat at rate into the widget and the JS
// baseline in turn, cross-origin, limit=Limit.
func (b *Bench) measureLively(c *chatters, rate float64) (*LivelyResult, error) {
	r := &LivelyResult{Rate: rate, Seconds: b.plan.LivelyFor.Seconds(), Limit: b.plan.Limit}
	reps := b.plan.LivelyReps
	if b.plan.Profile {
		reps = max(reps, 2) // one traced, one profiled
	}
	runs := map[bool]int{} // by page: widget or not
	var err error
	r.Widget, r.JS, err = alternate(b, reps, func(url string) (LivelyRun, error) {
		js := strings.Contains(url, "jsbase.html")
		runs[js]++
		return b.livelyOnce(c, url, rate, runs[js]%2 == 0)
	})
	return r, err
}

// livelyOnce runs one lively chat into url. Under -profile it is traced,
// or profiled when profiled is set, not both: the sampling profiler's own
// cost would show in the trace.
func (b *Bench) livelyOnce(c *chatters, url string, rate float64, profiled bool) (LivelyRun, error) {
	var run LivelyRun
	t, err := b.open(url)
	if err != nil {
		return run, err
	}
	defer t.Close()
	time.Sleep(livelySettle)
	var prof *profile
	var tr *trace
	if profiled {
		prof, err = b.startProfileAny(t)
	} else {
		tr, err = b.startTrace(t)
	}
	if err != nil {
		return run, err
	}
	cpu0, at0, err := t.cpuSeconds()
	if err != nil {
		return run, err
	}
	p, err := chatFor(c, rate, b.plan.LivelyFor, nil, nil)
	if err != nil {
		return run, err
	}
	if err := waitHandled(t, p); err != nil {
		return run, err
	}
	cpu1, at1, err := t.cpuSeconds()
	if err != nil {
		return run, err
	}
	run = LivelyRun{Posted: len(p.ids), Seconds: at1 - at0, CPU: cpu1 - cpu0}
	name := fmt.Sprintf("lively chat %.0f", rate)
	if strings.Contains(url, "jsbase.html") {
		name += " JS"
	}
	if err := tr.stopPer(b, name, run.Posted); err != nil {
		return run, err
	}
	return run, prof.stopPer(name, run.Posted)
}

// The query counts. At rest, every page's clocks run Warp times faster
// (warp.js), so that RestFor of page time passes in RestFor/Warp: the
// figure is queries per minute of page time, from navigation on (the start
// query and the subscription included). During a lively chat, nothing is
// warped: the queries sent while the chat runs, per minute.

// queryPages are the pages counted: the overlay, the embed page and the
// JS baseline, all cross-origin against the standalone demo.
var queryPages = []string{WidgetCross, EmbedCross, JSCross}

// deleteAge is how old a message is when the bench deletes it: a delete
// log and the message's updatedAt are whole seconds, and a message
// deleted in the second it was posted cannot be told from its neighbours
// (api.md), on Glimesh as on the demo.
const deleteAge = 1500 * time.Millisecond

// deleteCap is how long after the chat the bench waits for the deleted
// messages to leave each page.
const deleteCap = 20 * time.Second

func (b *Bench) measureQueries(c *chatters, streamer *Poster) (*QueriesResult, error) {
	r := &QueriesResult{RestMinutes: b.plan.RestFor.Minutes(), Warp: b.plan.Warp, ChatRate: b.plan.LivelyRate,
		Rest: map[string][]float64{}, Chat: map[string][]float64{}, Deletes: map[string][]Stalled{}}
	if err := b.queriesAtRest(r); err != nil {
		return r, fmt.Errorf("at rest: %w", err)
	}
	if err := b.queriesInChat(r, c, streamer); err != nil {
		return r, fmt.Errorf("in a lively chat: %w", err)
	}
	return r, nil
}

func (b *Bench) queriesAtRest(r *QueriesResult) error {
	var tabs []*Tab
	var pages []string
	defer func() { closeAll(tabs) }()
	for range b.plan.QueriesReps {
		for _, page := range queryPages {
			t, err := b.br.NewWarpedTab(b.plan.Warp)
			if err != nil {
				return err
			}
			tabs = append(tabs, t)
			pages = append(pages, page)
			if err := t.Navigate(b.pageURL(page)); err != nil {
				return err
			}
			if err := t.waitLive(); err != nil {
				return fmt.Errorf("%s: %w", page, err)
			}
		}
	}
	// The probe's clock is real: RestFor of page time is RestFor/Warp.
	end := float64(b.plan.RestFor.Milliseconds()) / b.plan.Warp
	for i, t := range tabs {
		if _, err := waitFor[bool](t, "the end of the rest", fmt.Sprintf(`__bench.now() >= %f`, end), b.plan.RestFor+waitTimeout); err != nil {
			return err
		}
		n, err := eval[int](t, fmt.Sprintf(`__bench.queriesBetween(0, %f)`, end))
		if err != nil {
			return err
		}
		r.Rest[pages[i]] = append(r.Rest[pages[i]], float64(n)/b.plan.RestFor.Minutes())
	}
	return nil
}

func (b *Bench) queriesInChat(r *QueriesResult, c *chatters, streamer *Poster) error {
	// limit=1000: no line leaves for want of room during the chat, so a
	// line that goes is a line the page took down for its delete.
	var urls []string
	for _, page := range queryPages {
		urls = append(urls, b.pageURL(page, "limit", "1000"))
	}
	tabs, err := b.openAll(urls)
	if err != nil {
		return err
	}
	defer closeAll(tabs)
	time.Sleep(livelySettle)
	from := make([]float64, len(tabs))
	for i, t := range tabs {
		if from[i], err = eval[float64](t, `__bench.now()`); err != nil {
			return err
		}
	}
	type deletion struct {
		id       string
		answered float64 // unix ms
	}
	var dels []deletion
	d := b.plan.LivelyFor
	marks := []time.Duration{d / 4, d / 2, 3 * d / 4}
	_, err = chatFor(c, b.plan.LivelyRate, d, marks, func(p *pushed) error {
		// The newest message old enough, once every page shows it.
		cut := unixMS(time.Now().Add(-deleteAge))
		i := len(p.posted) - 1
		for i >= 0 && p.posted[i] > cut {
			i--
		}
		if i < 0 {
			return nil // none is old enough yet
		}
		id := p.ids[i]
		for _, t := range tabs {
			if _, err := waitFor[bool](t, "the message to delete", `__bench.maxID >= `+strconv.FormatInt(id, 10), waitTimeout); err != nil {
				return err
			}
			if _, err := eval[bool](t, `__bench.watchRemoval(`+jsString(strconv.FormatInt(id, 10))+`)`); err != nil {
				return err
			}
		}
		if err := streamer.Delete(id); err != nil {
			return err
		}
		dels = append(dels, deletion{strconv.FormatInt(id, 10), unixMS(time.Now())})
		return nil
	})
	if err != nil {
		return err
	}
	for i, t := range tabs {
		to, err := eval[float64](t, `__bench.now()`)
		if err != nil {
			return err
		}
		n, err := eval[int](t, fmt.Sprintf(`__bench.queriesBetween(%f, %f)`, from[i], to))
		if err != nil {
			return err
		}
		r.Chat[queryPages[i]] = append(r.Chat[queryPages[i]], float64(n)/((to-from[i])/60000))
	}
	if len(dels) == 0 {
		return fmt.Errorf("no message was old enough to delete in %v", d)
	}
	r.DeleteCount = len(dels)
	deadline := time.Now().Add(deleteCap)
	for i, t := range tabs {
		for _, del := range dels {
			var gone float64
			for {
				if gone, err = eval[float64](t, `__bench.removedAt(`+jsString(del.id)+`)`); err != nil {
					return err
				}
				if gone > 0 || time.Now().After(deadline) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			s := Stalled{Seconds: (gone - del.answered) / 1000}
			if gone == 0 {
				s = Stalled{Seconds: (unixMS(time.Now()) - del.answered) / 1000, Censored: true}
			}
			r.Deletes[queryPages[i]] = append(r.Deletes[queryPages[i]], s)
		}
	}
	return nil
}
