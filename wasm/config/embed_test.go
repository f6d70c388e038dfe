package config

import (
	"net/url"
	"strings"
	"testing"
)

func TestEmbedSnippets(t *testing.T) {
	page, _ := url.Parse("https://chat.example/glimchat/index.html?x=1")
	v := url.Values{
		"channel":      {"yourname"},
		"client_id":    {"app&id\"1"},
		"instance":     {"https://glimesh.example"},
		"theme":        {"dark"},
		"bot_names":    {"a,b"},
		"token":        {"secret1"},
		"access_token": {"secret2"},
	}
	iframe, loader := EmbedSnippets(page, v)

	wantFrame := `<iframe src="https://chat.example/glimchat/embed.html?bot_names=a%2Cb&amp;channel=yourname&amp;client_id=app%26id%221&amp;instance=https%3A%2F%2Fglimesh.example&amp;theme=dark"` +
		` title="Live chat" width="400" height="600" loading="lazy" referrerpolicy="no-referrer"></iframe>`
	if iframe != wantFrame {
		t.Errorf("iframe\n got %s\nwant %s", iframe, wantFrame)
	}
	wantLoader := `<div data-glimchat data-channel="yourname" data-instance="https://glimesh.example" data-client-id="app&amp;id&#34;1"` +
		` data-bot-names="a,b" data-theme="dark" data-height="600"></div>` + "\n" +
		`<script src="https://chat.example/glimchat/embed.js" async></script>`
	if loader != wantLoader {
		t.Errorf("loader\n got %s\nwant %s", loader, wantLoader)
	}
	for _, s := range []string{iframe, loader} {
		if strings.Contains(s, "secret") || strings.Contains(s, "token") {
			t.Errorf("snippet carries a token: %s", s)
		}
	}

	// Only the channel: no stray attributes.
	_, loader = EmbedSnippets(page, url.Values{"channel": {"demo"}, "Bad Name": {"x"}})
	if !strings.HasPrefix(loader, `<div data-glimchat data-channel="demo" data-height="600"></div>`) {
		t.Errorf("loader %s", loader)
	}
}
