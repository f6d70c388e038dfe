package events

import (
	"testing"

	"github.com/glimchat/glimchat/wasm/glimesh"
)

func TestPushes(t *testing.T) {
	offline := glimesh.ChannelState{Title: "old"}
	type step struct {
		push   glimesh.ChannelState
		change glimesh.Change // "" for no line
		title  string
	}
	for _, c := range []struct {
		name  string
		show  Show
		steps []step
	}{
		{"live and title", Show{Live: true, Title: true}, []step{
			{offline, "", ""}, // nothing changed
			{glimesh.ChannelState{Live: true, Title: "speedrun"}, glimesh.WentLive, "speedrun"},
			{glimesh.ChannelState{Live: true, Title: "speedrun"}, "", ""},
			{glimesh.ChannelState{Live: true, Title: "any% now"}, glimesh.NewTitle, "any% now"},
			{glimesh.ChannelState{Live: true, Title: ""}, "", ""}, // an empty title says nothing
			{glimesh.ChannelState{Title: "bye"}, glimesh.WentOffline, ""},
		}},
		{"live only", Show{Live: true}, []step{
			{glimesh.ChannelState{Title: "new"}, "", ""},
			{glimesh.ChannelState{Live: true, Title: "new"}, glimesh.WentLive, "new"},
		}},
		{"title only", Show{Title: true}, []step{
			{glimesh.ChannelState{Live: true, Title: "old"}, "", ""},
			{glimesh.ChannelState{Live: true, Title: "new"}, glimesh.NewTitle, "new"},
			{glimesh.ChannelState{Title: "newer"}, glimesh.NewTitle, "newer"},
		}},
		{"none", Show{}, []step{
			{glimesh.ChannelState{Live: true, Title: "new"}, "", ""},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := NewTracker(c.show, offline)
			seq := 0
			for i, s := range c.steps {
				m, ok := tr.Push(s.push, "10")
				if ok != (s.change != "") {
					t.Fatalf("step %d: a line %v, want %v", i, ok, s.change != "")
				}
				if !ok {
					continue
				}
				seq++
				if m.Kind != glimesh.Status || m.Stream.Change != s.change || m.Stream.Title != s.title ||
					m.Stream.After != "10" || m.Stream.Seq != seq || m.ID != "" {
					t.Errorf("step %d: %+v %+v, want %s %q after 10, seq %d", i, m, m.Stream, s.change, s.title, seq)
				}
			}
		})
	}
}
