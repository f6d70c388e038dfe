package demo

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// wsClient reads in its own goroutine: a Read whose context expires
// closes a coder/websocket connection, so waits must not cancel reads.
type wsClient struct {
	t      *testing.T
	c      *websocket.Conn
	frames chan []byte
	err    chan error
}

func newWSClient(t *testing.T, c *websocket.Conn) *wsClient {
	w := &wsClient{t: t, c: c, frames: make(chan []byte, 1024), err: make(chan error, 1)}
	go func() {
		for {
			_, b, err := c.Read(context.Background())
			if err != nil {
				w.err <- err
				return
			}
			w.frames <- b
		}
	}()
	return w
}

// frame is a decoded [join_ref, ref, topic, event, payload].
type frame struct {
	joinRef, ref any
	topic, event string
	payload      map[string]any
	raw          string
}

func (h *harness) wsURL(params string) string {
	return "ws" + strings.TrimPrefix(h.srv.URL, "http") + "/api/graph/websocket?" + params
}

func (h *harness) dial(t *testing.T, params string) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, h.wsURL(params), &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://anywhere.example"}}})
	if err != nil {
		t.Fatalf("dial %s: %v", params, err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return newWSClient(t, c)
}

// joined is a socket of the demo app, its control channel joined with ref.
func (h *harness) joined(t *testing.T, ref string) *wsClient {
	t.Helper()
	w := h.dial(t, "vsn=2.0.0&client_id="+ClientID)
	w.join(ref)
	return w
}

func (w *wsClient) send(joinRef, ref any, topic, event string, payload any) {
	w.t.Helper()
	b, _ := json.Marshal([]any{joinRef, ref, topic, event, payload})
	w.sendRaw(string(b))
}

func (w *wsClient) sendRaw(s string) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.c.Write(ctx, websocket.MessageText, []byte(s)); err != nil {
		w.t.Fatalf("write: %v", err)
	}
}

