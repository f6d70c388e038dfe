package config

import (
	"strings"
	"testing"
)

func TestChannels(t *testing.T) {
	const page = "https://chat.example/overlay.html"
	type src struct{ channel, instance, id string }
	for _, c := range []struct {
		query   string
		want    []src
		problem string
	}{
		{"channel=alice&client_id=app", []src{{"alice", "https://chat.example", "app"}}, ""},
		{"channel=alice,bob&client_id=app", []src{{"alice", "https://chat.example", "app"}, {"bob", "https://chat.example", "app"}}, ""},
		{"channel=alice,bob@https://other.example&client_id=app,https://other.example=theirs&instance=https://glim.example",
			[]src{{"alice", "https://glim.example", "app"}, {"bob", "https://other.example", "theirs"}}, ""},
		// bob@ the page's own instance is just bob.
		{"channel=alice,bob@https://chat.example/&client_id=app", []src{{"alice", "https://chat.example", "app"}, {"bob", "https://chat.example", "app"}}, ""},
		{"channel=alice,bob@https://other.example&client_id=app", []src{{"alice", "https://chat.example", "app"}}, "no client id for https://other.example"},
		{"channel=alice,b%20ob&client_id=app", []src{{"alice", "https://chat.example", "app"}}, "a Glimesh username"},
		{"channel=alice,bob@ftp://x&client_id=app", []src{{"alice", "https://chat.example", "app"}}, "only http and https"},
		{"channel=alice,Alice&client_id=app", []src{{"alice", "https://chat.example", "app"}}, "given twice"},
		{"channel=a,b,c,d,e,f,g,h,i&client_id=app", nil, "at most 8 channels"},
		{"channel=alice&client_id=app,junk", []src{{"alice", "https://chat.example", "app"}}, "then for other instances"},
	} {
		cfg, errs := Parse(c.query, page)
		var said []string
		for _, e := range errs {
			said = append(said, e.Error())
		}
		if (c.problem == "") != (len(said) == 0) || c.problem != "" && !strings.Contains(strings.Join(said, " "), c.problem) {
			t.Errorf("%q: problems %q, want one naming %q", c.query, said, c.problem)
		}
		got := cfg.Sources()
		if c.want == nil {
			if len(got) != MaxChannels {
				t.Errorf("%q: %d channels, want %d", c.query, len(got), MaxChannels)
			}
			continue
		}
		if len(got) != len(c.want) {
			t.Errorf("%q: sources %+v, want %v", c.query, got, c.want)
			continue
		}
		for i, w := range c.want {
			if g := got[i]; g.Channel != w.channel || g.Instance.String() != w.instance || g.ClientID != w.id {
				t.Errorf("%q: source %d = %s %s %s, want %v", c.query, i, g.Channel, g.Instance, g.ClientID, w)
			}
		}
		// Values gives the same sources back.
		again, _ := Parse(cfg.Values(page).Encode(), page)
		if a, b := again.Sources(), got; len(a) != len(b) {
			t.Errorf("%q: Values round trip: %v, want %v", c.query, a, b)
		} else {
			for i := range a {
				if a[i].Channel != b[i].Channel || a[i].Instance.String() != b[i].Instance.String() || a[i].ClientID != b[i].ClientID {
					t.Errorf("%q: Values round trip: %v, want %v", c.query, a, b)
				}
			}
		}
	}
}
