package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// What one request or frame may cost at most: the execution deadline plus
// room for parsing, validating and a loaded machine, and far less memory
// than a client could make an unbounded server hold.
const (
	fuzzSlack    = 3 * time.Second
	fuzzMaxAlloc = 256 << 20
)

// fuzzInstance is one instance per fuzzing process, shared by its inputs
// (whatever they post, ban or subscribe to stays within the store's
// bounds), with the log records of contained panics counted.
func fuzzInstance(f *testing.F) (*Instance, *countingHandler) {
	logs := &countingHandler{}
	inst, err := New(Options{Logger: slog.New(logs)})
	if err != nil {
		f.Fatal(err)
	}
	// Sockets end asynchronously; one input's socket must not count
	// against the next input's.
	inst.lim.sockets = 1 << 20
	return inst, logs
}

// fuzzAuth is the credential that selector picks: none, the client id, a
// chatter's, the streamer's (a moderator of demo) and an unknown token.
func fuzzAuth(inst *Instance, selector uint8) (header, query string) {
	tok := func(name string) string {
		for _, t := range inst.Tokens() {
			if t.Username == name {
				return t.Token
			}
		}
		return ""
	}
	switch selector % 5 {
	case 1:
		return "Client-ID " + ClientID, "client_id=" + ClientID
	case 2:
		return "Bearer " + tok("Noor"), "token=" + url.QueryEscape(tok("Noor"))
	case 3:
		return "Bearer " + tok("demo"), "token=" + url.QueryEscape(tok("demo"))
	case 4:
		return "Bearer nope", "token=nope"
	}
	return "", ""
}