func (w *wsClient) readWithin(d time.Duration) (frame, error) {
	var b []byte
	select {
	case b = <-w.frames:
	case err := <-w.err:
		w.err <- err
		return frame{}, err
	case <-time.After(d):
		return frame{}, context.DeadlineExceeded
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(b, &parts); err != nil || len(parts) != 5 {
		w.t.Fatalf("server sent a malformed frame %s", b)
	}
	f := frame{raw: string(b)}
	json.Unmarshal(parts[0], &f.joinRef)
	json.Unmarshal(parts[1], &f.ref)
	json.Unmarshal(parts[2], &f.topic)
	json.Unmarshal(parts[3], &f.event)
	json.Unmarshal(parts[4], &f.payload)
	return f, nil
}

func (w *wsClient) read() frame {
	w.t.Helper()
	f, err := w.readWithin(5 * time.Second)
	if err != nil {
		w.t.Fatalf("read: %v", err)
	}
	return f
}

// replyTo reads until the reply with ref, keeping pushes seen meanwhile.
func (w *wsClient) replyTo(ref string, pushes *[]frame) frame {
	w.t.Helper()
	for {
		f := w.read()
		if f.event == "phx_reply" && f.ref == ref {
			return f
		}
		if pushes != nil {
			*pushes = append(*pushes, f)
		}
	}
}

func (w *wsClient) join(ref string) {
	w.t.Helper()
	w.send(ref, ref, controlTopic, "phx_join", map[string]any{})
	f := w.replyTo(ref, nil)
	if f.raw != `["`+ref+`","`+ref+`","__absinthe__:control","phx_reply",{"response":{},"status":"ok"}]` {
		w.t.Fatalf("join reply %s", f.raw)
	}
}

const subDoc = `subscription($c: ID){ chatMessage(channelId: $c){ id message user{ username avatarUrl } metadata{ streamer } tokens{ type text ... on EmoteToken{ src } } } }`

var subIDRe = regexp.MustCompile(`^__absinthe__:doc:-?\d+:[0-9A-F]{64}$`)

func (w *wsClient) subscribe(joinRef, ref, channelID string) string {
	w.t.Helper()
	w.send(joinRef, ref, controlTopic, "doc", map[string]any{"query": subDoc, "variables": map[string]any{"c": channelID}})
	f := w.replyTo(ref, nil)
	id, _ := at(w.t, f.payload, "response", "subscriptionId").(string)
	if f.payload["status"] != "ok" || !subIDRe.MatchString(id) {
		w.t.Fatalf("subscribe reply %s", f.raw)
	}
	return id
}

// push waits for the next subscription:data frame.
func (w *wsClient) push() frame {
	w.t.Helper()
	for {
		f := w.read()
		if f.event == "subscription:data" {
			return f
		}
	}
}

func TestSocketRoundTrip(t *testing.T) {
	h := newHarness(t, Options{})
	w := h.dial(t, "vsn=2.0.0&token="+url.QueryEscape(h.token(t, "SubSam")))
	w.join("1")
	subID := w.subscribe("1", "2", "6")
	if other := w.subscribe("1", "3", "6"); other == subID {
		t.Errorf("two docs got the same subscription id %s", subID)
	}

	// A mutation over the socket: the reply and the push.
	w.send("1", "4", controlTopic, "doc", map[string]any{
		"query":     `mutation($c: ID!, $m: String){ createChatMessage(channelId: $c, message: {message: $m}){ id } }`,
		"variables": map[string]any{"c": "6", "m": "Hello There! :glimsmile:"},
	})
	var pushes []frame
	rep := w.replyTo("4", &pushes)
	if rep.payload["status"] != "ok" {
		t.Fatalf("mutation reply %s", rep.raw)
	}
	id := at(t, rep.payload, "response", "data", "createChatMessage", "id")
	for len(pushes) < 2 {
		pushes = append(pushes, w.push())
	}
	var ours frame
	for _, p := range pushes {
		if p.topic == subID {
			ours = p
		}
	}
	if ours.raw == "" {
		t.Fatalf("no push on %s among %v", subID, pushes)
	}
	if ours.joinRef != nil || ours.ref != nil || at(t, ours.payload, "subscriptionId") != subID {
		t.Errorf("push envelope %s", ours.raw)
	}
	msg := at(t, ours.payload, "result", "data", "chatMessage")
	if at(t, msg, "id") != id || at(t, msg, "message") != "Hello There! :glimsmile:" || at(t, msg, "user", "username") != "SubSam" {
		t.Errorf("pushed message %v", msg)
	}
	if at(t, msg, "tokens", 1, "src") != "/uploads/emotes/glimsmile.svg" {
		t.Errorf("pushed tokens %v", at(t, msg, "tokens"))
	}
	if av := at(t, msg, "user", "avatarUrl").(string); !strings.HasPrefix(av, h.srv.URL+"/uploads/avatars/SubSam.svg?v=") {
		t.Errorf("avatarUrl %s", av)
	}

	// Post (the chatters' path) reaches subscribers too.
	pid, err := h.inst.Post("demo", "demo", "from the streamer")
	if err != nil {
		t.Fatal(err)
	}
	p := w.push()
	if at(t, p.payload, "result", "data", "chatMessage", "id") != pid || at(t, p.payload, "result", "data", "chatMessage", "metadata", "streamer") != true {
		t.Errorf("Post push %s", p.raw)
	}
	w.push() // the second subscription's copy

	// So does createChatMessage over HTTP.
	r := h.gql(t, "Bearer "+h.token(t, "Zofia"), `mutation{ createChatMessage(channelId: 6, message: {message: "over http"}){ id } }`, nil)
	hid := at(t, r.body, "data", "createChatMessage", "id")
	if p := w.push(); at(t, p.payload, "result", "data", "chatMessage", "id") != hid || at(t, p.payload, "result", "data", "chatMessage", "user", "username") != "Zofia" {
		t.Errorf("HTTP mutation push %s", p.raw)
	}
	w.push()

	// Messages of another channel are not pushed to this subscription.
	if _, err := h.inst.Post("quiet", "quiet", "elsewhere"); err != nil {
		t.Fatal(err)
	}

	// A query over the socket.
	w.send("1", "5", controlTopic, "doc", map[string]any{"query": `{ channel(streamerUsername: "demo"){ id title } }`})
	rep = w.replyTo("5", nil)
	if rep.payload["status"] != "ok" || at(t, rep.payload, "response", "data", "channel", "id") != "6" {
		t.Errorf("query reply %s", rep.raw)
	}
	// Data and errors together are still ok.
	w.send("1", "6", controlTopic, "doc", map[string]any{"query": `{ channel(streamerUsername: "nobody"){ id } }`})
	rep = w.replyTo("6", nil)
	if rep.payload["status"] != "ok" || at(t, rep.payload, "response", "errors", 0, "message") != "Could not find resource" {
		t.Errorf("query miss reply %s", rep.raw)
	}
	// Only errors: status error.
	w.send("1", "7", controlTopic, "doc", map[string]any{"query": `{ channel(id: 6){ nope } }`})
	rep = w.replyTo("7", nil)
	if rep.payload["status"] != "error" || at(t, rep.payload, "response", "errors") == nil || at(t, rep.payload, "response", "data") != nil {
		t.Errorf("invalid doc reply %s", rep.raw)
	}
	w.send("1", "8", controlTopic, "doc", map[string]any{"query": subDoc, "variables": "not a map"})
	rep = w.replyTo("8", nil)
	if !strings.HasSuffix(rep.raw, `{"response":{"error":"Could not parse variables as map"},"status":"error"}]`) {
		t.Errorf("bad variables reply %s", rep.raw)
	}

	// Heartbeat.
	w.send(nil, "9", "phoenix", "heartbeat", map[string]any{})
	if rep = w.replyTo("9", nil); rep.raw != `[null,"9","phoenix","phx_reply",{"response":{},"status":"ok"}]` {
		t.Errorf("heartbeat reply %s", rep.raw)
	}

	// Unsubscribe stops pushes for that id.
	w.send("1", "10", controlTopic, "unsubscribe", map[string]any{"subscriptionId": subID})
	rep = w.replyTo("10", nil)
	if rep.payload["status"] != "ok" || at(t, rep.payload, "response", "subscriptionId") != subID {
		t.Errorf("unsubscribe reply %s", rep.raw)
	}
	if _, err := h.inst.Post("demo", "Noor", "after unsubscribe"); err != nil {
		t.Fatal(err)
	}
	p = w.push()
	if p.topic == subID {
		t.Errorf("push after unsubscribe: %s", p.raw)
	}
}

func TestSocketClientIDIsReadOnly(t *testing.T) {
	h := newHarness(t, Options{})
	// client_id wins over token when both are given.
	w := h.dial(t, "vsn=2.0.0&client_id="+ClientID+"&token="+url.QueryEscape(h.token(t, "demo")))
	w.join("1")
	w.send("1", "2", controlTopic, "doc", map[string]any{"query": `mutation{ createChatMessage(channelId: 6, message: {message: "x"}){ id } }`})
	rep := w.replyTo("2", nil)
	if rep.payload["status"] != "ok" || at(t, rep.payload, "response", "errors", 0, "message") != "unauthorized" {
		t.Errorf("mutation with client_id: %s", rep.raw)
	}
}

func TestSocketRefusals(t *testing.T) {
	h := newHarness(t, Options{})
	for _, params := range []string{
		"vsn=2.0.0",
		"vsn=2.0.0&client_id=nope",
		"vsn=2.0.0&token=nope",
		"vsn=2.0.0&client_id=nope&token=" + url.QueryEscape(h.token(t, "demo")),
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, resp, err := websocket.Dial(ctx, h.wsURL(params), nil)
		cancel()
		if err == nil {
			c.CloseNow()
			t.Errorf("%s: upgrade accepted", params)
			continue
		}
		if resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: want 403, got %v", params, resp)
		}
	}
	// A plain GET is no upgrade.
	if r := h.do(t, http.MethodGet, "/api/graph/websocket?vsn=2.0.0&client_id="+ClientID, nil, ""); r.status != 400 {
		t.Errorf("plain GET: %d", r.status)
	}
}

