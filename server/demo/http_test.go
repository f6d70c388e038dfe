package demo

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// The three operations of the chat-mutations tutorial, verbatim but for the
// placeholders it tells the reader to replace.
const (
	tutorialLookup = `
query {
  channel(streamerUsername: "Mytho") {
    id
  }
}
`
	tutorialHistory = `
query {
  channel(id: ID) {
    chatMessages(last: 10) {
      edges {
        node {
          message,
          user {
            username,
            avatarUrl
          }
        }
      }
    }
  }
}
`
	tutorialSend = `
mutation {
  createChatMessage(channelId:6, message: {message: "MESSAGE"}) {
    message,
    insertedAt,
    user {
      username
    }
  }
}
`
)

func TestTutorialWithClientID(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	runTutorial(t, h, clientAuth(), "")
}

func TestTutorialWithBearer(t *testing.T) {
	h := newHarness(t, Options{Seed: 1})
	runTutorial(t, h, "Bearer "+h.token(t, "SubSam"), "SubSam")
}

func runTutorial(t *testing.T, h *harness, auth, sender string) {
	t.Helper()
	// Taken literally, "Mytho" is not a demo user: the documented miss.
	r := h.gql(t, auth, tutorialLookup, nil)
	wantOneError(t, r, "Could not find resource")
	if r.status != 200 || at(t, r.body, "data", "channel") != nil {
		t.Fatalf("miss: status %d body %s", r.status, r.raw)
	}
	r = h.gql(t, auth, strings.Replace(tutorialLookup, "Mytho", "demo", 1), nil)
	if got := at(t, r.body, "data", "channel", "id"); got != "6" {
		t.Fatalf("demo channel id = %v (%s)", got, r.raw)
	}
	// The placeholder ID left in is not valid GraphQL for an ID argument.
	r = h.gql(t, auth, tutorialHistory, nil)
	if r.status != 200 || r.body["data"] != nil || len(errMessages(r)) == 0 {
		t.Fatalf("unreplaced placeholder: status %d body %s", r.status, r.raw)
	}
	history := strings.Replace(tutorialHistory, "channel(id: ID)", "channel(id: 6)", 1)
	r = h.gql(t, auth, history, nil)
	edges := at(t, r.body, "data", "channel", "chatMessages", "edges").([]any)
	if len(edges) != 10 {
		t.Fatalf("last: 10 gave %d edges", len(edges))
	}
	for i := range edges {
		node := at(t, edges, i, "node")
		if at(t, node, "message") == "" || at(t, node, "user", "username") == "" {
			t.Errorf("edge %d incomplete: %v", i, node)
		}
		if av := at(t, node, "user", "avatarUrl").(string); !strings.HasPrefix(av, h.srv.URL+"/uploads/avatars/") {
			t.Errorf("avatarUrl %q is not absolute on this instance", av)
		}
	}

	r = h.gql(t, auth, tutorialSend, nil)
	if sender == "" {
		// Client-ID is read-only.
		wantOneError(t, r, "unauthorized")
		e := at(t, r.body, "errors", 0).(map[string]any)
		loc := []any{map[string]any{"line": float64(3), "column": float64(3)}}
		if !reflect.DeepEqual(e["path"], []any{"createChatMessage"}) || !reflect.DeepEqual(e["locations"], loc) {
			t.Errorf("error lacks path/locations: %v", e)
		}
		if d := at(t, r.body, "data"); !reflect.DeepEqual(d, map[string]any{"createChatMessage": nil}) {
			t.Errorf("data = %v", d)
		}
		return
	}
	want := map[string]any{"createChatMessage": map[string]any{
		"message": "MESSAGE", "insertedAt": "2026-01-02T15:04:05", "user": map[string]any{"username": sender},
	}}
	if r.status != 200 || !reflect.DeepEqual(r.body["data"], want) || r.body["errors"] != nil {
		t.Fatalf("send: status %d body %s", r.status, r.raw)
	}
	r = h.gql(t, auth, history, nil)
	edges = at(t, r.body, "data", "channel", "chatMessages", "edges").([]any)
	if got := at(t, edges, 9, "node", "message"); got != "MESSAGE" {
		t.Errorf("newest message = %v, want the one just sent", got)
	}
}

