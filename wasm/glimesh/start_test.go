package glimesh

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/shurcooL/graphql"
)

func TestStartOneRoundTrip(t *testing.T) {
	rt := ok(`{"data":{"channel":{"id":"6","chatMessages":{"edges":[{"node":` + fullMessage + `}]},` +
		`"moderationLogs":{"edges":[{"node":` + logJSON("30", Ban, "7") + `}]},"bans":{"edges":[{"node":{"user":{"id":"7"},"expiresAt":"","insertedAt":"x"}}]}}}}`)
	st, err := client(t, rt, Auth{ClientID: "c"}).Start(context.Background(), "mytho", 51, 100, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(rt.reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(rt.reqs))
	}
	if st.ChannelID != "6" || len(st.Messages) != 1 || st.Messages[0].ID != "1002" || !st.Moderated ||
		len(st.Moderation.Logs) != 1 || len(st.Moderation.Bans) != 1 {
		t.Errorf("Start = %+v", st)
	}
	// The history was read with the logs: it is the read's stamps.
	want := Stamp{ID: "1002", UserID: "7", InsertedAt: "2021-01-08T05:03:44", UpdatedAt: "2021-01-08T05:03:50"}
	if !st.Moderation.Stamped || len(st.Moderation.Stamps) != 1 || st.Moderation.Stamps[0] != want {
		t.Errorf("Start's stamps = %v %+v, want [%+v]", st.Moderation.Stamped, st.Moderation.Stamps, want)
	}
	q := rt.last(t).Body.Query
	for _, want := range []string{"streamerUsername", "chatMessages(last: $last)", "moderationLogs", "bans(last: $bans)"} {
		if !strings.Contains(q, want) {
			t.Errorf("query %q lacks %q", q, want)
		}
	}
}

func TestStartNotFound(t *testing.T) {
	_, err := client(t, ok(`{"data":{"channel":null}}`), Auth{ClientID: "c"}).Start(context.Background(), "nobody", 1, 100, 100)
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("err = %v, want NotFoundError", err)
	}
}

// seqRT answers each request with the next body.
type seqRT struct {
	bodies  []string
	queries []string
}

func (s *seqRT) RoundTrip(req *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(req.Body)
	s.queries = append(s.queries, string(b))
	body := s.bodies[min(len(s.queries)-1, len(s.bodies)-1)]
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
}

// An instance that refuses to show the moderation still gets the chat.
func TestStartWithoutModeration(t *testing.T) {
	rt := &seqRT{bodies: []string{
		`{"data":{"channel":{"id":"6","chatMessages":null,"moderationLogs":null,"bans":null}},"errors":[{"message":"unauthorized"}]}`,
		`{"data":{"channel":{"id":"6","chatMessages":{"edges":[{"node":` + fullMessage + `}]}}}}`,
	}}
	c, err := NewClient(base(t, "https://g.example"), &http.Client{Transport: rt}, Auth{ClientID: "c"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Start(context.Background(), "mytho", 51, 100, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(rt.queries) != 2 || strings.Contains(rt.queries[1], "moderationLogs") {
		t.Fatalf("queries %q", rt.queries)
	}
	if st.Moderated || len(st.Messages) != 1 {
		t.Errorf("Start = %+v", st)
	}
}

// The hand-written start queries are what shurcooL would build from the
// typed startQuery and startQueryChat, so the typed structs document them
// and the schema check covers them.
func TestStartMatchesTyped(t *testing.T) {
	for _, c := range []struct {
		v    any
		vars map[string]any
		want string
	}{
		{&startQuery{}, map[string]any{"username": graphql.String("x"), "last": graphql.Int(1), "logs": graphql.Int(1), "bans": graphql.Int(1)}, startQueryText},
		{&startQueryChat{}, map[string]any{"username": graphql.String("x"), "last": graphql.Int(1)}, startChatQueryText},
		{&moderationQuery{}, map[string]any{"channelId": graphql.ID("1"), "logs": graphql.Int(1), "bans": graphql.Int(1), "recent": graphql.Int(1)}, moderationQueryText},
		{&historyQuery{}, map[string]any{"channelId": graphql.ID("1"), "last": graphql.Int(1)}, historyQueryText},
	} {
		rt := ok(`{"data":{"channel":null}}`)
		if err := client(t, rt, Auth{ClientID: "c"}).do(context.Background(), false, c.v, c.vars); err != nil {
			t.Fatal(err)
		}
		if got := rt.last(t).Body.Query; got != c.want {
			t.Errorf("shurcooL builds\n%s\nthe hand-written text is\n%s", got, c.want)
		}
	}
}