func TestSocketUnmatchedTopic(t *testing.T) {
	h := newHarness(t, Options{})
	w := h.dial(t, "vsn=2.0.0&client_id="+ClientID)
	want := `[null,"1","__absinthe__:control","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}]`
	w.send(nil, "1", controlTopic, "doc", map[string]any{"query": `{ channel(id: 6){ id } }`})
	if rep := w.replyTo("1", nil); rep.raw != want {
		t.Errorf("doc before join: %s", rep.raw)
	}
	w.send("2", "2", "room:lobby", "phx_join", map[string]any{})
	if rep := w.replyTo("2", nil); rep.payload["status"] != "error" || at(t, rep.payload, "response", "reason") != "unmatched topic" {
		t.Errorf("join of an unrouted topic: %s", rep.raw)
	}
	// After phx_leave the topic is unmatched again, and phx_close follows.
	w.join("3")
	w.send("3", "4", controlTopic, "phx_leave", map[string]any{})
	if rep := w.replyTo("4", nil); rep.payload["status"] != "ok" {
		t.Errorf("leave: %s", rep.raw)
	}
	if f := w.read(); f.raw != `["3","3","__absinthe__:control","phx_close",{}]` {
		t.Errorf("after leave: %s", f.raw)
	}
	w.send("3", "5", controlTopic, "doc", map[string]any{"query": `{ channel(id: 6){ id } }`})
	if rep := w.replyTo("5", nil); !strings.Contains(rep.raw, "unmatched topic") {
		t.Errorf("doc after leave: %s", rep.raw)
	}
}

