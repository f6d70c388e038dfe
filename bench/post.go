package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxBatch is how many messages one request creates: aliased
// createChatMessage fields in one mutation, each costing 2 of the demo's
// complexity limit of 500. The demo runs them one by one, each stored and
// pushed to subscribers as a lone post would be, so a batch reaches the
// page as fast as the demo can push.
const maxBatch = 200

// Poster creates chat messages on a demo instance over its HTTP API, as a
// signed-in user (the demo's own chatters are off).
type Poster struct {
	origin, token, channelID string
	hc                       *http.Client
	n                        int // messages posted so far, for their texts
}

func newPoster(origin, token string) (*Poster, error) {
	p := &Poster{origin: origin, token: token, hc: &http.Client{Timeout: 30 * time.Second}}
	var out struct {
		Channel *struct{ ID string }
	}
	if err := p.graphql(`{ channel(streamerUsername: "demo") { id } }`, &out); err != nil {
		return nil, err
	}
	if out.Channel == nil {
		return nil, fmt.Errorf("%s has no demo channel", origin)
	}
	p.channelID = out.Channel.ID
	return p, nil
}

// Post creates n messages (at most maxBatch) in one request and returns
// their ids, in order.
func (p *Poster) Post(n int) ([]int64, error) {
	if n < 1 || n > maxBatch {
		return nil, fmt.Errorf("batch of %d: want 1 to %d", n, maxBatch)
	}
	var q strings.Builder
	q.WriteString("mutation {")
	for i := range n {
		p.n++
		// An emote and some text: a typical line, the same cost every time.
		text := fmt.Sprintf("bench %d :glimsmile: keep up with the chat", p.n)
		fmt.Fprintf(&q, " m%d: createChatMessage(channelId: %s, message: {message: %s}) { id }",
			i, jsString(p.channelID), jsString(text))
	}
	q.WriteString(" }")
	var out map[string]*struct{ ID string }
	if err := p.graphql(q.String(), &out); err != nil {
		return nil, err
	}
	ids := make([]int64, n)
	for i := range n {
		m := out["m"+strconv.Itoa(i)]
		if m == nil {
			return nil, fmt.Errorf("post: no message m%d in the answer", i)
		}
		id, err := strconv.ParseInt(m.ID, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("post: message id %q: %w", m.ID, err)
		}
		ids[i] = id
	}
	return ids, nil
}

// Delete deletes message id as the poster (who must moderate the channel)
// through deleteChatMessage, as a moderator's tool would.
func (p *Poster) Delete(id int64) error {
	q := fmt.Sprintf(`mutation { deleteChatMessage(channelId: %s, messageId: %s) { action } }`,
		jsString(p.channelID), jsString(strconv.FormatInt(id, 10)))
	var out struct {
		DeleteChatMessage *struct{ Action string }
	}
	if err := p.graphql(q, &out); err != nil {
		return fmt.Errorf("delete message %d: %w", id, err)
	}
	if out.DeleteChatMessage == nil || out.DeleteChatMessage.Action != "delete_message" {
		return fmt.Errorf("delete message %d: no delete_message log in the answer", id)
	}
	return nil
}

func (p *Poster) graphql(query string, data any) error {
	body, _ := json.Marshal(map[string]string{"query": query})
	req, err := http.NewRequest(http.MethodPost, p.origin+"/api/graph", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+p.token)
	resp, err := p.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return fmt.Errorf("graphql: %s: %w", resp.Status, err)
	}
	if len(out.Errors) > 0 {
		return fmt.Errorf("graphql: %s", out.Errors[0].Message)
	}
	return json.Unmarshal(out.Data, data)
}
