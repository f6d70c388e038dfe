package demo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// aliases is n aliases of field, in braces.
func aliases(n int, field string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " a%d: %s", i, field)
	}
	b.WriteString(" }")
	return b.String()
}

// aliasBomb is the finding's document: 2000 full pages of history.
var aliasBomb = aliases(2000, "channel(id: 6){ chatMessages(last: 1000){ edges{ node{ id message } } } }")

// Each alias costs 6 (channel, chatMessages, edges, node, id, message).
const bombRefusal = "Operation is too complex: complexity is 12000 and maximum is 500"

// The widget's history query (wasm/glimesh/ops.go), written out.
const widgetHistory = `query($channelId: ID, $last: Int){ channel(id: $channelId){ chatMessages(last: $last){ edges{ node{
	id message insertedAt user{ id username displayname avatarUrl }
	metadata{ admin streamer moderator subscriber platformFounderSubscriber platformSupporterSubscriber }
	tokens{ type text ... on EmoteToken{ src } ... on UrlToken{ url } } } } } } }`

// fillDemo posts until the demo channel holds at least n messages.
func fillDemo(t *testing.T, h *harness, n int) {
	t.Helper()
	for i := len(h.inst.store.messagesOf(h.inst.store.channelByID(demoChannelID))); i < n; i++ {
		if _, err := h.inst.Post("demo", "Noor", fmt.Sprintf("filler %d :glimsmile:", i)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAliasBombRefusedOverHTTP(t *testing.T) {
	h := newHarness(t, Options{})
	start := time.Now()
	r := h.gql(t, clientAuth(), aliasBomb, nil)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("answered after %v", d)
	}
	if r.status != http.StatusOK || r.body["data"] != nil {
		t.Errorf("status %d, data %v", r.status, r.body["data"])
	}
	wantOneError(t, r, bombRefusal)
	if loc := at(t, r.body, "errors", 0, "locations", 0); at(t, loc, "line") != 1.0 || at(t, loc, "column") != 1.0 {
		t.Errorf("location %v", loc)
	}
}

func TestAliasBombRefusedOverSocket(t *testing.T) {
	h := newHarness(t, Options{})
	w := h.dial(t, "vsn=2.0.0&client_id="+ClientID)
	w.c.SetReadLimit(64 << 20) // so that a full answer fails on its content
	w.join("1")
	start := time.Now()
	w.send("1", "2", controlTopic, "doc", map[string]any{"query": aliasBomb})
	rep := w.replyTo("2", nil)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("answered after %v", d)
	}
	if rep.payload["status"] != "error" || at(t, rep.payload, "response", "errors", 0, "message") != bombRefusal {
		t.Errorf("reply %.300s", rep.raw)
	}
	// A subscription document is held to the same limit.
	sub := "subscription{ chatMessage(channelId: 6)" + aliases(100, "channel{ chatMessages(last: 1000){ edges{ node{ id message } } } }") + " }"
	w.send("1", "3", controlTopic, "doc", map[string]any{"query": sub})
	rep = w.replyTo("3", nil)
	if msg, _ := at(t, rep.payload, "response", "errors", 0, "message").(string); rep.payload["status"] != "error" || !strings.HasPrefix(msg, "Operation is too complex") {
		t.Errorf("subscription reply %.300s", rep.raw)
	}
}

// An invalid document that is also too complex reports what is invalid,
// as Absinthe analyses complexity only after validation.
func TestInvalidBeforeTooComplex(t *testing.T) {
	h := newHarness(t, Options{})
	var b strings.Builder
	for i := range 600 {
		fmt.Fprintf(&b, "a%d: nope ", i)
	}
	r := h.gql(t, clientAuth(), "{ "+b.String()+"}", nil)
	msgs := errMessages(r)
	if len(msgs) == 0 || !strings.Contains(msgs[0], `Cannot query field "nope"`) {
		t.Errorf("errors %.300q", msgs)
	}
}

func TestWidgetQueriesWithinLimits(t *testing.T) {
	h := newHarness(t, Options{})
	fillDemo(t, h, 1000)
	vars := map[string]any{"channelId": "6", "last": 1000}
	r := h.gql(t, clientAuth(), widgetHistory, vars)
	if r.body["errors"] != nil || len(at(t, r.body, "data", "channel", "chatMessages", "edges").([]any)) != 1000 {
		t.Fatalf("history over HTTP: %.300s", r.raw)
	}
	w := h.dial(t, "vsn=2.0.0&client_id="+ClientID)
	w.c.SetReadLimit(-1)
	w.join("1")
	w.send("1", "2", controlTopic, "doc", map[string]any{"query": widgetHistory, "variables": vars})
	rep := w.replyTo("2", nil)
	if rep.payload["status"] != "ok" || len(at(t, rep.payload, "response", "data", "channel", "chatMessages", "edges").([]any)) != 1000 {
		t.Fatalf("history over the socket: %.300s", rep.raw)
	}
	w.subscribe("1", "3", "6")
	// GraphiQL's introspection query costs about 190.
	if r := h.gql(t, clientAuth(), introspectionQuery, nil); r.body["errors"] != nil {
		t.Errorf("introspection: %.300s", r.raw)
	}
}

const introspectionQuery = `query IntrospectionQuery { __schema { queryType { name } mutationType { name } subscriptionType { name }
  types { ...FullType } directives { name description locations args { ...InputValue } } } }
fragment FullType on __Type { kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue } interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason } possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType {
  kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }`

func TestMessagesPerRequest(t *testing.T) {
	h := newHarness(t, Options{})
	fillDemo(t, h, 1000)
	page := `channel(id: 6){ chatMessages(last: 1000){ edges{ node{ id } } } }`
	r := h.gql(t, clientAuth(), "{ a: "+page+" b: "+page+" c: "+page+" }", nil)
	wantOneError(t, r, "Too many chat messages: the demo returns at most 2000 per request")
	served := 0
	for _, k := range []string{"a", "b", "c"} {
		if at(t, r.body, "data", k, "chatMessages") != nil {
			served++
		}
	}
	if served != 2 {
		t.Errorf("%d of 3 full pages served, want 2", served)
	}
}

func TestComplexityLikeAbsinthe(t *testing.T) {
	var exp strings.Builder
	exp.WriteString("{ ...F31 } fragment F0 on T { a }")
	for i := 1; i <= 31; i++ {
		fmt.Fprintf(&exp, " fragment F%d on T { ...F%d ...F%d }", i, i-1, i-1)
	}
	for _, c := range []struct {
		query string
		max   int
		want  []string
	}{
		{`{ a b { c d } }`, 4, nil},
		{`{ a b { c d } }`, 2, []string{
			"Operation is too complex: complexity is 4 and maximum is 2",
			"Field b is too complex: complexity is 3 and maximum is 2"}},
		// Fragments cost their fields; inline ones are descended into.
		{`query Q { ...F x: a ... on T { b { c } } } fragment F on T { a b { c } }`, 5, []string{
			"Operation Q is too complex: complexity is 6 and maximum is 5"}},
		// 2^31 fields: computed once per fragment, saturated, not walked.
		{exp.String(), 500, []string{
			"Operation is too complex: complexity is 2147483647 and maximum is 500"}},
		// A cycle (invalid, so graphql-go reports it) still ends.
		{`{ ...A } fragment A on T { ...B x } fragment B on T { ...A y }`, 500, nil},
	} {
		doc, err := parser.ParseQuery(&ast.Source{Input: c.query})
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		var got []string
		for _, e := range complexityErrors(doc, doc.Operations[0], c.max) {
			got = append(got, e.Message)
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%.60s: got %q, want %q", c.query, got, c.want)
		}
	}
}

// gate makes chatMessages wait for its context to end and reports how it
// ended. It gives up after 3s, or when the test ends, so that a context
// that never ends fails the test instead of hanging it.
type gate struct {
	entered chan struct{}
	ended   chan error
	release chan struct{}
}

func gatedHarness(t *testing.T, timeout time.Duration) (*harness, *gate) {
	g := &gate{entered: make(chan struct{}, 1), ended: make(chan error, 1), release: make(chan struct{})}
	h := newTunedHarness(t, Options{}, func(inst *Instance) {
		if timeout > 0 {
			inst.lim.execTimeout = timeout
		}
		inst.resolveHook = func(ctx context.Context) {
			select {
			case g.entered <- struct{}{}:
			default:
			}
			select {
			case <-ctx.Done():
				select {
				case g.ended <- ctx.Err():
				default:
				}
			case <-g.release:
			case <-time.After(3 * time.Second):
			}
		}
	})
	t.Cleanup(func() { close(g.release) }) // before the server closes
	return h, g
}

func (g *gate) wantEnded(t *testing.T, want error) {
	t.Helper()
	select {
	case err := <-g.ended:
		if !errors.Is(err, want) {
			t.Errorf("resolution ended with %v, want %v", err, want)
		}
	case <-time.After(2 * time.Second):
		t.Errorf("resolution still running 2s later, want it ended by %v", want)
	}
}

const onePage = `{ channel(id: 6){ chatMessages(last: 1){ edges{ node{ id } } } } }`

func TestDeadline(t *testing.T) {
	const want = "Timed out: the demo runs a document for at most 200ms"
	h, g := gatedHarness(t, 200*time.Millisecond)
	wantOneError(t, h.gql(t, clientAuth(), onePage, nil), want)
	g.wantEnded(t, context.DeadlineExceeded)

	w := h.dial(t, "vsn=2.0.0&client_id="+ClientID)
	w.join("1")
	w.send("1", "2", controlTopic, "doc", map[string]any{"query": onePage})
	if rep := w.replyTo("2", nil); rep.payload["status"] != "error" || at(t, rep.payload, "response", "errors", 0, "message") != want {
		t.Errorf("socket reply %s", rep.raw)
	}
	g.wantEnded(t, context.DeadlineExceeded)
}

func TestWorkStopsWhenHTTPClientGoes(t *testing.T) {
	h, g := gatedHarness(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.srv.URL+"/api/graph", strings.NewReader(`{"query":"`+onePage+`"}`))
	req.Header.Set("Authorization", clientAuth())
	req.Header.Set("Content-Type", "application/json")
	done := make(chan struct{})
	go func() {
		defer close(done)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	<-g.entered
	cancel()
	<-done
	g.wantEnded(t, context.Canceled)
}

func TestWorkStopsWhenSocketCloses(t *testing.T) {
	h, g := gatedHarness(t, 0)
	w := h.dial(t, "vsn=2.0.0&client_id="+ClientID)
	w.join("1")
	w.send("1", "2", controlTopic, "doc", map[string]any{"query": onePage})
	<-g.entered
	w.c.CloseNow()
	g.wantEnded(t, context.Canceled)
}

func TestHistoryIsBounded(t *testing.T) {
	h := newHarness(t, Options{})
	s := h.inst.store
	quiet := s.channelByID(quietChannelID)
	total := len(s.messagesOf(quiet))
	var last string
	for ; total < maxHistory+historySlack+10; total++ {
		id, err := h.inst.Post("quiet", "quiet", fmt.Sprint("line ", total))
		if err != nil {
			t.Fatal(err)
		}
		last = id
	}
	msgs, oldest := s.historyOf(quiet)
	if len(msgs) != maxHistory || oldest != total-maxHistory || fmt.Sprint(msgs[len(msgs)-1].id) != last {
		t.Fatalf("held %d from offset %d (newest %d); want %d from %d (newest %s)", len(msgs), oldest, msgs[len(msgs)-1].id, maxHistory, total-maxHistory, last)
	}
	s.mu.RLock()
	held := cap(quiet.messages.rows)
	s.mu.RUnlock()
	if held > maxHistory+historySlack {
		t.Errorf("the history array holds %d slots, want at most %d", held, maxHistory+historySlack)
	}

	// Cursors stay offsets over all messages, so paging goes on working.
	q := `query($f: Int, $l: Int, $b: String){ channel(id: 7){ chatMessages(first: $f, last: $l, before: $b){
		edges { cursor node { id } } pageInfo { hasPreviousPage hasNextPage } } } }`
	conn := func(vars map[string]any) any {
		r := h.gql(t, clientAuth(), q, vars)
		if r.body["errors"] != nil {
			t.Fatalf("%v: %s", vars, r.raw)
		}
		return at(t, r.body, "data", "channel", "chatMessages")
	}
	newest := conn(map[string]any{"l": 1000})
	if edges := at(t, newest, "edges").([]any); len(edges) != 1000 || at(t, edges[999], "cursor") != offsetToCursor(total-1) || at(t, edges[999], "node", "id") != last {
		t.Errorf("last 1000: %d edges, newest %v", len(edges), edges[len(edges)-1])
	}
	first := conn(map[string]any{"f": 10})
	if at(t, first, "edges", 0, "cursor") != offsetToCursor(oldest) || at(t, first, "pageInfo", "hasPreviousPage") != false {
		t.Errorf("first 10: %v", first)
	}
	edge := conn(map[string]any{"l": 10, "b": offsetToCursor(oldest + 4)})
	if len(at(t, edge, "edges").([]any)) != 4 || at(t, edge, "pageInfo", "hasPreviousPage") != false {
		t.Errorf("last 10 before the 5th held: %v", edge)
	}
}

func TestPaginateWindow(t *testing.T) {
	for _, c := range []struct {
		name string
		args pageArgs
		want page
	}{
		{"default first 100", pageArgs{}, page{100, 50, false, false}},
		{"after a dropped one", pageArgs{First: nullInt(10), After: cursor(20)}, page{100, 10, false, true}},
		{"after a held one", pageArgs{First: nullInt(10), After: cursor(100)}, page{101, 10, true, true}},
		{"last", pageArgs{Last: nullInt(10)}, page{140, 10, true, false}},
		{"last more than held", pageArgs{Last: nullInt(80)}, page{100, 50, false, false}},
		{"last before, across the edge", pageArgs{Last: nullInt(10), Before: cursor(105)}, page{100, 5, false, true}},
		{"last before a dropped one", pageArgs{Last: nullInt(10), Before: cursor(50)}, page{100, 0, false, true}},
	} {
		got, err := paginate(100, 150, c.args)
		if err != nil || got != c.want {
			t.Errorf("%s: got %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
}

func TestMessageByteCap(t *testing.T) {
	h := newHarness(t, Options{})
	auth := "Bearer " + h.token(t, "ViewerVic")
	send := `mutation($m: String){ createChatMessage(channelId: "6", message: {message: $m}){ message } }`
	const refusal = "message: should be at most 1024 byte(s)"
	// One character carrying 400,000 combining marks: 800 KB.
	bomb := "e" + strings.Repeat("\u0301", 400_000)
	wantOneError(t, h.gql(t, auth, send, map[string]any{"m": bomb}), refusal)
	wantOneError(t, h.gql(t, auth, send, map[string]any{"m": "e" + strings.Repeat("\u0301", 512)}), refusal) // 1025 bytes
	if _, err := h.inst.Post("demo", "Noor", bomb); err == nil || err.Error() != "post to demo as Noor: "+refusal {
		t.Errorf("Post: %v", err)
	}
	for _, ok := range []string{
		strings.Repeat("😀", 255),            // 255 characters, 1020 bytes
		"e" + strings.Repeat("\u0301", 511), // 1023 bytes
	} {
		if r := h.gql(t, auth, send, map[string]any{"m": ok}); r.body["errors"] != nil {
			t.Errorf("%d bytes refused: %s", len(ok), r.raw)
		}
	}
	// The real 255-character rule keeps its place and wording.
	wantOneError(t, h.gql(t, auth, send, map[string]any{"m": strings.Repeat("😀", 256)}), "message: should be at most 255 character(s)")
}

func TestBodyReadErrors(t *testing.T) {
	h := newHarness(t, Options{})
	hdr := map[string]string{"Authorization": clientAuth(), "Content-Type": "application/json"}
	for _, c := range []struct {
		name string
		body io.Reader
		want int
	}{
		{"read timeout", iotest.ErrReader(os.ErrDeadlineExceeded), http.StatusRequestTimeout},
		{"connection reset", iotest.ErrReader(errors.New("connection reset by peer")), http.StatusBadRequest},
		{"over the limit", strings.NewReader(`{"query":"` + strings.Repeat(" ", maxBody) + `{ myself { id } }"}`), http.StatusRequestEntityTooLarge},
	} {
		req := httptest.NewRequest(http.MethodPost, "/api/graph", c.body)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.inst.Handler().ServeHTTP(rec, req)
		if rec.Code != c.want || rec.Body.String() != `"`+http.StatusText(c.want)+`"` {
			t.Errorf("%s: %d %s, want %d", c.name, rec.Code, rec.Body, c.want)
		}
	}

	// A real slow body against a server with a read timeout.
	srv := httptest.NewUnstartedServer(h.inst.Handler())
	srv.Config.ReadTimeout = 200 * time.Millisecond
	srv.Start()
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "POST /api/graph HTTP/1.1\r\nHost: demo\r\nAuthorization: Client-ID "+ClientID+
		"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\":")
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("slow body: %d, want 408", resp.StatusCode)
	}
}

func TestSocketCap(t *testing.T) {
	h := newTunedHarness(t, Options{}, func(inst *Instance) { inst.lim.sockets = 3 })
	params := "vsn=2.0.0&client_id=" + ClientID
	var open []*wsClient
	for range 3 {
		open = append(open, h.dial(t, params))
	}
	refused := func() bool {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, resp, err := websocket.Dial(ctx, h.wsURL(params), nil)
		if err == nil {
			c.CloseNow()
			return false
		}
		if resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("refused with %v, %v; want 503", resp, err)
		}
		return true
	}
	if !refused() {
		t.Fatal("a 4th socket was accepted past the limit of 3")
	}
	open[1].join("1") // the open ones still work
	open[0].c.Close(websocket.StatusNormalClosure, "")
	for deadline := time.Now().Add(2 * time.Second); refused(); {
		if time.Now().After(deadline) {
			t.Fatal("a closed socket did not free its place")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSubscriptionsPerSocketCap(t *testing.T) {
	h := newHarness(t, Options{})
	w := h.dial(t, "vsn=2.0.0&client_id="+ClientID)
	w.join("1")
	var ids []string
	for i := range maxSubscriptionsPerSocket {
		ids = append(ids, w.subscribe("1", fmt.Sprint("s", i), "6"))
	}
	w.send("1", "over", controlTopic, "doc", map[string]any{"query": subDoc, "variables": map[string]any{"c": "6"}})
	rep := w.replyTo("over", nil)
	if rep.payload["status"] != "error" || at(t, rep.payload, "response", "errors", 0, "message") != "Too many subscriptions: the demo allows 10 per socket" {
		t.Errorf("subscription past the limit: %s", rep.raw)
	}
	// Queries still run, and unsubscribing frees a place.
	w.send("1", "q", controlTopic, "doc", map[string]any{"query": `{ channel(id: 6){ id } }`})
	if rep := w.replyTo("q", nil); rep.payload["status"] != "ok" {
		t.Errorf("query past the limit: %s", rep.raw)
	}
	w.send("1", "u", controlTopic, "unsubscribe", map[string]any{"subscriptionId": ids[0]})
	w.replyTo("u", nil)
	w.subscribe("1", "again", "6")

	// The cap is per socket: a second one of the same client holds as
	// many, while the first stays full.
	w2 := h.dial(t, "vsn=2.0.0&client_id="+ClientID)
	w2.join("1")
	for i := range maxSubscriptionsPerSocket {
		w2.subscribe("1", fmt.Sprint("t", i), "6")
	}
	w.send("1", "over2", controlTopic, "doc", map[string]any{"query": subDoc, "variables": map[string]any{"c": "6"}})
	if rep := w.replyTo("over2", nil); rep.payload["status"] != "error" {
		t.Errorf("the full socket took one more: %s", rep.raw)
	}
}

// countingHandler counts log records by message and keeps the last one.
type countingHandler struct {
	mu   sync.Mutex
	n    map[string]int
	last slog.Record
}

func (c *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (c *countingHandler) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c *countingHandler) WithGroup(string) slog.Handler            { return c }
func (c *countingHandler) Handle(_ context.Context, r slog.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[r.Message]++
	c.last = r
	return nil
}

func (c *countingHandler) count(msg string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[msg]
}

// serverConn returns the server side of a loopback websocket whose client
// reads nothing.
func serverConn(t *testing.T) (server, client *websocket.Conn) {
	t.Helper()
	conns := make(chan *websocket.Conn, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := websocket.Accept(w, r, nil); err == nil {
			conns <- c
		}
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	client, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.CloseNow() })
	server = <-conns
	t.Cleanup(func() { server.CloseNow() })
	return server, client
}

const slowLine = "websocket client too slow; closing socket"

func TestSlowClientQueueBoundedInBytes(t *testing.T) {
	logs := &countingHandler{}
	h := newTunedHarness(t, Options{Logger: slog.New(logs)}, func(inst *Instance) { inst.lim.queuedBytes = 64 << 10 })
	// No writeLoop: nothing drains, as when the client stops reading.
	conn, client := serverConn(t)
	s := h.inst.newSocket(conn, &access{}, "http://demo")
	frame := make([]byte, 1<<10)
	for range 64 {
		s.enqueue(frame)
	}
	if s.closed || s.queued != 64<<10 {
		t.Fatalf("64 KiB queued: closed %v, %d bytes", s.closed, s.queued)
	}
	s.enqueue(frame)
	if !s.closed || s.out != nil {
		t.Fatalf("past the limit: closed %v, %d frames queued", s.closed, len(s.out))
	}
	readErr := make(chan error, 1)
	go func() { _, _, err := client.Read(context.Background()); readErr <- err }()
	select {
	case err := <-readErr:
		if err == nil {
			t.Error("the client read a frame from a socket closed as too slow")
		}
	case <-time.After(2 * time.Second):
		t.Error("the socket was not closed")
	}
	// Pushes that keep coming, and a second slow socket, log nothing more.
	for range 10000 {
		s.enqueue(frame)
	}
	conn2, _ := serverConn(t)
	s2 := h.inst.newSocket(conn2, &access{}, "http://demo")
	for range 100 {
		s2.enqueue(frame)
	}
	if n := logs.count(slowLine); n != 1 {
		t.Errorf("%q logged %d times, want once", slowLine, n)
	}

	// One frame larger than the limit still goes into an empty queue.
	conn3, _ := serverConn(t)
	s3 := h.inst.newSocket(conn3, &access{}, "http://demo")
	s3.enqueue(make([]byte, 100<<10))
	if s3.closed || len(s3.out) != 1 {
		t.Errorf("a large reply into an empty queue: closed %v, %d frames", s3.closed, len(s3.out))
	}
}

func TestLogLimiter(t *testing.T) {
	logs := &countingHandler{}
	log := slog.New(logs)
	var l logLimiter
	for range 1000 {
		l.warn(log, "flood", "k", 1)
	}
	if n := logs.count("flood"); n != 1 {
		t.Fatalf("logged %d of 1000 within a second, want 1", n)
	}
	l.mu.Lock()
	l.next = time.Time{} // the interval has passed
	l.mu.Unlock()
	l.warn(log, "flood")
	var suppressed int64
	logs.last.Attrs(func(a slog.Attr) bool {
		if a.Key == "suppressed" {
			suppressed = a.Value.Int64()
		}
		return true
	})
	if logs.count("flood") != 2 || suppressed != 999 {
		t.Errorf("after the interval: %d lines, suppressed=%d; want 2 and 999", logs.count("flood"), suppressed)
	}
}