func TestSocketIdleTimeout(t *testing.T) {
	h := newHarness(t, Options{IdleTimeout: 300 * time.Millisecond})
	w := h.dial(t, "vsn=2.0.0&client_id="+ClientID)
	// Heartbeats keep it open past the timeout.
	for i := range 4 {
		time.Sleep(120 * time.Millisecond)
		ref := string(rune('a' + i))
		w.send(nil, ref, "phoenix", "heartbeat", map[string]any{})
		w.replyTo(ref, nil)
	}
	start := time.Now()
	_, err := w.readWithin(3 * time.Second)
	if websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Fatalf("want a normal close on idle, got %v", err)
	}
	if d := time.Since(start); d < 250*time.Millisecond || d > 2*time.Second {
		t.Errorf("closed after %v of silence", d)
	}
}

func TestSocketMalformedFrames(t *testing.T) {
	h := newHarness(t, Options{})
	for _, bad := range []string{`not json`, `[1,2,3]`, `{"topic":"phoenix"}`, `[null,"1",5,"heartbeat",{}]`} {
		w := h.dial(t, "vsn=2.0.0&client_id="+ClientID)
		w.sendRaw(bad)
		if _, err := w.readWithin(3 * time.Second); websocket.CloseStatus(err) != websocket.StatusInternalError {
			t.Errorf("%s: want the socket closed with 1011, got %v", bad, err)
		}
	}
	// The server is fine afterwards.
	w := h.joined(t, "1")
	// A doc whose payload is no map crashes the channel, not the socket.
	w.send("1", "2", controlTopic, "doc", "string payload")
	if f := w.read(); f.raw != `["1","1","__absinthe__:control","phx_error",{}]` {
		t.Errorf("crash frame %s", f.raw)
	}
}

func TestFaultDropSockets(t *testing.T) {
	h := newHarness(t, Options{})
	w := h.joined(t, "1")
	h.inst.DropSockets()
	if _, err := w.readWithin(3 * time.Second); err == nil || websocket.CloseStatus(err) != -1 {
		t.Errorf("want an abrupt close with no close frame, got %v", err)
	}
	// New sockets work.
	h.joined(t, "1")
}

func TestFaultStall(t *testing.T) {
	h := newHarness(t, Options{})
	w := h.joined(t, "1")
	w.subscribe("1", "2", "6")
	h.inst.Stall(400 * time.Millisecond)
	w.send(nil, "3", "phoenix", "heartbeat", map[string]any{})
	if _, err := h.inst.Post("demo", "Noor", "lost in the stall"); err != nil {
		t.Fatal(err)
	}
	if f, err := w.readWithin(250 * time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("stalled socket sent %s (err %v)", f.raw, err)
	}
	// A socket opened during the stall is healthy.
	fresh := h.dial(t, "vsn=2.0.0&client_id="+ClientID)
	fresh.send(nil, "1", "phoenix", "heartbeat", map[string]any{})
	fresh.replyTo("1", nil)
	time.Sleep(250 * time.Millisecond)
	// The stall is over; the old socket is still open, its subscription
	// alive, and what was pushed meanwhile is lost.
	w.send(nil, "4", "phoenix", "heartbeat", map[string]any{})
	var seen []frame
	w.replyTo("4", &seen)
	if len(seen) != 0 {
		t.Errorf("frames from the stall arrived later: %v", seen)
	}
	id, err := h.inst.Post("demo", "Noor", "after the stall")
	if err != nil {
		t.Fatal(err)
	}
	if p := w.push(); at(t, p.payload, "result", "data", "chatMessage", "id") != id {
		t.Errorf("push after stall %s", p.raw)
	}
}

