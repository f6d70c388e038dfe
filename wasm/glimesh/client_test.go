package glimesh

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// recorded is one request as the in-memory transport saw it.
type recorded struct {
	Method, URL string
	Header      http.Header
	Body        struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
}

// memRT is an in-memory http.RoundTripper: it records each request and
// answers with a canned status and body (or a transport error).
type memRT struct {
	mu     sync.Mutex
	reqs   []recorded
	status int
	body   string
	err    error
	header http.Header
}

func (m *memRT) RoundTrip(req *http.Request) (*http.Response, error) {
	var r recorded
	r.Method, r.URL, r.Header = req.Method, req.URL.String(), req.Header.Clone()
	b, _ := io.ReadAll(req.Body)
	if err := json.Unmarshal(b, &r.Body); err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.reqs = append(m.reqs, r)
	m.mu.Unlock()
	if m.err != nil {
		return nil, m.err
	}
	h := m.header
	if h == nil {
		h = http.Header{"Content-Type": {"application/json"}}
	}
	return &http.Response{
		StatusCode: m.status, Status: http.StatusText(m.status), Header: h,
		Body: io.NopCloser(strings.NewReader(m.body)), Request: req,
	}, nil
}

func (m *memRT) last(t *testing.T) recorded {
	t.Helper()
	if len(m.reqs) == 0 {
		t.Fatal("no request was sent")
	}
	return m.reqs[len(m.reqs)-1]
}

