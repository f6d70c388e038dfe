package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"

	"github.com/glimchat/glimchat/server/demo"
)

// hostileInstance is a standalone demo instance as a compromised Glimesh
// would serve it: a proxy in front of it rewrites chosen chat messages on
// their way to the page, in history replies and live pushes alike. The
// demo always makes display names, avatar URLs, emote srcs and URL targets
// well-formed; a real instance is trusted for nothing but its JSON.
type hostileInstance struct {
	URL  string // the proxy's origin: the instance the page is pointed at
	Demo *Demo  // the real instance behind it

	mu    sync.Mutex
	edits map[string]msgEdit // by message text
}

// msgEdit is what the instance changes in a message; zero fields keep the
// demo's.
type msgEdit struct {
	displayname, username, avatar string
	tokens                        []apiToken
}

type apiToken struct{ Type, Text, URL, Src string }

// startHostile starts glimchat serve, a standalone demo and the rewriting
// proxy in front of it. Serve's CSP allows both origins: the proxy's, and
// the demo's, which its own avatar URLs name.
func startHostile(t *testing.T) (*Serve, *hostileInstance) {
	t.Helper()
	d := StartDemo(t, demo.Options{})
	h := &hostileInstance{Demo: d, edits: map[string]msgEdit{}}
	target, err := url.Parse(d.URL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	h.URL = listen(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/graph/websocket" {
			h.serveSocket(w, r)
			return
		}
		rp.ServeHTTP(w, r)
	}), "hostile proxy", d.Log)
	return StartServe(t, ServeOptions{Instances: []string{h.URL, d.URL}}), h
}

// edit makes the instance send every message whose text is text with e
// applied.
func (h *hostileInstance) edit(text string, e msgEdit) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.edits[text] = e
}

// serveSocket relays a websocket to the demo, frame by frame, rewriting
// what the demo sends.
func (h *hostileInstance) serveSocket(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	up, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(h.Demo.URL, "http")+r.URL.RequestURI(), nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer up.CloseNow()
	down, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	defer down.CloseNow()
	up.SetReadLimit(-1) // a page of history is larger than the default 32 KiB
	go relay(ctx, cancel, down, up, nil)
	relay(ctx, cancel, up, down, h.rewrite)
}

// relay copies frames from one socket to the other until either ends.
func relay(ctx context.Context, stop func(), from, to *websocket.Conn, rewrite func([]byte) []byte) {
	defer stop()
	for {
		typ, data, err := from.Read(ctx)
		if err != nil {
			return
		}
		if rewrite != nil && typ == websocket.MessageText {
			data = rewrite(data)
		}
		if err := to.Write(ctx, typ, data); err != nil {
			return
		}
	}
}

// rewrite applies the edits to every chat message in a frame, wherever it
// sits (a history page, a push); other frames pass unchanged.
func (h *hostileInstance) rewrite(frame []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(frame))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || !h.apply(v) {
		return frame
	}
	out, err := json.Marshal(v)
	if err != nil {
		return frame
	}
	return out
}

func (h *hostileInstance) apply(v any) bool {
	changed := false
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			changed = h.apply(e) || changed
		}
	case map[string]any:
		text, isText := v["message"].(string)
		user, isUser := v["user"].(map[string]any)
		if isText && isUser {
			h.mu.Lock()
			e, ok := h.edits[text]
			h.mu.Unlock()
			if ok {
				e.applyTo(v, user)
			}
			return ok
		}
		for _, e := range v {
			changed = h.apply(e) || changed
		}
	}
	return changed
}

func (e msgEdit) applyTo(m, user map[string]any) {
	for key, val := range map[string]string{"displayname": e.displayname, "username": e.username, "avatarUrl": e.avatar} {
		if val != "" {
			user[key] = val
		}
	}
	if e.tokens == nil {
		return
	}
	toks := make([]any, len(e.tokens))
	for i, tk := range e.tokens {
		o := map[string]any{"type": tk.Type, "text": tk.Text}
		if tk.URL != "" {
			o["url"] = tk.URL
		}
		if tk.Src != "" {
			o["src"] = tk.Src
		}
		toks[i] = o
	}
	m["tokens"] = toks
}