func TestFaultRefuse(t *testing.T) {
	h := newHarness(t, Options{})
	h.inst.Refuse(300 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, h.wsURL("vsn=2.0.0&client_id="+ClientID), nil)
	if err == nil {
		c.CloseNow()
		t.Fatal("upgrade accepted while refusing")
	}
	if resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("want 503, got %v", resp)
	}
	time.Sleep(350 * time.Millisecond)
	h.joined(t, "1")
}

func TestFaultPhxError(t *testing.T) {
	h := newHarness(t, Options{})
	w := h.joined(t, "7")
	w.subscribe("7", "8", "6")
	h.inst.PhxError()
	if f := w.read(); f.raw != `["7","7","__absinthe__:control","phx_error",{}]` {
		t.Fatalf("phx_error frame %s", f.raw)
	}
	w.send("7", "9", controlTopic, "doc", map[string]any{"query": `{ channel(id: 6){ id } }`})
	if rep := w.replyTo("9", nil); !strings.Contains(rep.raw, "unmatched topic") {
		t.Errorf("doc after phx_error: %s", rep.raw)
	}
	// The subscription is gone: a post brings nothing; a rejoin and
	// resubscribe restores pushes.
	if _, err := h.inst.Post("demo", "Noor", "nobody hears this"); err != nil {
		t.Fatal(err)
	}
	w.join("10")
	w.subscribe("10", "11", "6")
	id, _ := h.inst.Post("demo", "Noor", "heard")
	if p := w.push(); at(t, p.payload, "result", "data", "chatMessage", "id") != id {
		t.Errorf("push after rejoin %s", p.raw)
	}
}

func TestFaultEndpoints(t *testing.T) {
	off := newHarness(t, Options{})
	if r := off.do(t, http.MethodPost, "/_demo/fault/drop", nil, ""); r.status != 404 {
		t.Errorf("faults off: %d", r.status)
	}
	h := newHarness(t, Options{Faults: true})
	w := h.joined(t, "1")
	if r := h.do(t, http.MethodPost, "/_demo/fault/phx_error", nil, ""); r.status != 204 {
		t.Fatalf("phx_error endpoint: %d", r.status)
	}
	if f := w.read(); f.event != "phx_error" {
		t.Errorf("after phx_error endpoint: %s", f.raw)
	}
	if r := h.do(t, http.MethodGet, "/_demo/fault/drop", nil, ""); r.status != 405 {
		t.Errorf("GET drop: %d", r.status)
	}
	if r := h.do(t, http.MethodPost, "/_demo/fault/stall?for=banana", nil, ""); r.status != 400 {
		t.Errorf("bad duration: %d", r.status)
	}
	if r := h.do(t, http.MethodPost, "/_demo/fault/nope", nil, ""); r.status != 404 {
		t.Errorf("unknown fault: %d", r.status)
	}
	if r := h.do(t, http.MethodPost, "/_demo/fault/refuse?for=300ms", nil, ""); r.status != 204 {
		t.Fatalf("refuse endpoint: %d", r.status)
	}
	if r := h.do(t, http.MethodGet, "/api/graph/websocket?vsn=2.0.0&client_id="+ClientID, map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}, ""); r.status != 503 {
		t.Errorf("upgrade while refusing: %d", r.status)
	}
	if r := h.do(t, http.MethodPost, "/_demo/fault/stall?for=200ms", nil, ""); r.status != 204 {
		t.Errorf("stall endpoint: %d", r.status)
	}
	if r := h.do(t, http.MethodPost, "/_demo/fault/drop", nil, ""); r.status != 204 {
		t.Errorf("drop endpoint: %d", r.status)
	}
	if _, err := w.readWithin(3 * time.Second); err == nil {
		t.Errorf("socket survived the drop endpoint")
	}
}