func TestAuthHeaderRules(t *testing.T) {
	h := newHarness(t, Options{})
	q, _ := json.Marshal(map[string]string{"query": "{ channel(id: 6) { id } }"})
	loggedOut := `{"errors":[{"message":"You must be logged in to access the api"}]}`
	invalid := `{"errors":[{"message":"Given access token is invalid, revoked, or expired.","header_error":"invalid_access_token"}]}`
	cases := []struct {
		name   string
		auth   []string
		status int
		body   string
	}{
		{"none", nil, 401, loggedOut},
		{"Client-ID", []string{"Client-ID " + ClientID}, 200, `{"data":{"channel":{"id":"6"}}}`},
		{"client-id lower", []string{"client-id " + ClientID}, 200, `{"data":{"channel":{"id":"6"}}}`},
		{"Client-Id spelling", []string{"Client-Id " + ClientID}, 401, loggedOut},
		{"unknown client", []string{"Client-ID nope"}, 500, `"Internal Server Error"`},
		{"Bearer", []string{"Bearer " + h.token(t, "demo")}, 200, `{"data":{"channel":{"id":"6"}}}`},
		{"bearer lower", []string{"bearer " + h.token(t, "demo")}, 200, `{"data":{"channel":{"id":"6"}}}`},
		{"BEARER", []string{"BEARER " + h.token(t, "demo")}, 401, loggedOut},
		{"bad token", []string{"Bearer nope"}, 401, invalid},
		{"empty bearer", []string{"Bearer "}, 401, loggedOut}, // the trailing space is not part of the value
		{"basic", []string{"Basic Zm9vOmJhcg=="}, 401, loggedOut},
		{"two headers", []string{"Client-ID " + ClientID, "Client-ID " + ClientID}, 401, loggedOut},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/api/graph", strings.NewReader(string(q)))
			req.Header.Set("Content-Type", "application/json")
			for _, a := range c.auth {
				req.Header.Add("Authorization", a)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var buf strings.Builder
			_, _ = bufCopy(&buf, resp)
			if resp.StatusCode != c.status || buf.String() != c.body {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, buf.String(), c.status, c.body)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("access-control-allow-origin = %q", got)
			}
		})
	}
}

func bufCopy(b *strings.Builder, resp *http.Response) (int64, error) {
	buf := make([]byte, 4096)
	var n int64
	for {
		k, err := resp.Body.Read(buf)
		b.Write(buf[:k])
		n += int64(k)
		if err != nil {
			return n, nil
		}
	}
}

func TestScopesAndBans(t *testing.T) {
	h := newHarness(t, Options{})
	send := `mutation($c: ID!, $m: String){ createChatMessage(channelId: $c, message: {message: $m}){ id } }`
	vars := map[string]any{"c": "6", "m": "hi"}
	// A token without the chat scope reads but cannot post.
	lurker := "Bearer " + h.token(t, "lurker")
	wantOneError(t, h.gql(t, lurker, send, vars), "unauthorized")
	if r := h.gql(t, lurker, `{ myself { username } }`, nil); at(t, r.body, "data", "myself", "username") != "lurker" {
		t.Errorf("myself with a token: %s", r.raw)
	}
	if r := h.gql(t, clientAuth(), `{ myself { username } }`, nil); len(errMessages(r)) != 1 {
		t.Errorf("myself with a Client-ID should fail: %s", r.raw)
	}
	wantOneError(t, h.gql(t, "Bearer "+h.token(t, "banned_bob"), send, vars), "You are permanently banned from this channel.")
	wantOneError(t, h.gql(t, "Bearer "+h.token(t, "timeout_tim"), send, vars), "You are banned from this channel for 10 more minutes.")
	// The ban is per channel.
	quiet := map[string]any{"c": "7", "m": "hi"}
	if r := h.gql(t, "Bearer "+h.token(t, "banned_bob"), send, quiet); r.body["errors"] != nil {
		t.Errorf("bob is not banned in quiet: %s", r.raw)
	}
	// A nonexistent channel makes the real resolver raise (get_channel!).
	if r := h.gql(t, "Bearer "+h.token(t, "demo"), send, map[string]any{"c": "999", "m": "x"}); r.status != 404 {
		t.Errorf("unknown channel: status %d %s", r.status, r.raw)
	}
}

