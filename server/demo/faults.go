package demo

import (
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

type faultState struct {
	refuseUntil atomic.Int64 // unix nanos
}

func (f *faultState) refusing() bool { return time.Now().UnixNano() < f.refuseUntil.Load() }

func (inst *Instance) eachSocket(fn func(*socket)) {
	inst.socketMu.Lock()
	all := make([]*socket, 0, len(inst.sockets))
	for s := range inst.sockets {
		all = append(all, s)
	}
	inst.socketMu.Unlock()
	for _, s := range all {
		fn(s)
	}
}

// DropSockets cuts every open websocket at once, without a close frame,
// like a network failure.
func (inst *Instance) DropSockets() {
	inst.eachSocket(func(s *socket) { s.conn.CloseNow() })
}

// Stall makes every open websocket a dead link for d: it stays open, but
// heartbeats go unanswered, incoming frames are swallowed and pushes
// produced meanwhile are lost. Sockets opened later are not affected.
func (inst *Instance) Stall(d time.Duration) {
	until := time.Now().Add(d).UnixNano()
	inst.eachSocket(func(s *socket) { s.stallUntil.Store(until) })
}

// Refuse answers new websocket upgrades with 503 for d.
func (inst *Instance) Refuse(d time.Duration) {
	inst.faults.refuseUntil.Store(time.Now().Add(d).UnixNano())
}

// PhxError sends phx_error on every socket's control channel and drops its
// subscriptions, as when the channel process crashes.
func (inst *Instance) PhxError() {
	inst.eachSocket(func(s *socket) { s.crash() })
}

// serveFault exposes the hooks as POST /_demo/fault/{drop,stall,refuse,phx_error}
// (stall and refuse take ?for=5s) when Options.Faults is set.
func (inst *Instance) serveFault(w http.ResponseWriter, r *http.Request) {
	if !inst.opts.Faults {
		http.NotFound(w, r)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/_demo/fault/")
	dur := func() (time.Duration, bool) {
		s := r.URL.Query().Get("for")
		if s == "" {
			return 5 * time.Second, true
		}
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 || d > 10*time.Minute {
			http.Error(w, "for: a duration between 0 and 10m, like 5s", http.StatusBadRequest)
			return 0, false
		}
		return d, true
	}
	switch name {
	case "drop", "stall", "refuse", "phx_error":
	default:
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "use POST", http.StatusMethodNotAllowed)
		return
	}
	switch name {
	case "drop":
		inst.DropSockets()
	case "stall":
		d, ok := dur()
		if !ok {
			return
		}
		inst.Stall(d)
	case "refuse":
		d, ok := dur()
		if !ok {
			return
		}
		inst.Refuse(d)
	case "phx_error":
		inst.PhxError()
	}
	w.WriteHeader(http.StatusNoContent)
}