func client(t *testing.T, rt *memRT, auth Auth) *Client {
	t.Helper()
	c, err := NewClient(base(t, "https://glimesh.example"), &http.Client{Transport: rt}, auth)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ok(body string) *memRT { return &memRT{status: 200, body: body} }

const fullMessage = `{"id":"1002","message":"hi :glimsmile: https://x.test","insertedAt":"2021-01-08T05:03:44","updatedAt":"2021-01-08T05:03:50",
 "user":{"id":"7","username":"bob","displayname":"Bob","avatarUrl":"https://cdn.example/a.png"},
 "metadata":{"admin":false,"streamer":true,"moderator":true,"subscriber":false,"platformFounderSubscriber":true,"platformSupporterSubscriber":false},
 "tokens":[{"type":"text","text":"hi "},{"type":"emote","text":":glimsmile:","src":"/emotes/svg/glimsmile.svg"},
           {"type":"text","text":" "},{"type":"url","text":"https://x.test","url":"https://x.test"}]}`

func wantFull(t *testing.T, m Message) {
	t.Helper()
	if m.ID != "1002" || m.Text != "hi :glimsmile: https://x.test" || m.InsertedAt != "2021-01-08T05:03:44" || m.UpdatedAt != "2021-01-08T05:03:50" {
		t.Errorf("fields: %+v", m)
	}
	if m.User != (User{ID: "7", Username: "bob", Displayname: "Bob", AvatarURL: "https://cdn.example/a.png"}) {
		t.Errorf("user: %+v", m.User)
	}
	if m.Roles != RoleStreamer|RoleModerator|RoleFounder {
		t.Errorf("roles: %b", m.Roles)
	}
	want := []Token{{Type: "text", Text: "hi "}, {Type: "emote", Text: ":glimsmile:", Src: "/emotes/svg/glimsmile.svg"},
		{Type: "text", Text: " "}, {Type: "url", Text: "https://x.test", URL: "https://x.test"}}
	if len(m.Tokens) != len(want) {
		t.Fatalf("tokens: %+v", m.Tokens)
	}
	for i := range want {
		if m.Tokens[i] != want[i] {
			t.Errorf("token %d: %+v, want %+v", i, m.Tokens[i], want[i])
		}
	}
}

func TestRequestShape(t *testing.T) {
	rt := ok(`{"data":{"channel":{"id":"6"}}}`)
	id, err := client(t, rt, Auth{ClientID: "abc-123"}).ChannelID(context.Background(), "mytho")
	if err != nil || id != "6" {
		t.Fatalf("ChannelID = %q, %v", id, err)
	}
	r := rt.last(t)
	if r.Method != "POST" || r.URL != "https://glimesh.example/api/graph" {
		t.Errorf("request %s %s", r.Method, r.URL)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if a := r.Header.Get("Accept"); a != "application/json" {
		t.Errorf("Accept %q", a)
	}
	if got := r.Header.Values("Authorization"); len(got) != 1 || got[0] != "Client-ID abc-123" {
		t.Errorf("Authorization %q", got)
	}
	if want := `query($username:String!){channel(streamerUsername: $username){id}}`; r.Body.Query != want {
		t.Errorf("query %q, want %q", r.Body.Query, want)
	}
	if r.Body.Variables["username"] != "mytho" {
		t.Errorf("variables %v", r.Body.Variables)
	}
}

func TestAuthHeaderSelection(t *testing.T) {
	for _, tc := range []struct {
		auth Auth
		want string
	}{
		{Auth{ClientID: "cid"}, "Client-ID cid"},
		{Auth{Token: "tok"}, "Bearer tok"},
		{Auth{ClientID: "cid", Token: "tok"}, "Bearer tok"}, // the token wins, never both
	} {
		rt := ok(`{"data":{"channel":{"id":"6"}}}`)
		if _, err := client(t, rt, tc.auth).ChannelID(context.Background(), "x"); err != nil {
			t.Fatal(err)
		}
		if got := rt.last(t).Header.Values("Authorization"); len(got) != 1 || got[0] != tc.want {
			t.Errorf("%v: Authorization %q, want %q", tc.auth, got, tc.want)
		}
	}
}

func TestNewClientRejects(t *testing.T) {
	if _, err := NewClient(base(t, "https://g.example"), nil, Auth{}); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("no credentials: %v", err)
	}
	for name, auth := range map[string]Auth{
		"no credentials":   {},
		"header injection": {Token: "a\r\nX-Evil: 1"},
		"space in id":      {ClientID: "a b"},
	} {
		if _, err := NewClient(base(t, "https://g.example"), nil, auth); err == nil {
			t.Errorf("%s: NewClient accepted %v", name, auth)
		}
	}
}

func TestAuthNeverPrintsToken(t *testing.T) {
	a := Auth{Token: "s3cret"}
	for _, s := range []string{a.String(), a.GoString()} {
		if strings.Contains(s, "s3cret") {
			t.Errorf("token printed: %q", s)
		}
	}
}

func TestChannelNotFound(t *testing.T) {
	for name, body := range map[string]string{
		"resolver error": `{"data":{"channel":null},"errors":[{"message":"Could not find resource","locations":[{"line":1,"column":2}],"path":["channel"]}]}`,
		"null channel":   `{"data":{"channel":null}}`,
	} {
		_, err := client(t, ok(body), Auth{ClientID: "c"}).ChannelID(context.Background(), "nobody")
		var nf *NotFoundError
		if !errors.Is(err, ErrChannelNotFound) || !errors.As(err, &nf) || nf.Channel != "nobody" {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestHistory(t *testing.T) {
	body := `{"data":{"channel":{"chatMessages":{"edges":[
		{"node":` + fullMessage + `},
		{"node":{"id":"999","message":"old <b>","insertedAt":"x","user":{"id":"8","username":"al","displayname":"","avatarUrl":null},"metadata":null,"tokens":null}},
		{"node":{"id":"not-a-number","message":"skipped","insertedAt":"x","user":{"id":"8","username":"al","displayname":"Al","avatarUrl":null},"metadata":null,"tokens":null}},
		null
	]}}}}`
	rt := ok(body)
	msgs, err := client(t, rt, Auth{ClientID: "c"}).History(context.Background(), "6", 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].ID != "999" || msgs[1].ID != "1002" {
		t.Fatalf("want ids [999 1002] oldest first, got %+v", msgs)
	}
	old := msgs[0]
	if old.Roles != 0 || old.Tokens != nil || old.User.Displayname != "" || old.User.AvatarURL != "" || old.Text != "old <b>" {
		t.Errorf("null metadata/tokens/avatar: %+v", old)
	}
	wantFull(t, msgs[1])
	r := rt.last(t)
	if r.Body.Variables["channelId"] != "6" || r.Body.Variables["last"] != float64(50) {
		t.Errorf("variables %v", r.Body.Variables)
	}
	if !strings.HasPrefix(r.Body.Query, "query($channelId:ID!$last:Int!){channel(id: $channelId){chatMessages(last: $last){edges{node") {
		t.Errorf("query %q", r.Body.Query)
	}
}

func TestHistoryBounds(t *testing.T) {
	rt := ok(`{"data":{"channel":{"chatMessages":{"edges":[]}}}}`)
	c := client(t, rt, Auth{ClientID: "c"})
	if msgs, err := c.History(context.Background(), "6", 0); err != nil || msgs != nil || len(rt.reqs) != 0 {
		t.Fatalf("n=0 sent a request or returned %v, %v", msgs, err)
	}
	if _, err := c.History(context.Background(), "6", 5000); err != nil {
		t.Fatal(err)
	}
	if got := rt.last(t).Body.Variables["last"]; got != float64(MaxHistory) {
		t.Errorf("last = %v, want clamped to %d", got, MaxHistory)
	}
	_, err := client(t, ok(`{"data":{"channel":null}}`), Auth{ClientID: "c"}).History(context.Background(), "6", 5)
	if !errors.Is(err, ErrChannelNotFound) {
		t.Errorf("null channel: %v", err)
	}
}

func TestSend(t *testing.T) {
	rt := ok(`{"data":{"createChatMessage":` + fullMessage + `}}`)
	m, err := client(t, rt, Auth{Token: "tok"}).Send(context.Background(), "6", "hi :glimsmile: https://x.test")
	if err != nil {
		t.Fatal(err)
	}
	wantFull(t, m)
	r := rt.last(t)
	if want := "mutation($channelId:ID!$message:ChatMessageInput!){createChatMessage(channelId: $channelId, message: $message)" + messageSelection + "}"; r.Body.Query != want {
		t.Errorf("mutation %q\nwant %q", r.Body.Query, want)
	}
	msg, _ := r.Body.Variables["message"].(map[string]any)
	if r.Body.Variables["channelId"] != "6" || msg["message"] != "hi :glimsmile: https://x.test" {
		t.Errorf("variables %v", r.Body.Variables)
	}
	if _, err := client(t, rt, Auth{Token: "tok"}).Send(context.Background(), "6", " \n\t"); !errors.Is(err, ErrEmptyMessage) {
		t.Errorf("blank message: %v", err)
	}
	if _, err := client(t, ok(`{"data":{"createChatMessage":null}}`), Auth{Token: "tok"}).Send(context.Background(), "6", "x"); !errors.Is(err, ErrNoMessage) {
		t.Errorf("null reply without errors: %v", err)
	}
}

func TestGraphQLErrors(t *testing.T) {
	for _, msg := range []string{
		"unauthorized",
		"This channel has links disabled!",
		"message: should be at most 255 character(s)",
		"You are permanently banned from this channel.",
		"Something odd \u202e<b>",
	} {
		tc := struct{ msg string }{msg}
		body, _ := json.Marshal(map[string]any{
			"data":   map[string]any{"createChatMessage": nil},
			"errors": []any{map[string]any{"message": tc.msg, "path": []any{"createChatMessage"}}, map[string]any{"message": "second"}},
		})
		_, err := client(t, ok(string(body)), Auth{Token: "t"}).Send(context.Background(), "6", "hello")
		var ge *GraphQLError
		if !errors.As(err, &ge) || len(ge.Messages) != 2 || ge.Messages[0] != tc.msg || ge.Messages[1] != "second" {
			t.Errorf("%q: err = %#v", tc.msg, err)
			continue
		}
	}
}

func TestHTTPErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		status     int
		body       string
		auth       Auth
		wantMsg    string
		wantHeader string
	}{
		"no auth": {401, `{"errors":[{"message":"You must be logged in to access the api"}]}`, Auth{ClientID: "c"},
			"You must be logged in to access the api", ""},
		"bad token": {401, `{"errors":[{"message":"Given access token is invalid, revoked, or expired.","header_error":"invalid_access_token"}]}`, Auth{Token: "t"},
			"Given access token is invalid, revoked, or expired.", "invalid_access_token"},
		"refused client id": {500, `<html>Internal Server Error</html>`, Auth{ClientID: "nope"}, "", ""},
		"server down":       {503, ``, Auth{Token: "t"}, "", ""},
		"no query":          {400, `{"errors":[{"message":"No query document supplied"}]}`, Auth{ClientID: "c"}, "No query document supplied", ""},
		"redirect":          {307, ``, Auth{Token: "t"}, "", ""},
		"wrong path":        {404, `not found`, Auth{ClientID: "c"}, "", ""},
	} {
		rt := &memRT{status: tc.status, body: tc.body, header: http.Header{"Location": {"https://evil.example/"}}}
		_, err := client(t, rt, tc.auth).ChannelID(context.Background(), "x")
		var he *HTTPError
		if !errors.As(err, &he) {
			t.Errorf("%s: err = %v, want *HTTPError", name, err)
			continue
		}
		if he.Status != tc.status || he.Message != tc.wantMsg || he.HeaderError != tc.wantHeader || he.Bearer != (tc.auth.Token != "") {
			t.Errorf("%s: %+v", name, he)
		}
		if len(rt.reqs) != 1 {
			t.Errorf("%s: %d requests (a redirect must not be followed)", name, len(rt.reqs))
		}
	}
}

func TestNetworkAndContextErrors(t *testing.T) {
	boom := errors.New("TypeError: Failed to fetch")
	_, err := client(t, &memRT{err: boom}, Auth{ClientID: "c"}).ChannelID(context.Background(), "x")
	var ne *NetworkError
	if !errors.As(err, &ne) || !errors.Is(err, boom) {
		t.Fatalf("err = %v, want *NetworkError wrapping the cause", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = client(t, &memRT{err: context.Canceled}, Auth{ClientID: "c"}).ChannelID(ctx, "x")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	for name, body := range map[string]string{
		"not json":         `<html>`,
		"wrong type":       `{"data":{"channel":{"id":6}}}`,
		"errors not array": `{"data":null,"errors":"boom"}`,
		"too large":        `{"data":{"channel":{"id":"6","x":"` + strings.Repeat("a", maxBody) + `"}}}`,
		"bad channel id":   `{"data":{"channel":{"id":"6; drop"}}}`,
	} {
		_, err := client(t, ok(body), Auth{ClientID: "c"}).ChannelID(context.Background(), "x")
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Errorf("%s: err = %v, want *DecodeError", name, err)
		}
	}
}

func base(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