func TestMessageLength(t *testing.T) {
	h := newHarness(t, Options{})
	auth := "Bearer " + h.token(t, "ViewerVic")
	send := `mutation($m: String){ createChatMessage(channelId: "6", message: {message: $m}){ message } }`
	ok255 := strings.Repeat("a", 254) + "é"
	if r := h.gql(t, auth, send, map[string]any{"m": ok255}); at(t, r.body, "data", "createChatMessage", "message") != ok255 {
		t.Errorf("255 characters refused: %s", r.raw)
	}
	// 255 characters even though an emoji with a skin tone is several code points.
	emoji := strings.Repeat("b", 254) + "👍🏽"
	if r := h.gql(t, auth, send, map[string]any{"m": emoji}); r.body["errors"] != nil {
		t.Errorf("255 graphemes refused: %s", r.raw)
	}
	wantOneError(t, h.gql(t, auth, send, map[string]any{"m": strings.Repeat("a", 256)}), "message: should be at most 255 character(s)")
	wantOneError(t, h.gql(t, auth, send, map[string]any{"m": ""}), "message: can't be blank")
	wantOneError(t, h.gql(t, auth, send, map[string]any{"m": "   "}), "message: can't be blank")
	wantOneError(t, h.gql(t, auth, send, map[string]any{"m": nil}), "message: can't be blank")
}

func TestLinksBlocked(t *testing.T) {
	h := newHarness(t, Options{})
	auth := "Bearer " + h.token(t, "ViewerVic")
	send := `mutation($m: String){ createChatMessage(channelId: "7", message: {message: $m}){ tokens { type text } } }`
	wantOneError(t, h.gql(t, auth, send, map[string]any{"m": "see https://example.com"}), "This channel has links disabled!")
	// Without "://" it is no link to the policy, and disableHyperlinks keeps
	// URL-looking pieces as text.
	r := h.gql(t, auth, send, map[string]any{"m": "see glimesh.tv ok"})
	want := []any{
		map[string]any{"type": "text", "text": "see "},
		map[string]any{"type": "text", "text": "glimesh.tv"},
		map[string]any{"type": "text", "text": " ok"},
	}
	if got := at(t, r.body, "data", "createChatMessage", "tokens"); !reflect.DeepEqual(got, want) {
		t.Errorf("tokens = %v", got)
	}
	r = h.gql(t, clientAuth(), `{ channel(streamerUsername: "QUIET") { blockLinks disableHyperlinks status } }`, nil)
	if got := at(t, r.body, "data", "channel"); !reflect.DeepEqual(got, map[string]any{"blockLinks": true, "disableHyperlinks": true, "status": "OFFLINE"}) {
		t.Errorf("quiet channel = %v", got)
	}
}

func TestTokensOverHTTP(t *testing.T) {
	h := newHarness(t, Options{})
	send := `mutation($m: String){ createChatMessage(channelId: "6", message: {message: $m}){
		tokens { __typename type text ... on UrlToken { url } ... on EmoteToken { src } } } }`
	r := h.gql(t, "Bearer "+h.token(t, "ViewerVic"), send, map[string]any{"m": "Hi https://glimesh.tv :glimsmile: :glimdance: :demowave:"})
	want := []any{
		map[string]any{"__typename": "TextToken", "type": "text", "text": "Hi "},
		map[string]any{"__typename": "UrlToken", "type": "url", "text": "https://glimesh.tv", "url": "https://glimesh.tv"},
		map[string]any{"__typename": "TextToken", "type": "text", "text": " "},
		map[string]any{"__typename": "EmoteToken", "type": "emote", "text": ":glimsmile:", "src": "/uploads/emotes/glimsmile.svg"},
		map[string]any{"__typename": "TextToken", "type": "text", "text": " "},
		// Animated global emotes are for platform subscribers only.
		map[string]any{"__typename": "TextToken", "type": "text", "text": ":glimdance:"},
		map[string]any{"__typename": "TextToken", "type": "text", "text": " "},
		map[string]any{"__typename": "EmoteToken", "type": "emote", "text": ":demowave:", "src": "/uploads/emotes/demowave.svg"},
	}
	if got := at(t, r.body, "data", "createChatMessage", "tokens"); !reflect.DeepEqual(got, want) {
		t.Fatalf("tokens =\n%v\nwant\n%v", got, want)
	}
	r = h.gql(t, "Bearer "+h.token(t, "FounderFox"), send, map[string]any{"m": ":glimdance:"})
	if got := at(t, r.body, "data", "createChatMessage", "tokens", 0, "src"); got != "/uploads/emotes/glimdance.gif" {
		t.Errorf("founder's animated emote src = %v", got)
	}
	// Every emote src is served.
	for _, src := range []string{"/uploads/emotes/glimsmile.svg", "/uploads/emotes/demowave.svg", "/uploads/emotes/glimdance.gif"} {
		res := h.do(t, http.MethodGet, src, nil, "")
		ct := res.header.Get("Content-Type")
		if res.status != 200 || !(strings.HasPrefix(res.raw, "<svg") && ct == "image/svg+xml" || strings.HasPrefix(res.raw, "GIF89a") && ct == "image/gif") {
			t.Errorf("%s: %d %s %.20q", src, res.status, ct, res.raw)
		}
	}
	if res := h.do(t, http.MethodGet, "/uploads/emotes/nope.svg", nil, ""); res.status != 404 {
		t.Errorf("missing emote: %d", res.status)
	}
}

