package glimesh

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestDecodeChannelPush(t *testing.T) {
	st, err := DecodeChannelPush([]byte(`{"result":{"data":{"channel":{"status":"LIVE","title":"<b>speedrun</b>"}}},"subscriptionId":"x"}`))
	if err != nil || st != (ChannelState{Live: true, Title: "<b>speedrun</b>"}) {
		t.Errorf("live push = %+v, %v", st, err)
	}
	st, err = DecodeChannelPush([]byte(`{"result":{"data":{"channel":{"status":"HIBERNATING","title":null}}}}`))
	if err != nil || st.Live || st.Title != "" {
		t.Errorf("an unknown status = %+v, %v; want not live", st, err)
	}
	long := strings.Repeat("é", 2000)
	if st, _ := DecodeChannelPush([]byte(`{"result":{"data":{"channel":{"status":"OFFLINE","title":"` + long + `"}}}}`)); len(st.Title) > maxTitleBytes {
		t.Errorf("a title of %d bytes was kept", len(st.Title))
	}
	var de *DecodeError
	for _, bad := range []string{`{"result":{"data":{}}}`, `not json`} {
		if _, err := DecodeChannelPush([]byte(bad)); !errors.As(err, &de) {
			t.Errorf("%s: %v, want a DecodeError", bad, err)
		}
	}
	var ge *GraphQLError
	if _, err := DecodeChannelPush([]byte(`{"result":{"errors":[{"message":"no"}]}}`)); !errors.As(err, &ge) {
		t.Errorf("an error push: %v, want a GraphQLError", err)
	}
}

// A follow announcement is a chat message with isFollowedMessage.
func TestFollowMessageDecodes(t *testing.T) {
	m, err := DecodePush([]byte(`{"result":{"data":{"chatMessage":{"id":"5","message":" just followed the stream!","isFollowedMessage":true,
		"insertedAt":"2026-01-01T00:00:00","user":{"id":"9","username":"eve"}}}}}`))
	if err != nil || m.Kind != Follow || m.User.Username != "eve" {
		t.Errorf("follow push = %+v, %v", m, err)
	}
	m, _ = DecodePush([]byte(`{"result":{"data":{"chatMessage":{"id":"6","message":"hi","isFollowedMessage":false,"user":{"id":"9"}}}}}`))
	if m.Kind != Chat {
		t.Errorf("a chat message decoded as kind %v", m.Kind)
	}
}

// The start query reads the stream's state with the history.
func TestStartReadsTheStream(t *testing.T) {
	rt := ok(`{"data":{"channel":{"id":"6","status":"LIVE","title":"hello","chatMessages":{"edges":[]},"moderationLogs":{"edges":[]},"bans":{"edges":[]}}}}`)
	st, err := client(t, rt, Auth{ClientID: "c"}).Start(context.Background(), "mytho", 1, 1, 1)
	if err != nil || st.Stream != (ChannelState{Live: true, Title: "hello"}) {
		t.Errorf("Start's stream = %+v, %v", st.Stream, err)
	}
}

// Status lines sort after the message they came after, in the order they
// came, and are keyed apart from every message id.
func TestStatusLinesOrder(t *testing.T) {
	status := func(after string, seq int) Message {
		return Message{Kind: Status, Stream: &StreamChange{Change: WentLive, After: after, Seq: seq}}
	}
	list := []Message{{ID: "11"}, status("10", 2), {ID: "10"}, status("10", 1), status("", 3), {ID: "9"}}
	slices.SortStableFunc(list, CompareMessages)
	var keys []string
	for _, m := range list {
		keys = append(keys, m.Key())
	}
	if want := []string{"status-3", "9", "10", "status-1", "status-2", "11"}; !slices.Equal(keys, want) {
		t.Errorf("order %v, want %v", keys, want)
	}
	if ValidID(status("1", 1).Key()) {
		t.Error("a status line's key is a valid message id")
	}
}
