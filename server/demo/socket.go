package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	graphql "github.com/graph-gophers/graphql-go"
	"github.com/vektah/gqlparser/v2/ast"
)

const (
	controlTopic  = "__absinthe__:control"
	writeDeadline = 10 * time.Second
	// inboxSize is how many frames may wait while one is handled; then
	// the reader waits too, and TCP pushes back on the client.
	inboxSize = 16
)

var jsonNull = json.RawMessage("null")

// socket is one Phoenix v2 websocket with its __absinthe__:control channel.
type socket struct {
	inst *Instance
	conn *websocket.Conn
	acc  *access
	base string
	ctx  context.Context
	stop context.CancelFunc

	stallUntil atomic.Int64 // unix nanos; frames in and out vanish before it

	inbox chan []byte // frames read, for handleLoop to handle in order as a Phoenix channel does

	outMu  sync.Mutex
	out    [][]byte
	queued int // bytes in out and being written
	wake   chan struct{}
	closed bool

	mu      sync.Mutex // guards the channel state below
	joined  bool
	joinRef json.RawMessage
	subs    map[string]context.CancelFunc
}

type reply struct {
	Response any    `json:"response"`
	Status   string `json:"status"`
}

func isUpgrade(r *http.Request) bool {
	return r.Method == http.MethodGet &&
		headerHasToken(r.Header, "Connection", "upgrade") &&
		headerHasToken(r.Header, "Upgrade", "websocket")
}

func headerHasToken(h http.Header, key, tok string) bool {
	for _, v := range h.Values(key) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), tok) {
				return true
			}
		}
	}
	return false
}

// serveSocket is GraphApiSocket.connect: client_id first, then token; a
// miss answers the upgrade with 403. Origins are not checked
// (check_origin: false).
func (inst *Instance) serveSocket(w http.ResponseWriter, r *http.Request) {
	if !isUpgrade(r) {
		errorView(w, http.StatusBadRequest)
		return
	}
	if inst.faults.refusing() {
		errorView(w, http.StatusServiceUnavailable)
		return
	}
	q := r.URL.Query()
	if q.Get("vsn") != "2.0.0" {
		// Only the v2 array serializer is implemented.
		errorView(w, http.StatusForbidden)
		return
	}
	var acc *access
	switch {
	case q.Has("client_id"):
		if q.Get("client_id") == ClientID {
			acc = &access{scopes: map[string]bool{}}
		}
	case q.Has("token"):
		acc = inst.tokenAccess(q.Get("token"))
	}
	if acc == nil {
		errorView(w, http.StatusForbidden)
		return
	}
	defer inst.open.Add(-1)
	if n := inst.open.Add(1); n > int64(inst.lim.sockets) {
		inst.fullLog.warn(inst.log, "websocket refused: too many open", "limit", inst.lim.sockets)
		errorView(w, http.StatusServiceUnavailable)
		return
	}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		inst.log.Info("websocket accept failed", "err", err)
		return
	}
	conn.SetReadLimit(maxBody)
	s := inst.newSocket(conn, acc, baseURL(r))
	inst.socketMu.Lock()
	inst.sockets[s] = struct{}{}
	inst.socketMu.Unlock()
	handled := make(chan struct{})
	defer func() {
		inst.socketMu.Lock()
		delete(inst.sockets, s)
		inst.socketMu.Unlock()
		s.dropSubs()
		s.stop() // ends a doc still running
		conn.CloseNow()
		<-handled
	}()
	go s.writeLoop()
	go func() {
		defer close(handled)
		s.handleLoop()
	}()
	s.readLoop()
}

func (inst *Instance) newSocket(conn *websocket.Conn, acc *access, base string) *socket {
	ctx, stop := context.WithCancel(context.Background())
	return &socket{inst: inst, conn: conn, acc: acc, base: base, ctx: ctx, stop: stop,
		inbox: make(chan []byte, inboxSize), wake: make(chan struct{}, 1),
		subs: make(map[string]context.CancelFunc)}
}

func (s *socket) stalled() bool { return time.Now().UnixNano() < s.stallUntil.Load() }

