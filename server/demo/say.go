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

// sayChannels are the channels /_demo/say posts to, the first by default:
// the two with simulated chat, for a merged chat's preview.
var sayChannels = []string{"demo", "cohost"}

// serveSay is the generator's test message endpoint, on the demo instance
// only (a real instance, or the -upstream proxy, answers 404, so the
// generator knows there is no demo): GET describes the demo, POST posts
// its text/plain body to ?channel= (default demo) as ?as= (default
// ViewerVic).
// It needs no token, so a token never travels to a page, and reaches
// nothing but the in-memory demo channel; any origin may call it, as the
// generator may be served from another one.
func (inst *Instance) serveSay(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cache-Control", "no-store")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		writeJSON(w, http.StatusOK, map[string]any{"channel": sayChannels[0], "channels": sayChannels, "client_id": ClientID, "as": sayAs})
	case http.MethodPost:
		q := r.URL.Query()
		as, channel := q.Get("as"), q.Get("channel")
		if as == "" {
			as = sayAs[0]
		}
		if channel == "" {
			channel = sayChannels[0]
		}
		if !slices.Contains(sayAs, as) {
			http.Error(w, "as: one of "+strings.Join(sayAs, ", "), http.StatusBadRequest)
			return
		}
		if !slices.Contains(sayChannels, channel) {
			http.Error(w, "channel: one of "+strings.Join(sayChannels, ", "), http.StatusBadRequest)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxMessageBytes))
		if err != nil {
			http.Error(w, fmt.Sprintf("cannot read the body (at most %d bytes)", maxMessageBytes), bodyErrorStatus(err))
			return
		}
		id, err := inst.Post(channel, as, string(body))
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
