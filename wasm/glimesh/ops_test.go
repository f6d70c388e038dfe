package glimesh

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/glimchat/glimchat/server/schemaref"
)

// sentQueries runs every operation over the in-memory transport and returns
// the query text each one actually sent.
func sentQueries(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	run := func(name, body string, op func(*Client) error) {
		rt := ok(body)
		c, err := NewClient(base(t, "https://g.example"), &http.Client{Transport: rt}, Auth{Token: "t"})
		if err != nil {
			t.Fatal(err)
		}
		if err := op(c); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = rt.last(t).Body.Query
	}
	ctx := context.Background()
	run("channel", `{"data":{"channel":{"id":"6"}}}`, func(c *Client) error {
		_, err := c.ChannelID(ctx, "mytho")
		return err
	})
	run("history", `{"data":{"channel":{"chatMessages":{"edges":[]}}}}`, func(c *Client) error {
		_, err := c.History(ctx, "6", 50)
		return err
	})
	run("start", `{"data":{"channel":{"id":"6","chatMessages":{"edges":[]},"moderationLogs":{"edges":[]},"bans":{"edges":[]}}}}`, func(c *Client) error {
		_, err := c.Start(ctx, "mytho", 51, 100, 100)
		return err
	})
	run("start-chat", `{"data":{"channel":{"id":"6","chatMessages":{"edges":[]}}}}`, func(c *Client) error {
		_, err := c.Start(ctx, "mytho", 51, 0, 0)
		return err
	})
	run("send", `{"data":{"createChatMessage":`+fullMessage+`}}`, func(c *Client) error {
		_, err := c.Send(ctx, "6", "hi")
		return err
	})
	run("moderation", `{"data":{"channel":{"moderationLogs":{"edges":[]},"bans":{"edges":[]}}}}`, func(c *Client) error {
		_, err := c.Moderation(ctx, "6", 50, 50, 50)
		return err
	})
	run("stream", `{"data":{"channel":{"status":"LIVE","title":"t"}}}`, func(c *Client) error {
		st, err := c.Stream(ctx, "6")
		if err == nil && st != (ChannelState{Live: true, Title: "t"}) {
			err = fmt.Errorf("Stream = %+v", st)
		}
		return err
	})
	run("rights", `{"data":{"myself":{"id":"9"},"channel":{"streamer":{"id":"1"},"moderators":{"edges":[]}}}}`, func(c *Client) error {
		_, err := c.Rights(ctx, "6")
		return err
	})
	for _, a := range []Action{DeleteMessage, ShortTimeout, LongTimeout, Ban} {
		run(string(a), `{"data":{"`+mutationField[a]+`":`+logJSON("30", a, "7")+`}}`, func(c *Client) error {
			_, err := c.Moderate(ctx, "6", a, "7")
			return err
		})
	}
	return out
}

func TestOperationsMatchReferenceSchema(t *testing.T) {
	ref := schemaref.Load(t) // skipped without $GLIMESH_SCHEMA
	for name, q := range sentQueries(t) {
		t.Run(name, func(t *testing.T) { schemaref.Validate(t, ref, q) })
	}
	t.Run("subscription", func(t *testing.T) { schemaref.Validate(t, ref, Subscription) })
	t.Run("channel subscription", func(t *testing.T) { schemaref.Validate(t, ref, ChannelSubscription) })
}

// The subscription document is hand-written; it must select exactly what
// the typed history query selects, so pushes and history decode alike.
func TestSubscriptionMatchesHistory(t *testing.T) {
	q := sentQueries(t)
	if !strings.Contains(q["history"], "{node"+messageSelection+"}") {
		t.Errorf("history query %q does not select messageSelection %q", q["history"], messageSelection)
	}
	if !strings.Contains(Subscription, "chatMessage(channelId: $channelId) "+messageSelection) {
		t.Errorf("Subscription %q", Subscription)
	}
}