// readLoop reads frames until the socket ends, and hands them to
// handleLoop: reading on while a doc runs is how a close is noticed, and
// the close cancels the doc. Phoenix closes a socket that received nothing
// for the idle timeout; frames swallowed by a stall never arrived, so they
// do not count.
func (s *socket) readLoop() {
	idle := s.inst.opts.IdleTimeout
	timer := time.AfterFunc(idle, func() {
		s.inst.log.Debug("websocket idle timeout")
		s.conn.Close(websocket.StatusNormalClosure, "")
	})
	defer timer.Stop()
	for {
		typ, data, err := s.conn.Read(s.ctx)
		if err != nil {
			return
		}
		if s.stalled() {
			continue
		}
		timer.Reset(idle)
		if typ != websocket.MessageText {
			s.malformed(data)
			return
		}
		select {
		case s.inbox <- data:
		case <-s.ctx.Done():
			return
		}
	}
}

// handleLoop handles the frames readLoop passes on, in order, until the
// socket ends.
func (s *socket) handleLoop() {
	for {
		select {
		case <-s.ctx.Done():
			return
		case data := <-s.inbox:
			if !s.handleFrame(data) {
				s.malformed(data)
				return
			}
		}
	}
}

// malformed is Phoenix's serializer raising: the socket process dies and
// the connection closes, the server lives. stop frees a reader blocked on
// a full inbox that nobody drains any more.
func (s *socket) malformed(data []byte) {
	s.inst.log.Info("malformed websocket frame; closing socket", "bytes", len(data))
	s.conn.Close(websocket.StatusInternalError, "")
	s.stop()
}

// enqueue queues a frame for the writer; frames produced during a stall
// are lost, as on a dead link. Past limits.queuedBytes the client is too
// slow and the socket is closed, once.
func (s *socket) enqueue(frame []byte) {
	if s.stalled() {
		return
	}
	s.outMu.Lock()
	if s.closed {
		s.outMu.Unlock()
		return
	}
	if s.queued > 0 && s.queued+len(frame) > s.inst.lim.queuedBytes {
		s.closed, s.out = true, nil
		s.outMu.Unlock()
		s.inst.slowLog.warn(s.inst.log, "websocket client too slow; closing socket", "limit_bytes", s.inst.lim.queuedBytes)
		s.conn.CloseNow()
		return
	}
	s.out = append(s.out, frame)
	s.queued += len(frame)
	s.outMu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *socket) writeLoop() {
	defer func() {
		s.outMu.Lock()
		s.closed = true
		s.out = nil
		s.outMu.Unlock()
	}()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.wake:
		}
		s.outMu.Lock()
		batch := s.out
		s.out = nil
		s.outMu.Unlock()
		for _, f := range batch {
			var err error
			if !s.stalled() {
				ctx, cancel := context.WithTimeout(s.ctx, writeDeadline)
				err = s.conn.Write(ctx, websocket.MessageText, f)
				cancel()
			}
			s.outMu.Lock()
			s.queued -= len(f)
			s.outMu.Unlock()
			if err != nil {
				s.stop()
				return
			}
		}
	}
}

func (s *socket) send(joinRef, ref json.RawMessage, topic, event string, payload any) {
	if joinRef == nil {
		joinRef = jsonNull
	}
	if ref == nil {
		ref = jsonNull
	}
	b, err := json.Marshal([]any{joinRef, ref, topic, event, payload})
	if err != nil {
		s.inst.log.Error("encode websocket frame", "err", err)
		return
	}
	s.enqueue(b)
}

func (s *socket) unmatched(ref json.RawMessage, topic string) {
	s.send(nil, ref, topic, "phx_reply", reply{map[string]string{"reason": "unmatched topic"}, "error"})
}

