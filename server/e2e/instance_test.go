package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glimchat/glimchat/server/demo"
)

// The demo instance as the tests meet it outside the browser: what it
// stores and answers, what it is sent, and instances that hold or record
// the page's requests.

// graphQL sends query (with vars, when not nil) to the instance at base as
// the demo app, and decodes the answer's data into data. An HTTP error or a
// GraphQL error fails the test.
func graphQL(t *testing.T, base, query string, vars map[string]any, data any) {
	t.Helper()
	graphQLAs(t, base, "Client-ID "+demo.ClientID, query, vars, data)
}

// graphQLAs is graphQL with the Authorization header auth.
func graphQLAs(t *testing.T, base, auth, query string, vars map[string]any, data any) {
	t.Helper()
	in := map[string]any{"query": query}
	if vars != nil {
		in["variables"] = vars
	}
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, base+"/api/graph", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", req.URL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("read %s: %v", req.URL, err)
	}
	var out struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.Unmarshal(raw, &out); resp.StatusCode != http.StatusOK || err != nil || len(out.Errors) > 0 {
		t.Fatalf("POST /api/graph %s = %d %s (decode: %v)", vars, resp.StatusCode, raw, err)
	}
	if err := json.Unmarshal(out.Data, data); err != nil {
		t.Fatalf("POST /api/graph %s: data %s: %v", vars, out.Data, err)
	}
}

// apiMessage is a message as the demo API returns it.
type apiMessage struct {
	ID      string
	Message string
	User    struct{ ID, Username, Displayname string }
	// Metadata is nil for messages from before the metadata column.
	Metadata *struct {
		Admin, Streamer, Moderator, Subscriber                 bool
		PlatformFounderSubscriber, PlatformSupporterSubscriber bool
	}
	Tokens []struct{ Type, Text, Src, URL string }
}

// roles is the data-roles value the widget must give m.
func (m apiMessage) roles() string {
	md := m.Metadata
	if md == nil {
		return ""
	}
	var r []string
	for _, f := range []struct {
		on   bool
		name string
	}{{md.Streamer, "streamer"}, {md.Moderator, "moderator"}, {md.Subscriber, "subscriber"},
		{md.PlatformFounderSubscriber, "founder"}, {md.PlatformSupporterSubscriber, "supporter"}, {md.Admin, "admin"}} {
		if f.on {
			r = append(r, f.name)
		}
	}
	return strings.Join(r, " ")
}

// apiHistory asks the demo instance at base for the last n messages of the
// channel of this streamer, for what the page must show.
func apiHistory(t *testing.T, base, channel string, n int) []apiMessage {
	t.Helper()
	const query = `query($name: String, $last: Int) { channel(streamerUsername: $name) { chatMessages(last: $last) { edges { node {
		id message user { id username displayname }
		metadata { admin streamer moderator subscriber platformFounderSubscriber platformSupporterSubscriber }
		tokens { type text ... on EmoteToken { src } ... on UrlToken { url } } } } } } }`
	var data struct {
		Channel struct {
			ChatMessages struct {
				Edges []struct{ Node apiMessage }
			}
		}
	}
	graphQL(t, base, query, map[string]any{"name": channel, "last": n}, &data)
	var out []apiMessage
	for _, e := range data.Channel.ChatMessages.Edges {
		out = append(out, e.Node)
	}
	return out
}

// countStored counts the stored messages of a channel with this text by user.
func countStored(t *testing.T, srv *Serve, channel, user, text string) int {
	t.Helper()
	n := 0
	for _, m := range apiHistory(t, srv.URL, channel, 1000) {
		if m.User.Username == user && m.Message == text {
			n++
		}
	}
	return n
}

// tokenOf returns the bearer token of a demo user.
func tokenOf(t *testing.T, inst *demo.Instance, username string) string {
	t.Helper()
	for _, tok := range inst.Tokens() {
		if tok.Username == username {
			return tok.Token
		}
	}
	t.Fatalf("the demo instance has no token for %s", username)
	return ""
}

// post sends text as user to the demo channel of inst, through the path
// of createChatMessage, and returns the new message's id.
func post(t testing.TB, inst *demo.Instance, user, text string) string {
	t.Helper()
	return postIn(t, inst, "demo", user, text)
}

// postIn posts text as user in channel.
func postIn(t testing.TB, inst *demo.Instance, channel, user, text string) string {
	t.Helper()
	id, err := inst.Post(channel, user, text)
	if err != nil {
		t.Fatalf("post %q as %s: %v", text, user, err)
	}
	return id
}

