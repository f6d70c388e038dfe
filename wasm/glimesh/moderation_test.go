package glimesh

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
)

// mutationField names the mutation of each action, as the reply keys it.
var mutationField = map[Action]string{
	DeleteMessage: "deleteChatMessage",
	ShortTimeout:  "shortTimeoutUser",
	LongTimeout:   "longTimeoutUser",
	Ban:           "banUser",
}

func logJSON(id string, a Action, user string) string {
	return fmt.Sprintf(`{"id":%q,"action":%q,"insertedAt":"2026-01-01T00:00:10","user":{"id":%q},"moderator":{"id":"2"}}`, id, a, user)
}

func TestModerationDecodes(t *testing.T) {
	rt := ok(`{"data":{"channel":{
		"moderationLogs":{"edges":[
			{"node":` + logJSON("12", Ban, "7") + `},
			null, {"node":null},
			{"node":{"id":"x1","action":"ban","insertedAt":"2026-01-01T00:00:00","user":{"id":"7"}}},
			{"node":{"id":"13","action":"ban","insertedAt":"2026-01-01T00:00:00","user":null}},
			{"node":{"id":"9","action":"delete_message","insertedAt":"2026-01-01T00:00:00","user":{"id":"8"},"moderator":null}}
		]},
		"bans":{"edges":[
			{"node":{"user":{"id":"7"},"expiresAt":null,"insertedAt":"2026-01-01T00:00:10"}},
			{"node":{"user":{"id":"8"},"expiresAt":"2026-01-01T00:05:00","insertedAt":"2026-01-01T00:00:00"}},
			{"node":{"user":{"id":"07"},"expiresAt":null,"insertedAt":"2026-01-01T00:00:00"}},
			{"node":{"user":null}}, null
		]},
		"recent":{"edges":[
			{"node":{"id":"31","insertedAt":"2026-01-01T00:00:02","updatedAt":"2026-01-01T00:00:09","user":{"id":"8"}}},
			{"node":{"id":"x","insertedAt":"2026-01-01T00:00:02","updatedAt":"2026-01-01T00:00:09","user":{"id":"8"}}},
			null,
			{"node":{"id":"30","insertedAt":"2026-01-01T00:00:01","updatedAt":"2026-01-01T00:00:01","user":null}}
		]}}}}`)
	got, err := client(t, rt, Auth{ClientID: "c"}).Moderation(context.Background(), "6", 20, 5000, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantLogs := []ModerationLog{
		{ID: "9", Action: DeleteMessage, UserID: "8", InsertedAt: "2026-01-01T00:00:00"},
		{ID: "12", Action: Ban, UserID: "7", ModeratorID: "2", InsertedAt: "2026-01-01T00:00:10"},
	}
	if !slices.Equal(got.Logs, wantLogs) {
		t.Errorf("logs = %+v, want %+v (ordered by id, broken rows skipped)", got.Logs, wantLogs)
	}
	wantBans := []ChannelBan{{UserID: "7", InsertedAt: "2026-01-01T00:00:10"}, {UserID: "8", ExpiresAt: "2026-01-01T00:05:00", InsertedAt: "2026-01-01T00:00:00"}}
	if !slices.Equal(got.Bans, wantBans) {
		t.Errorf("bans = %+v, want %+v", got.Bans, wantBans)
	}
	wantStamps := []Stamp{
		{ID: "30", InsertedAt: "2026-01-01T00:00:01", UpdatedAt: "2026-01-01T00:00:01"},
		{ID: "31", UserID: "8", InsertedAt: "2026-01-01T00:00:02", UpdatedAt: "2026-01-01T00:00:09"},
	}
	if !got.Stamped || !slices.Equal(got.Stamps, wantStamps) {
		t.Errorf("stamps = %v %+v, want %+v (ordered by id, broken rows skipped)", got.Stamped, got.Stamps, wantStamps)
	}
	v := rt.last(t).Body.Variables
	if v["channelId"] != "6" || v["logs"] != float64(20) || v["bans"] != float64(MaxHistory) || v["recent"] != float64(1) {
		t.Errorf("variables = %v, want the page sizes clamped to the API's", v)
	}
}

func TestModerationErrors(t *testing.T) {
	_, err := client(t, ok(`{"data":{"channel":null}}`), Auth{ClientID: "c"}).Moderation(context.Background(), "6", 1, 1, 1)
	if !errors.Is(err, ErrChannelNotFound) {
		t.Errorf("missing channel: %v", err)
	}
	_, err = client(t, ok(`{"errors":[{"message":"unauthorized"}],"data":null}`), Auth{ClientID: "c"}).Moderation(context.Background(), "6", 1, 1, 1)
	var ge *GraphQLError
	if !errors.As(err, &ge) {
		t.Errorf("refusal: %v, want a GraphQLError", err)
	}
}

func TestRights(t *testing.T) {
	mods := `"moderators":{"edges":[
		{"node":{"user":{"id":"3"},"canDelete":true,"canShortTimeout":true,"canLongTimeout":false,"canBan":null}},
		null, {"node":{"user":null}}]}`
	tests := []struct {
		name, body string
		want       Rights
	}{
		{"streamer", `{"data":{"myself":{"id":"1"},"channel":{"streamer":{"id":"1"},` + mods + `}}}`,
			Rights{UserID: "1", Delete: true, ShortTimeout: true, LongTimeout: true, Ban: true}},
		{"moderator", `{"data":{"myself":{"id":"3"},"channel":{"streamer":{"id":"1"},` + mods + `}}}`,
			Rights{UserID: "3", Delete: true, ShortTimeout: true}},
		{"viewer", `{"data":{"myself":{"id":"4"},"channel":{"streamer":{"id":"1"},` + mods + `}}}`,
			Rights{UserID: "4"}},
		{"hostile id", `{"data":{"myself":{"id":"1 OR 1"},"channel":{"streamer":{"id":"1 OR 1"},` + mods + `}}}`,
			Rights{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := client(t, ok(tt.body), Auth{Token: "t"}).Rights(context.Background(), "6")
			if err != nil || got != tt.want {
				t.Errorf("Rights = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	// Without a token there is no viewer, and nothing is asked.
	rt := ok(`{}`)
	if got, err := client(t, rt, Auth{ClientID: "c"}).Rights(context.Background(), "6"); err != nil || got.Any() {
		t.Errorf("Rights with a client id = %+v, %v", got, err)
	}
	if len(rt.reqs) != 0 {
		t.Errorf("Rights with a client id sent %d requests", len(rt.reqs))
	}
}

func TestModerate(t *testing.T) {
	for a, field := range mutationField {
		t.Run(string(a), func(t *testing.T) {
			rt := ok(`{"data":{"` + field + `":` + logJSON("31", a, "7") + `}}`)
			target := "7"
			if a == DeleteMessage {
				target = "1002"
			}
			log, err := client(t, rt, Auth{Token: "t"}).Moderate(context.Background(), "6", a, target)
			if err != nil || log.ID != "31" || log.Action != a || log.UserID != "7" {
				t.Fatalf("Moderate = %+v, %v", log, err)
			}
			r := rt.last(t)
			arg := "userId"
			if a == DeleteMessage {
				arg = "messageId"
			}
			if r.Body.Variables[arg] != target || r.Body.Variables["channelId"] != "6" {
				t.Errorf("variables = %v, want %s=%s", r.Body.Variables, arg, target)
			}
		})
	}
	c := client(t, ok(`{"data":{"banUser":null}}`), Auth{Token: "t"})
	if _, err := c.Moderate(context.Background(), "6", Ban, "7"); !errors.Is(err, ErrNoLog) {
		t.Errorf("a reply without a log: %v, want ErrNoLog", err)
	}
	c = client(t, ok(`{"data":{"banUser":{"id":"x","user":{"id":"7"}}}}`), Auth{Token: "t"})
	var de *DecodeError
	if _, err := c.Moderate(context.Background(), "6", Ban, "7"); !errors.As(err, &de) {
		t.Errorf("a log without a valid id: %v, want a DecodeError", err)
	}
	if _, err := c.Moderate(context.Background(), "6", Unban, "7"); err == nil {
		t.Error("Moderate(Unban) did not refuse")
	}
}
