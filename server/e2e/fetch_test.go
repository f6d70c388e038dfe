package e2e

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glimchat/glimchat/internal/testids"
)

// hangState is what the fetch server saw of the /hang requests of one id.
type hangState struct {
	Arrived   bool
	Cancelled bool // the client went away before the server answered
	Finished  bool
}

// fetchServer is what wasm/transport's fetch_js_test.go talks to, on an
// origin of its own. Every endpoint but /nocors and /truncated answers CORS
// for any origin.
type fetchServer struct {
	URL    string
	closed string // an address nothing listens on
	stop   chan struct{}

	mu    sync.Mutex
	hangs map[string]*hangState
	gql   int
}

// hangFor bounds /hang: far beyond the wasm's "prompt", so a transport that
// did not abort is caught, and short enough to end a broken run.
const hangFor = 30 * time.Second

func newFetchServer(t *testing.T) *fetchServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()

	fsrv := &fetchServer{closed: closed, stop: make(chan struct{}), hangs: map[string]*hangState{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", fsrv.echo)
	mux.HandleFunc("/bytes", fsrv.bytes)
	mux.HandleFunc("/hang", fsrv.hang)
	mux.HandleFunc("/state", fsrv.stateHandler)
	mux.HandleFunc("/closed", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, fsrv.closed) })
	mux.HandleFunc("/graphql", fsrv.graphql)
	mux.HandleFunc("/truncated", truncated)
	srv := httptest.NewServer(cors(mux)) // on 127.0.0.1
	t.Cleanup(func() {
		close(fsrv.stop) // release any /hang still waiting
		srv.Close()
	})
	fsrv.URL = srv.URL
	return fsrv
}

// cors answers preflights and lets the wasm's page origin read responses,
// except on /nocors, which stands for an instance that blocks cross-origin
// reads (a simple GET: the server answers, the browser hides it).
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/nocors" {
			io.WriteString(w, "no CORS here")
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", "X-Glimchat-Reply, X-Glimchat-Multi, X-Glimchat-Encoded, Content-Encoding")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Glimchat-Test")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// echo answers what it was sent, with the status asked for in ?status=.
func (fsrv *fetchServer) echo(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	status, err := strconv.Atoi(r.URL.Query().Get("status"))
	if err != nil || status < 200 || status > 599 {
		http.Error(w, "bad status", http.StatusBadRequest)
		return
	}
	headers := map[string][]string{}
	for _, k := range []string{"Authorization", "Content-Type", "X-Glimchat-Test"} {
		if v := r.Header.Values(k); len(v) > 0 {
			headers[k] = v
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Glimchat-Reply", "reply-"+r.Method)
	w.Header().Add("X-Glimchat-Multi", "a")
	w.Header().Add("X-Glimchat-Multi", "b")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"Method": r.Method, "Query": r.URL.Query().Get("q"), "Headers": headers, "Body": body,
	})
}

// bytes sends every byte value ?n= times, gzip-encoded when ?gzip=true.
func (fsrv *fetchServer) bytes(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n < 0 || n > 1024 {
		http.Error(w, "bad n", http.StatusBadRequest)
		return
	}
	gz := r.URL.Query().Get("gzip") == "true"
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("X-Glimchat-Encoded", strconv.FormatBool(gz))
	var out io.Writer = w
	if gz {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		defer zw.Close()
		out = zw
	}
	block := make([]byte, 256)
	for i := range block {
		block[i] = byte(i)
	}
	for range n {
		out.Write(block)
	}
}

// hang holds the request until the client goes away, recording whether it
// did. With ?stage=body it first sends the headers and part of a body.
func (fsrv *fetchServer) hang(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	fsrv.update(id, func(s *hangState) { s.Arrived = true })
	defer fsrv.update(id, func(s *hangState) { s.Finished = true })
	if r.URL.Query().Get("stage") == "body" {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", "1000")
		io.WriteString(w, "the start of a body that never ends")
		http.NewResponseController(w).Flush()
	}
	select {
	case <-r.Context().Done():
		fsrv.update(id, func(s *hangState) { s.Cancelled = true })
	case <-fsrv.stop:
	case <-time.After(hangFor):
	}
}

func (fsrv *fetchServer) update(id string, f func(*hangState)) {
	fsrv.mu.Lock()
	defer fsrv.mu.Unlock()
	s := fsrv.hangs[id]
	if s == nil {
		s = &hangState{}
		fsrv.hangs[id] = s
	}
	f(s)
}

func (fsrv *fetchServer) state(id string) hangState {
	fsrv.mu.Lock()
	defer fsrv.mu.Unlock()
	if s := fsrv.hangs[id]; s != nil {
		return *s
	}
	return hangState{}
}

func (fsrv *fetchServer) stateHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(fsrv.state(r.URL.Query().Get("id")))
}

// checkClients checks, from the server's side, what wasm/transport's fetch
// tests did: every request they cancelled arrived and was then really
// aborted on the wire, the ones they must not send never arrived, and
// TestFetchGraphQL's two queries were answered.
func (fsrv *fetchServer) checkClients(t *testing.T) {
	t.Helper()
	cancelled := []string{testids.HangBeforeHeaders, testids.HangMidBody, testids.HangDeadline, testids.HangEventLoop}
	for i := range testids.StormHangs {
		cancelled = append(cancelled, testids.StormHang(i))
	}
	for _, id := range cancelled {
		if s := fsrv.state(id); !s.Arrived || !s.Cancelled {
			t.Errorf("/hang?id=%s: %+v, want arrived and then cancelled by the client", id, s)
		}
	}
	for _, id := range []string{testids.HangNeverSent, testids.HangBadHeader} {
		if s := fsrv.state(id); s.Arrived {
			t.Errorf("/hang?id=%s reached the server: %+v", id, s)
		}
	}
	fsrv.mu.Lock()
	defer fsrv.mu.Unlock()
	if fsrv.gql != 2 {
		t.Errorf("/graphql answered %d queries, want 2", fsrv.gql)
	}
}

// graphql answers the one query shape the wasm sends, from its variables:
// channel(streamerUsername: $name) { id streamer { displayname } }.
func (fsrv *fetchServer) graphql(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Query     string
		Variables struct{ Name *string }
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "want a JSON POST", http.StatusBadRequest)
		return
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Variables.Name == nil {
		http.Error(w, fmt.Sprintf("bad request: %v", err), http.StatusBadRequest)
		return
	}
	fsrv.mu.Lock()
	fsrv.gql++
	fsrv.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	q := strings.Join(strings.Fields(in.Query), "")
	if q != "query($name:String!){channel(streamerUsername:$name){id,streamer{displayname}}}" {
		json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]string{"message": "unexpected query " + in.Query}}})
		return
	}
	name := *in.Variables.Name
	if name == testids.UnknownChannel {
		json.NewEncoder(w).Encode(map[string]any{
			"data":   map[string]any{"channel": nil},
			"errors": []any{map[string]string{"message": fmt.Sprintf("channel %q not found", name)}},
		})
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"channel": map[string]any{
		"id": "channel:" + name, "streamer": map[string]any{"displayname": strings.ToUpper(name)},
	}}})
}

// truncated promises 1000 bytes, sends 10 and drops the connection.
func truncated(w http.ResponseWriter, r *http.Request) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer conn.Close()
	buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n" +
		"Access-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n0123456789")
	buf.Flush()
}