// gate holds the GraphQL requests whose body contains match until Open,
// so a test can look at the page while one is on its way.
type gate struct {
	match string
	open  chan struct{}
	held  chan struct{} // one value per request held
}

func newGate(match string) *gate {
	return &gate{match: match, open: make(chan struct{}), held: make(chan struct{}, 16)}
}

func (g *gate) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/api/graph" {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			if bytes.Contains(body, []byte(g.match)) {
				g.held <- struct{}{}
				select {
				case <-g.open:
				case <-r.Context().Done():
					return
				}
			}
		}
		h.ServeHTTP(w, r)
	})
}

// wait returns once a request is held.
func (g *gate) wait(t *testing.T) {
	t.Helper()
	select {
	case <-g.held:
	case <-time.After(Timeout):
		t.Fatalf("no request matching %q arrived", g.match)
	}
}

// startGated serves the widget with a demo instance behind g.
func startGated(t *testing.T, g *gate) *Serve {
	t.Helper()
	inst := startInstance(t, demo.Options{Seed: 1}, slog.New(slog.DiscardHandler))
	srv := StartServe(t, ServeOptions{API: g.wrap(inst.Handler())})
	srv.Demo = inst
	return srv
}

// recordedDemo is a standalone demo instance that remembers every request
// it was sent, as an access log would.
type recordedDemo struct {
	*Demo
	mu      sync.Mutex
	reqs    []demoRequest
	sockets int // websockets open now: their requests are still being served
}

type demoRequest struct {
	at     time.Time
	method string
	path   string
	token  bool   // a bearer token came along, in the header or the socket URL
	bearer string // that token
}

func startRecordedDemo(t testing.TB, opts demo.Options) *recordedDemo {
	t.Helper()
	logs := &syncBuffer{}
	inst := startInstance(t, opts, slogJSON(logs))
	d := &recordedDemo{Demo: &Demo{Inst: inst, Log: logs}}
	h := inst.Handler()
	d.URL = listen(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		token := r.URL.Query().Has("token") || strings.HasPrefix(r.Header.Get("Authorization"), "Bearer")
		bearer := r.URL.Query().Get("token")
		if bearer == "" {
			bearer = strings.TrimSpace(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer"))
		}
		d.reqs = append(d.reqs, demoRequest{time.Now(), r.Method, r.URL.Path, token, bearer})
		ws := r.URL.Path == "/api/graph/websocket"
		if ws {
			d.sockets++
		}
		d.mu.Unlock()
		h.ServeHTTP(w, r)
		if ws {
			d.mu.Lock()
			d.sockets--
			d.mu.Unlock()
		}
	}), "demo", logs)
	return d
}

// openSockets is how many websockets to d are open now.
func (d *recordedDemo) openSockets() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sockets
}

// requests returns the requests so far whose path is path.
func (d *recordedDemo) requests(path string) []demoRequest {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []demoRequest
	for _, r := range d.reqs {
		if r.path == path {
			out = append(out, r)
		}
	}
	return out
}

// noGraphOverHTTP fails the test if the page sent anything to the
// instance's /api/graph over HTTP: cross-origin, that fails the CORS
// preflight against a real instance, so the widget must not need it.
func noGraphOverHTTP(t testing.TB, d *recordedDemo) {
	t.Helper()
	for _, r := range d.requests("/api/graph") {
		t.Errorf("the page sent %s /api/graph to the cross-origin instance; it must use the socket", r.method)
	}
	if n := len(d.requests("/api/graph/websocket")); n == 0 {
		t.Errorf("the page never opened the instance's websocket")
	}
}

// startCrossOrigin starts glimchat serve and a standalone demo instance on
// another origin that serve's CSP allows.
func startCrossOrigin(t testing.TB, opts demo.Options) (*Serve, *recordedDemo) {
	t.Helper()
	d := startRecordedDemo(t, opts)
	srv := StartServe(t, ServeOptions{Instances: []string{d.URL}})
	if d.URL == srv.URL {
		t.Fatalf("demo and serve share the origin %s", d.URL)
	}
	return srv, d
}

// crossQuery is the page query that points the widget at d's demo channel.
func crossQuery(d *recordedDemo, extra string) string {
	q := "instance=" + url.QueryEscape(d.URL) + "&channel=demo&" + readOnly
	if extra != "" {
		q += "&" + extra
	}
	return q
}
