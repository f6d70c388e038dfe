//go:build js && wasm

package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/glimchat/glimchat/wasm/config"
	"github.com/glimchat/glimchat/wasm/dom"
	"github.com/glimchat/glimchat/wasm/transport"
)

// generate runs the landing page's URL generator: form and URL box stay
// in step through config (Form, Import), the embed snippets follow them,
// the preview frame runs the real overlay, and with a demo instance on this origin a button posts test
// messages to its demo channel.
func generate(g *dom.Generator) {
	href, _ := dom.Location()
	base, err := url.Parse(href)
	if err != nil {
		slog.Error("glimchat generator: page URL", "err", err)
		return
	}
	overlay := base.ResolveReference(&url.URL{Path: "overlay.html"})
	hc := &http.Client{Transport: transport.Fetch{}, Timeout: 10 * time.Second}
	say := base.ResolveReference(&url.URL{Path: "_demo/say"}).String()

	update := func(v url.Values, notes []string) {
		u := *overlay
		u.RawQuery = v.Encode()
		g.Show(u.String(), notes)
		g.ShowEmbed(config.EmbedSnippets(base, v))
	}
	fromForm := func() { update(config.Form(g.Fields(), overlay.String())) }
	fromURL := func() {
		v, src, notes := config.Import(g.URL(), overlay.String())
		if src != config.FromGlimchat {
			notes = append([]string{"Converted from " + string(src) + "."}, notes...)
		}
		g.SetFields(v)
		update(v, notes)
	}
	if err := g.On(fromForm, fromURL, g.Copy, func() { post(hc, say, g) }); err != nil {
		slog.Error("glimchat generator", "err", err)
		return
	}

	// A demo instance answers GET /_demo/say; a static host, or a real
	// instance behind -upstream, does not.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	demo := false
	if req, err := http.NewRequestWithContext(ctx, http.MethodGet, say, nil); err == nil {
		if resp, err := hc.Do(req); err == nil {
			demo = resp.StatusCode == http.StatusOK
			resp.Body.Close()
		}
	}
	g.Demo(demo)
	fields := g.Fields()
	if demo && fields.Get("channel") == "" {
		// The demo channel, with every stream event, so that the preview
		// shows follows and the stream going live and offline.
		fields.Set("channel", "demo")
		fields.Set("client_id", "glimchat-demo")
		fields.Set("events", "follows,live,title")
		g.SetFields(fields)
	}
	fromForm()
}

// post sends the test message to the demo channel.
func post(hc *http.Client, say string, g *dom.Generator) {
	text, as := g.SayText()
	resp, err := hc.Post(say+"?as="+url.QueryEscape(as), "text/plain", strings.NewReader(text))
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if err != nil || resp.StatusCode != http.StatusOK {
		slog.Warn("glimchat generator: the test message was not posted", "err", err)
	}
}
