package main

import (
	"fmt"
	"io"
	"strconv"
	"time"
)

// Bench is one run: its plan, the servers, the browser, and where it says
// what it is doing.
type Bench struct {
	plan  Plan
	paths Paths
	srv   *Servers
	br    *Browser
	log   io.Writer
}

func (b *Bench) logf(format string, args ...any) {
	fmt.Fprintf(b.log, "bench: %s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// pageURL is the URL of one of startPages; the other scenarios use the
// same pages with more parameters.
func (b *Bench) pageURL(page string, params ...string) string {
	s := b.srv
	switch page {
	case WidgetSame:
		return pageURL(s.Serve.URL, "overlay.html", params...)
	case WidgetCross:
		return pageURL(s.Serve.URL, "overlay.html", append(params, "instance", s.Demo.URL)...)
	case EmbedCross:
		return pageURL(s.Serve.URL, "embed.html", append(params, "instance", s.Demo.URL)...)
	case FloorPage:
		return pageURL(s.Baseline.URL, "floor.html", params...)
	case JSSame:
		return pageURL(s.Baseline.URL, "jsbase.html", params...)
	case JSCross:
		return pageURL(s.Baseline.URL, "jsbase.html", append(params, "instance", s.Demo.URL)...)
	}
	panic("unknown page " + page)
}

// open opens a fresh tab on url and waits until it is live.
func (b *Bench) open(url string) (*Tab, error) {
	t, err := b.br.NewTab()
	if err != nil {
		return nil, err
	}
	if err := t.Navigate(url); err != nil {
		t.Close()
		return nil, err
	}
	if err := t.waitLive(); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// openAll opens a live tab on each url; on failure it closes them all.
func (b *Bench) openAll(urls []string) ([]*Tab, error) {
	var tabs []*Tab
	for _, u := range urls {
		t, err := b.open(u)
		if err != nil {
			closeAll(tabs)
			return nil, err
		}
		tabs = append(tabs, t)
	}
	return tabs, nil
}

func closeAll(tabs []*Tab) {
	for _, t := range tabs {
		t.Close()
	}
}

// alternate runs once reps times on the widget and on the JS baseline in
// turn, both cross-origin with limit=Limit (the bench posts to the
// standalone demo), so that noise spreads over both.
func alternate[T any](b *Bench, reps int, once func(url string) (T, error)) (widget, js []T, err error) {
	for range reps {
		for _, page := range []string{WidgetCross, JSCross} {
			run, err := once(b.pageURL(page, "limit", strconv.Itoa(b.plan.Limit)))
			if err != nil {
				return widget, js, fmt.Errorf("%s: %w", page, err)
			}
			if page == WidgetCross {
				widget = append(widget, run)
			} else {
				js = append(js, run)
			}
		}
	}
	return widget, js, nil
}
