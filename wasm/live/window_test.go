package live_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/live"
)

// channel is a channel's history: messages 1..n.
type channel struct {
	n     int
	asked []int
	fail  bool
}

func (c *channel) load(_ context.Context, n int) ([]glimesh.Message, error) {
	c.asked = append(c.asked, n)
	if c.fail {
		return nil, errors.New("offline")
	}
	var out []glimesh.Message
	for id := max(1, c.n-n+1); id <= c.n; id++ {
		out = append(out, glimesh.Message{ID: strconv.Itoa(id)})
	}
	return out, nil
}

func ids(msgs []glimesh.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

func TestWindow(t *testing.T) {
	for _, tc := range []struct {
		name           string
		history, limit int
		have           int // messages in the channel at start
		first          []string
		later          []string // after 5 more messages
	}{
		{"no history shows only what came after the start", 0, 100, 20, nil, []string{"21", "22", "23", "24", "25"}},
		{"some history, a gap bigger than it", 2, 100, 20, []string{"19", "20"}, []string{"19", "20", "21", "22", "23", "24", "25"}},
		{"the limit bounds the backfill", 2, 3, 20, []string{"19", "20"}, []string{"23", "24", "25"}},
		{"a channel shorter than the history", 50, 100, 3, []string{"1", "2", "3"}, []string{"1", "2", "3", "4", "5", "6", "7", "8"}},
		{"an empty channel", 0, 100, 0, nil, []string{"1", "2", "3", "4", "5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &channel{n: tc.have}
			w := &live.Window{History: tc.history, Limit: tc.limit, Load: c.load}
			first, err := w.Backfill(context.Background())
			if err != nil || !slices.Equal(ids(first), tc.first) {
				t.Errorf("first load = %v, %v; want %v", ids(first), err, tc.first)
			}
			c.n += 5
			later, err := w.Backfill(context.Background())
			if err != nil || !slices.Equal(ids(later), tc.later) {
				t.Errorf("later load = %v, %v; want %v", ids(later), err, tc.later)
			}
			if want := []int{tc.history + 1, tc.limit}; !slices.Equal(c.asked, want) {
				t.Errorf("asked for %v messages, want %v", c.asked, want)
			}
		})
	}
}

// Until a first load succeeds, the floor is unknown: a failed first load
// does not make the next one reach back further.
func TestWindowFirstLoadFails(t *testing.T) {
	c := &channel{n: 20, fail: true}
	w := &live.Window{History: 0, Limit: 100, Load: c.load}
	if _, err := w.Backfill(context.Background()); err == nil {
		t.Fatal("a failed load returned no error")
	}
	c.fail = false
	c.n = 22
	got, err := w.Backfill(context.Background())
	if err != nil || len(got) != 0 {
		t.Errorf("retried first load = %v, %v; want nothing from before it", ids(got), err)
	}
	if want := []int{1, 1}; !slices.Equal(c.asked, want) {
		t.Errorf("asked for %v messages, want %v", c.asked, want)
	}
}

func TestAfter(t *testing.T) {
	msgs := []glimesh.Message{{ID: "9"}, {ID: "10"}, {ID: "100"}}
	if got := ids(live.After(msgs, "9")); !slices.Equal(got, []string{"10", "100"}) {
		t.Errorf("After 9 = %v, want numeric order: 10 and 100", got)
	}
	if got := ids(live.After(msgs, "")); len(got) != 3 {
		t.Errorf("After \"\" = %v, want all", got)
	}
}

// A first load made elsewhere sets the floor once; a later one keeps it, so
// it hides nothing of the window already on screen.
func TestWindowStartSetsFloorOnce(t *testing.T) {
	w := &live.Window{History: 2, Limit: 5}
	if n := w.First(); n != 3 {
		t.Fatalf("First = %d, want 3", n)
	}
	got := w.Start(msgs("1", "2", "3"))
	if fmt.Sprint(ids(got)) != "[2 3]" {
		t.Fatalf("Start = %q, want 2 3", ids(got))
	}
	got = w.Start(msgs("3", "4", "5"))
	if fmt.Sprint(ids(got)) != "[4 5]" {
		t.Errorf("a second Start = %q, want 4 5 (floor stays 1)", ids(got))
	}
}