func TestMetadataFlags(t *testing.T) {
	h := newHarness(t, Options{})
	send := `mutation{ createChatMessage(channelId: "6", message: {message: "x"}){ metadata {
		admin streamer moderator subscriber platformFounderSubscriber platformSupporterSubscriber } } }`
	flags := func(a, s, m, sub, f, sup bool) map[string]any {
		return map[string]any{"admin": a, "streamer": s, "moderator": m, "subscriber": sub,
			"platformFounderSubscriber": f, "platformSupporterSubscriber": sup}
	}
	for user, want := range map[string]map[string]any{
		"demo":        flags(false, true, false, false, false, false),
		"MartaMod":    flags(false, false, true, true, false, false),
		"SubSam":      flags(false, false, false, true, false, false),
		"FounderFox":  flags(false, false, false, true, true, false),
		"SupporterLi": flags(false, false, false, false, false, true),
		"AdminAda":    flags(true, false, false, false, false, false),
		"ViewerVic":   flags(false, false, false, false, false, false),
	} {
		r := h.gql(t, "Bearer "+h.token(t, user), send, nil)
		if got := at(t, r.body, "data", "createChatMessage", "metadata"); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: metadata %v, want %v", user, got, want)
		}
	}
	// The oldest history predates the metadata column.
	r := h.gql(t, clientAuth(), `{ channel(id: 6) { chatMessages(first: 2) { edges { node { id metadata { admin } insertedAt } } } } }`, nil)
	if got := at(t, r.body, "data", "channel", "chatMessages", "edges", 0, "node", "metadata"); got != nil {
		t.Errorf("oldest message metadata = %v, want null", got)
	}
	if got := at(t, r.body, "data", "channel", "chatMessages", "edges", 0, "node", "insertedAt"); got != "2026-01-02T13:04:05" {
		t.Errorf("oldest insertedAt = %v", got)
	}
}

func TestLookups(t *testing.T) {
	h := newHarness(t, Options{})
	for q, want := range map[string]any{
		`{ channel(streamerUsername: "DeMo") { id } }`:           "6",
		`{ channel(streamerId: 154) { id } }`:                    "6",
		`{ channel(id: "7") { id } }`:                            "7",
		`{ channel(id: "6", streamerUsername: "quiet") { id } }`: "6",
	} {
		r := h.gql(t, clientAuth(), q, nil)
		if got := at(t, r.body, "data", "channel", "id"); got != want {
			t.Errorf("%s: id %v, want %v (%s)", q, got, want, r.raw)
		}
	}
	for _, q := range []string{
		`{ channel(streamerUsername: "nobody") { id } }`,
		`{ channel(streamerUsername: "ViewerVic") { id } }`,
		`{ channel(id: "abc") { id } }`,
		`{ channel { id } }`,
		`{ user(username: "nobody") { id } }`,
	} {
		wantOneError(t, h.gql(t, clientAuth(), q, nil), "Could not find resource")
	}
	r := h.gql(t, clientAuth(), `{ user(username: "martamod") { id username displayname teamRole channel { id } } }`, nil)
	if got := at(t, r.body, "data", "user"); !reflect.DeepEqual(got, map[string]any{"id": "201", "username": "MartaMod", "displayname": "MartaMod", "teamRole": nil, "channel": nil}) {
		t.Errorf("user = %v", got)
	}
	r = h.gql(t, clientAuth(), `{ user(id: 154) { channel { id streamer { username } } } }`, nil)
	if got := at(t, r.body, "data", "user", "channel", "streamer", "username"); got != "demo" {
		t.Errorf("user(id).channel.streamer = %v", got)
	}
}

