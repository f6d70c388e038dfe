package demo

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
)

// sayAs are the demo users /_demo/say may post as: the generator's test
// message button shows each option acting (a viewer, a subscriber, a
// moderator, the streamer).
var sayAs = []string{"ViewerVic", "SubSam", "MartaMod", "demo", "Noor", "kenji_k"}

// serveSay is the generator's test message endpoint, on the demo instance
// only (a real instance, or the -upstream proxy, answers 404, so the
// generator knows there is no demo): GET describes the demo, POST posts
// its text/plain body to the demo channel as ?as= (default ViewerVic).
// It needs no token, so a token never travels to a page, and reaches
// nothing but the in-memory demo channel; any origin may call it, as the
// generator may be served from another one.
func (inst *Instance) serveSay(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cache-Control", "no-store")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		writeJSON(w, http.StatusOK, map[string]any{"channel": "demo", "client_id": ClientID, "as": sayAs})
	case http.MethodPost:
		as := r.URL.Query().Get("as")
		if as == "" {
			as = sayAs[0]
		}
		if !slices.Contains(sayAs, as) {
			http.Error(w, "as: one of "+strings.Join(sayAs, ", "), http.StatusBadRequest)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxMessageBytes))
		if err != nil {
			http.Error(w, fmt.Sprintf("cannot read the body (at most %d bytes)", maxMessageBytes), bodyErrorStatus(err))
			return
		}
		id, err := inst.Post("demo", as, string(body))
		if err != nil {
			http.Error(w, "not posted: "+err.Error(), http.StatusUnprocessableEntity)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"id": id})
	default:
		h.Set("Allow", "GET, HEAD, POST")
		http.Error(w, "use GET or POST", http.StatusMethodNotAllowed)
	}
}