// handleFrame dispatches one [join_ref, ref, topic, event, payload] frame
// (extra elements are ignored, as the v2 serializer does). It reports false
// for a frame the serializer could not decode.
func (s *socket) handleFrame(data []byte) (ok bool) {
	defer func() {
		// A bug in one frame's handling kills that channel, never the server.
		if v := recover(); v != nil {
			s.inst.log.Error("websocket frame handler panic", "panic", fmt.Sprint(v))
			s.crash()
			ok = true
		}
	}()
	var parts []json.RawMessage
	if err := json.Unmarshal(data, &parts); err != nil || len(parts) < 5 {
		return false
	}
	joinRef, ref := parts[0], parts[1]
	var topic, event string
	if json.Unmarshal(parts[2], &topic) != nil || json.Unmarshal(parts[3], &event) != nil {
		return false
	}
	payload := parts[4]
	if bytes.Equal(joinRef, jsonNull) {
		joinRef = nil
	}
	switch {
	case topic == "phoenix" && event == "heartbeat":
		s.send(nil, ref, "phoenix", "phx_reply", reply{struct{}{}, "ok"})
	case event == "phx_join":
		s.join(joinRef, ref, topic)
	default:
		s.mu.Lock()
		joined, current := s.joined, s.joinRef
		s.mu.Unlock()
		if topic != controlTopic || !joined {
			s.unmatched(ref, topic)
			return true
		}
		if joinRef != nil && !bytes.Equal(joinRef, current) {
			// A push for an earlier join of the topic: Phoenix drops it.
			return true
		}
		s.channelEvent(current, ref, event, payload)
	}
	return true
}

func (s *socket) join(joinRef, ref json.RawMessage, topic string) {
	switch {
	case topic == controlTopic:
		s.mu.Lock()
		// A second join replaces the first channel and its subscriptions.
		s.cancelSubsLocked()
		s.joined, s.joinRef = true, joinRef
		s.mu.Unlock()
		s.send(joinRef, ref, topic, "phx_reply", reply{struct{}{}, "ok"})
	case strings.HasPrefix(topic, "__absinthe__:"):
		// Routed to Absinthe.Phoenix.Channel, whose join/3 only matches the
		// control topic.
		s.send(joinRef, ref, topic, "phx_reply", reply{map[string]string{"reason": "join crashed"}, "error"})
	default:
		s.unmatched(ref, topic)
	}
}

func (s *socket) cancelSubsLocked() {
	for id, cancel := range s.subs {
		cancel()
		delete(s.subs, id)
	}
}

func (s *socket) dropSubs() {
	s.mu.Lock()
	s.cancelSubsLocked()
	s.mu.Unlock()
}

// crash is the control channel process dying: phx_error on the topic and
// every subscription gone; later pushes get "unmatched topic" until a rejoin.
func (s *socket) crash() {
	s.mu.Lock()
	if !s.joined {
		s.mu.Unlock()
		return
	}
	joinRef := s.joinRef
	s.joined, s.joinRef = false, nil
	s.cancelSubsLocked()
	s.mu.Unlock()
	s.send(joinRef, joinRef, controlTopic, "phx_error", struct{}{})
}

func (s *socket) channelEvent(joinRef, ref json.RawMessage, event string, payload json.RawMessage) {
	switch event {
	case "doc":
		s.doc(joinRef, ref, payload)
	case "unsubscribe":
		var p struct {
			SubscriptionID *string `json:"subscriptionId"`
		}
		if json.Unmarshal(payload, &p) != nil || p.SubscriptionID == nil {
			s.crash() // handle_in("unsubscribe", %{"subscriptionId" => id}) does not match
			return
		}
		s.mu.Lock()
		if cancel, ok := s.subs[*p.SubscriptionID]; ok {
			cancel()
			delete(s.subs, *p.SubscriptionID)
		}
		s.mu.Unlock()
		s.send(joinRef, ref, controlTopic, "phx_reply", reply{map[string]string{"subscriptionId": *p.SubscriptionID}, "ok"})
	case "phx_leave":
		s.mu.Lock()
		s.cancelSubsLocked()
		s.joined, s.joinRef = false, nil
		s.mu.Unlock()
		s.send(joinRef, ref, controlTopic, "phx_reply", reply{struct{}{}, "ok"})
		s.send(joinRef, joinRef, controlTopic, "phx_close", struct{}{})
	default:
		// Absinthe.Phoenix.Channel has no clause for other events.
		s.crash()
	}
}

