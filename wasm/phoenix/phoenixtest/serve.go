package phoenixtest

import (
	"encoding/json"
	"fmt"

	"github.com/glimchat/glimchat/wasm/phoenix"
)

// DocFunc answers one doc frame: the reply status and raw JSON response.
type DocFunc func(query string, variables json.RawMessage) (status, response string)

// Serve answers the client on c until the connection closes, like a
// well-behaved Absinthe server: joins and heartbeats are accepted,
// unsubscribes acknowledged, and docs answered by doc. It returns a
// channel closed when it stops.
func (c *Conn) Serve(doc DocFunc) <-chan struct{} {
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			f, ok := c.Next()
			if !ok {
				select {
				case <-c.closed:
					return
				default:
					continue // quiet for Guard; keep serving
				}
			}
			switch {
			case f.Topic == phoenix.TopicPhoenix && f.Event == phoenix.EventHeartbeat,
				f.Topic == phoenix.TopicControl && f.Event == phoenix.EventJoin:
				c.Reply(f, "ok", `{}`)
			case f.Topic == phoenix.TopicControl && f.Event == phoenix.EventUnsubscribe:
				c.Reply(f, "ok", string(f.Payload))
			case f.Topic == phoenix.TopicControl && f.Event == phoenix.EventDoc:
				var p struct {
					Query     string          `json:"query"`
					Variables json.RawMessage `json:"variables"`
				}
				if err := json.Unmarshal(f.Payload, &p); err != nil {
					c.Reply(f, "error", fmt.Sprintf(`{"error":%q}`, err.Error()))
					continue
				}
				status, response := doc(p.Query, p.Variables)
				c.Reply(f, status, response)
			default:
				c.Reply(f, "error", `{"reason":"unmatched topic"}`)
			}
		}
	}()
	return stopped
}