// bounded runs fn and fails the test if it takes longer than limit or
// allocates more than fuzzMaxAlloc, or if a panic was contained meanwhile.
func bounded(t *testing.T, logs *countingHandler, limit time.Duration, fn func()) {
	t.Helper()
	panics := logs.count("websocket frame handler panic") + logs.count("graphql resolver panic")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	fn()
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	if took > limit {
		t.Errorf("took %v, over %v", took, limit)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > fuzzMaxAlloc {
		t.Errorf("allocated %d MiB", n>>20)
	}
	if n := logs.count("websocket frame handler panic") + logs.count("graphql resolver panic") - panics; n > 0 {
		logs.mu.Lock()
		last := logs.last
		logs.mu.Unlock()
		t.Errorf("%d panics contained; the last log record: %v", n, last)
	}
}

// fuzzDocs are documents to start from: the widget's, the limits' tests',
// and some that stress the parser and the validator.
var fuzzDocs = []string{
	widgetHistory,
	subDoc,
	aliases(60, "channel(id: 6){ chatMessages(last: 1000){ edges{ node{ id } } } }"),
	`{ channel(streamerUsername: "demo"){ chatMessages(first: 5, after: "YXJyYXljb25uZWN0aW9uOjA="){ pageInfo{ hasNextPage endCursor } count edges{ cursor node{ id } } } } }`,
	`{ myself { id username channel { id bans(last: 5){ edges{ node{ user{ id } expiresAt } } } moderationLogs(last: 5){ edges{ node{ action } } } } } }`,
	`mutation($c: ID!, $m: String!){ createChatMessage(channelId: $c, message: {message: $m}){ id tokens{ type text } } }`,
	`mutation{ banUser(channelId: 6, userId: 207){ action } unbanUser(channelId: 6, userId: 207){ action } }`,
	`query Q($a: Int){ ...F } fragment F on RootQueryType { channel(id: 6){ chatMessages(last: $a){ count } } }`,
	`fragment A on Channel { ...B } fragment B on Channel { ...A } { channel(id: 6){ ...A } }`,
	"{ channel(id: 6){ " + strings.Repeat("streamer{ channel{ ", 14) + "id" + strings.Repeat(" }", 28) + " } }",
	`{ __schema { types { name fields { name args { name type { name ofType { name } } } } } } }`,
	`{ a: __typename b: __typename ` + strings.Repeat("c: __typename ", 500) + `}`,
	"query(" + strings.Repeat("$v: Int ", 300) + "){ __typename }",
	"{ user(username: \"" + strings.Repeat("\\u0000", 100) + "\"){ id } }",
}

// FuzzGraphHTTP proves that any POST /api/graph, whatever its body,
// operation, variables and credentials, is answered within the execution
// deadline plus slack and a bounded allocation, and panics nowhere.
func FuzzGraphHTTP(f *testing.F) {
	for i, doc := range fuzzDocs {
		f.Add(doc, `{"channelId":"6","last":50,"c":"6","m":"hi :glimsmile: https://x.test"}`, "", uint8(i))
	}
	f.Add(`{"query":"{ myself { id } }","variables":"{\"a\":[[[[1]]]]}"}`, "", "", uint8(0x22))
	f.Add(`query=%7B+myself+%7B+id+%7D+%7D`, "", "", uint8(0x31))
	f.Add(`{ channel(id: 6) { chatMessages(last: 1000) { edges { node { id } } } } }`, "", "", uint8(0x13))
	inst, logs := fuzzInstance(f)
	h := inst.Handler()
	f.Fuzz(func(t *testing.T, query, variables, opName string, mode uint8) {
		auth, _ := fuzzAuth(inst, mode)
		// mode's high bits: a JSON body built from the parts, the query
		// as an application/graphql body, or the query as the raw body.
		ct, body := "application/json", query
		switch (mode >> 4) % 3 {
		case 0:
			b, err := json.Marshal(map[string]string{"query": query, "variables": variables, "operationName": opName})
			if err != nil {
				return
			}
			body = string(b)
		case 1:
			ct = "application/graphql"
		}
		bounded(t, logs, inst.lim.execTimeout+fuzzSlack, func() {
			r := httptest.NewRequest(http.MethodPost, "/api/graph", strings.NewReader(body))
			r.Header.Set("Content-Type", ct)
			if auth != "" {
				r.Header.Set("Authorization", auth)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code == 0 || w.Body.Len() > 16<<20 {
				t.Errorf("status %d with %d bytes", w.Code, w.Body.Len())
			}
		})
	})
}

// fuzzFrame encodes a Phoenix v2 frame for the seeds.
func fuzzFrame(joinRef, ref any, topic, event string, payload any) string {
	b, err := json.Marshal([]any{joinRef, ref, topic, event, payload})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// FuzzSocketFrames proves that any sequence of websocket frames (one a
// line), on a socket opened with any credential, is handled frame by frame
// within the execution deadline plus slack and a bounded allocation, and
// panics nowhere: after each frame a heartbeat is answered in time, or the
// socket is closed.
func FuzzSocketFrames(f *testing.F) {
	join := fuzzFrame("1", "1", controlTopic, "phx_join", map[string]any{})
	doc := func(query string, vars map[string]any) string {
		return fuzzFrame("1", "2", controlTopic, "doc", map[string]any{"query": query, "variables": vars})
	}
	lines := func(frames ...string) string { return strings.Join(frames, "\n") }
	f.Add(lines(join, doc(subDoc, map[string]any{"c": "6"}), doc(widgetHistory, map[string]any{"channelId": "6", "last": 1000})), uint8(1))
	f.Add(lines(join, doc(fuzzDocs[5], map[string]any{"c": "6", "m": "fuzz :glimsmile:"}), fuzzFrame("1", "3", controlTopic, "unsubscribe", map[string]any{"subscriptionId": "x"})), uint8(2))
	f.Add(lines(join, doc(fuzzDocs[6], nil), fuzzFrame("1", "4", controlTopic, "phx_leave", map[string]any{})), uint8(3))
	f.Add(lines(join, doc(fuzzDocs[2], nil), doc(fuzzDocs[8], nil), fuzzFrame("1", "5", controlTopic, "doc", "string payload")), uint8(1))
	f.Add(lines(fuzzFrame(nil, "1", "phoenix", "heartbeat", map[string]any{}), `[null,"1",5,"heartbeat",{}]`, `not json`), uint8(4))
	f.Add(lines(join, join, doc(subDoc, map[string]any{"c": "6"}), doc(subDoc, map[string]any{"c": "7"}), fuzzFrame("9", "6", "other", "doc", map[string]any{})), uint8(0))
	inst, logs := fuzzInstance(f)
	srv := httptest.NewServer(inst.Handler())
	f.Cleanup(srv.Close)
	f.Fuzz(func(t *testing.T, frames string, auth uint8) {
		_, cred := fuzzAuth(inst, auth)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/api/graph/websocket?vsn=2.0.0&"+cred, nil)
		if err != nil {
			return // refused: no credential, or an unknown one
		}
		defer c.CloseNow()
		c.SetReadLimit(-1)
		all := strings.Split(frames, "\n")
		for i, fr := range all[:min(len(all), 16)] {
			closed := false
			bounded(t, logs, inst.lim.execTimeout+fuzzSlack, func() {
				closed = !heartbeatAfter(t, c, fr, fmt.Sprintf("fuzz-hb-%d", i))
			})
			if closed || t.Failed() {
				return
			}
		}
	})
}

// heartbeatAfter sends frame, then a heartbeat with ref, and reads until
// the heartbeat's reply. It reports false if the socket closed first.
func heartbeatAfter(t *testing.T, c *websocket.Conn, frame, ref string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), execTimeout+2*fuzzSlack)
	defer cancel()
	if c.Write(ctx, websocket.MessageText, []byte(frame)) != nil ||
		c.Write(ctx, websocket.MessageText, []byte(fuzzFrame(nil, ref, "phoenix", "heartbeat", map[string]any{}))) != nil {
		return false
	}
	want := `"` + ref + `","phoenix","phx_reply"`
	for {
		_, data, err := c.Read(ctx)
		switch {
		case ctx.Err() != nil:
			t.Errorf("no heartbeat reply after frame %.200q", frame)
			return false
		case err != nil:
			return false
		case strings.Contains(string(data), want):
			return true
		}
	}
}