// doc is Absinthe.Phoenix.Channel.handle_in("doc", …): the same schema as
// HTTP, with the socket's access.
func (s *socket) doc(joinRef, ref json.RawMessage, payload json.RawMessage) {
	var p map[string]json.RawMessage
	if json.Unmarshal(payload, &p) != nil || p == nil {
		s.crash() // Map.get on a non-map raises
		return
	}
	var vars map[string]any
	if raw, ok := p["variables"]; ok && !bytes.Equal(raw, jsonNull) {
		if json.Unmarshal(raw, &vars) != nil || vars == nil {
			s.send(joinRef, ref, controlTopic, "phx_reply", reply{map[string]string{"error": "Could not parse variables as map"}, "error"})
			return
		}
	}
	var query, opName string
	if raw, ok := p["query"]; ok && json.Unmarshal(raw, &query) != nil {
		s.crash()
		return
	}
	if raw, ok := p["operationName"]; ok {
		json.Unmarshal(raw, &opName)
	}
	ri := &reqInfo{acc: s.acc, base: s.base, lagging: func() {
		s.inst.lagLog.warn(s.inst.log, "subscription fell behind; closing socket")
		s.conn.CloseNow()
	}}
	doc, op := parseOperation(query, opName)
	if operationType(op) == ast.Subscription {
		s.subscribe(joinRef, ref, query, opName, vars, ri, doc, op)
		return
	}
	resp := s.inst.execute(s.ctx, ri, query, opName, vars, doc, op)
	if err := ri.raised(); err != nil {
		s.inst.log.Info("graphql resolver raised on the socket", "err", err)
		s.crash()
		return
	}
	out := gqlResponse{Data: resp.Data}
	if len(resp.Errors) > 0 {
		addLocations(query, opName, resp.Errors)
		out.Errors = resp.Errors
	}
	status := "ok"
	if len(resp.Data) == 0 {
		status = "error"
	}
	s.send(joinRef, ref, controlTopic, "phx_reply", reply{out, status})
}

func (s *socket) subscribe(joinRef, ref json.RawMessage, query, opName string, vars map[string]any, ri *reqInfo, doc *ast.QueryDocument, op *ast.OperationDefinition) {
	refuse := func(errs any) {
		s.send(joinRef, ref, controlTopic, "phx_reply", reply{gqlResponse{Errors: errs}, "error"})
	}
	if errs := s.inst.schema.ValidateWithVariables(query, vars); len(errs) > 0 {
		refuse(errs)
		return
	}
	if errs := complexityErrors(doc, op, s.inst.lim.complexity); errs != nil {
		refuse(errs)
		return
	}
	// Docs run one at a time, so nothing adds a subscription between this
	// check and the insert below.
	s.mu.Lock()
	full := len(s.subs) >= s.inst.lim.subsPerSocket
	s.mu.Unlock()
	if full {
		refuse([]map[string]string{{"message": fmt.Sprintf("Too many subscriptions: the demo allows %d per socket", s.inst.lim.subsPerSocket)}})
		return
	}
	id := s.inst.subscriptionID(query, vars)
	ctx, cancel := context.WithCancel(withReq(s.ctx, ri))
	results, err := s.inst.schema.Subscribe(ctx, query, opName, vars)
	if err != nil {
		cancel()
		refuse([]map[string]string{{"message": err.Error()}})
		return
	}
	s.mu.Lock()
	s.subs[id] = cancel
	s.mu.Unlock()
	s.send(joinRef, ref, controlTopic, "phx_reply", reply{map[string]string{"subscriptionId": id}, "ok"})
	go func() {
		for v := range results {
			resp, ok := v.(*graphql.Response)
			if !ok || ctx.Err() != nil {
				continue
			}
			result := gqlResponse{Data: resp.Data}
			if len(resp.Errors) > 0 {
				result.Errors = resp.Errors
			}
			s.send(nil, nil, id, "subscription:data", map[string]any{"result": result, "subscriptionId": id})
		}
	}()
}

// subscriptionID is "__absinthe__:doc:<unique integer>:<SHA-256 of the
// document and variables, upper-case hex>".
func (inst *Instance) subscriptionID(query string, vars map[string]any) string {
	v, _ := json.Marshal(vars)
	sum := sha256.Sum256(append([]byte(query+"\x00"), v...))
	return fmt.Sprintf("__absinthe__:doc:%d:%s", inst.uniq.Add(1), strings.ToUpper(hex.EncodeToString(sum[:])))
}