func TestHTTPRequestShapes(t *testing.T) {
	h := newHarness(t, Options{})
	auth := map[string]string{"Authorization": clientAuth()}
	// GET is allowed for queries.
	r := h.do(t, http.MethodGet, "/api/graph?query="+url.QueryEscape(`{ channel(id: 6) { title } }`), auth, "")
	if r.status != 200 || at(t, r.body, "data", "channel", "title") == nil {
		t.Errorf("GET query: %d %s", r.status, r.raw)
	}
	r = h.do(t, http.MethodGet, "/api/graph?query="+url.QueryEscape(`mutation { createChatMessage(channelId: 6, message: {message: "x"}) { id } }`), auth, "")
	if r.status != 405 {
		t.Errorf("GET mutation: %d %s", r.status, r.raw)
	}
	r = h.do(t, http.MethodPost, "/api/graph", map[string]string{"Authorization": clientAuth(), "Content-Type": "application/json"}, `{}`)
	if r.status != 400 || r.raw != `{"errors":[{"message":"No query document supplied"}]}` {
		t.Errorf("no query: %d %s", r.status, r.raw)
	}
	r = h.do(t, http.MethodPost, "/api/graph", map[string]string{"Authorization": clientAuth(), "Content-Type": "application/x-www-form-urlencoded"},
		"query="+url.QueryEscape(`query($u: String){ channel(streamerUsername: $u) { id } }`)+"&variables="+url.QueryEscape(`{"u":"demo"}`))
	if at(t, r.body, "data", "channel", "id") != "6" {
		t.Errorf("form body with JSON-string variables: %d %s", r.status, r.raw)
	}
	r = h.do(t, http.MethodPost, "/api/graph", map[string]string{"Authorization": clientAuth(), "Content-Type": "application/json"}, `{"query":`)
	if r.status != 400 {
		t.Errorf("broken JSON: %d %s", r.status, r.raw)
	}
	r = h.do(t, http.MethodPost, "/api/graph", map[string]string{"Authorization": clientAuth(), "Accept": "text/html", "Content-Type": "application/json"}, `{"query":"{ channel(id: 6) { id } }"}`)
	if r.status != 406 || r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("Accept: text/html: %d %v", r.status, r.header)
	}
	// Validation errors come back 200 with errors and no data.
	r = h.gql(t, clientAuth(), `{ channel(id: 6) { nope } }`, nil)
	if r.status != 200 || r.body["data"] != nil || len(errMessages(r)) != 1 {
		t.Errorf("invalid field: %d %s", r.status, r.raw)
	}
}

// A cross-origin page cannot POST with Authorization: the preflight runs
// the auth pipeline and fails with 401 and no allow-headers.
func TestCORSPreflight(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.do(t, http.MethodOptions, "/api/graph", map[string]string{
		"Origin":                         "https://streamer.example",
		"Access-Control-Request-Method":  "POST",
		"Access-Control-Request-Headers": "authorization,content-type",
	}, "")
	if r.status != 401 || r.raw != `{"errors":[{"message":"You must be logged in to access the api"}]}` {
		t.Errorf("preflight: %d %s", r.status, r.raw)
	}
	if r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("allow-origin = %q", r.header.Get("Access-Control-Allow-Origin"))
	}
	for _, k := range []string{"Access-Control-Allow-Headers", "Access-Control-Allow-Methods", "Access-Control-Allow-Credentials", "Access-Control-Max-Age"} {
		if v := r.header.Get(k); v != "" {
			t.Errorf("%s = %q, the real server sends none", k, v)
		}
	}
	ok := h.gql(t, clientAuth(), `{ channel(id: 6) { id } }`, nil)
	if ok.header.Get("Access-Control-Allow-Origin") != "*" || ok.header.Get("Access-Control-Allow-Headers") != "" {
		t.Errorf("normal response CORS headers: %v", ok.header)
	}
}
