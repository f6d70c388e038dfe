package demo

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

const streamInfoDoc = `mutation($c: ID!, $t: String!){ updateStreamInfo(channelId: $c, title: $t){ id title status updatedAt } }`

func TestUpdateStreamInfoRules(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			clock := newClock()
			h := newHarness(t, Options{Now: clock.now})
			set := func(who, channel, title string) result {
				t.Helper()
				return tr.run(t, h, who, streamInfoDoc, map[string]any{"c": channel, "t": title})
			}
			// The stream_info scope, then the channel, then the policy:
			// the streamer or an admin, not a moderator.
			for _, who := range []string{"", "lurker", "ViewerVic", "MartaMod", "quiet"} {
				wantOneError(t, set(who, "6", "nope"), "unauthorized")
			}
			wantOneError(t, set("demo", "999", "nope"), "Channel not found")
			wantRaised(t, tr, set("demo", "six", "nope"), 404)
			wantOneError(t, set("", "999", "nope"), "unauthorized")

			before := h.inst.channelRes(h.inst.store.channelByID(6)).UpdatedAt().Format(naiveLayout)
			clock.advance(time.Minute)
			r := set("demo", "6", "A <b>new</b> title")
			now := testNow.Add(time.Minute).Format(naiveLayout)
			want := map[string]any{"id": "6", "title": "A <b>new</b> title", "status": "LIVE", "updatedAt": now}
			if got := at(t, r.body, "data", "updateStreamInfo"); !reflect.DeepEqual(got, want) || before == now {
				t.Errorf("update %v, want %v (updatedAt was %s)", got, want, before)
			}
			// The same title again: nothing changes, updatedAt stays.
			clock.advance(time.Minute)
			if got := at(t, set("demo", "6", "A <b>new</b> title").body, "data", "updateStreamInfo"); !reflect.DeepEqual(got, want) {
				t.Errorf("same title %v, want %v", got, want)
			}
			// An admin may; 250 characters pass, 251 do not.
			long := strings.Repeat("é", 250)
			if got := at(t, set("AdminAda", "6", long).body, "data", "updateStreamInfo", "title"); got != long {
				t.Errorf("250 characters: %v", got)
			}
			wantOneError(t, set("demo", "6", long+"x"), "title: should be at most 250 character(s)")
			// A blank title is cast to nil: the title is null.
			r = set("demo", "6", "")
			if got := at(t, r.body, "data", "updateStreamInfo"); got.(map[string]any)["title"] != nil {
				t.Errorf("blank title: %s", r.raw)
			}
			r = tr.run(t, h, "", `{ channel(id: 6){ title } }`, nil)
			if at(t, r.body, "data", "channel", "title") != nil {
				t.Errorf("blank title read back: %s", r.raw)
			}
			// The quiet channel's streamer may change theirs.
			if got := at(t, set("quiet", "7", "Chapter two").body, "data", "updateStreamInfo", "title"); got != "Chapter two" {
				t.Errorf("quiet's title %v", got)
			}
		})
	}
}

// Every change of a channel is pushed on channel(id) and on the firehose,
// as it was when it was made.
func TestChannelPushes(t *testing.T) {
	clock := newClock()
	h := newHarness(t, Options{Now: clock.now})
	w := h.dial(t, "vsn=2.0.0&client_id="+ClientID)
	w.join("1")
	doc := `subscription($c: ID){ channel(id: $c){ id title status updatedAt streamer{ username } } }`
	demoSub := w.subscribeDoc("1", "2", doc, map[string]any{"c": "6"})
	allSub := w.subscribeDoc("1", "3", `subscription{ channel{ id status } }`, nil)

	push := func(title, status string, at time.Time) map[string]any {
		return map[string]any{"channel": map[string]any{"id": "6", "title": title, "status": status,
			"updatedAt": at.Format(naiveLayout), "streamer": map[string]any{"username": "demo"}}}
	}
	clock.advance(time.Second)
	r := h.gql(t, "Bearer "+h.token(t, "demo"), streamInfoDoc, map[string]any{"c": "6", "t": "First"})
	if r.body["errors"] != nil {
		t.Fatal(r.raw)
	}
	t1 := clock.now()
	// Each push carries the channel as it was broadcast, however soon the
	// next change comes.
	clock.advance(time.Second)
	if err := h.inst.SetTitle("demo", "Second"); err != nil {
		t.Fatal(err)
	}
	t2 := clock.now()
	clock.advance(time.Second)
	if err := h.inst.EndStream("demo"); err != nil {
		t.Fatal(err)
	}
	t3 := clock.now()
	// Ending a stream that is over raises.
	if err := h.inst.EndStream("demo"); err == nil {
		t.Error("ended a stream twice")
	}
	clock.advance(time.Second)
	if err := h.inst.StartStream("demo"); err != nil {
		t.Fatal(err)
	}
	t4 := clock.now()
	// The same title again is pushed too, unchanged.
	clock.advance(time.Second)
	if err := h.inst.SetTitle("demo", "Second"); err != nil {
		t.Fatal(err)
	}
	// Another channel's changes reach only the firehose.
	if err := h.inst.StartStream("quiet"); err != nil {
		t.Fatal(err)
	}
	got := w.pushesWithin(500 * time.Millisecond)
	want := map[string][]map[string]any{
		demoSub: {push("First", "LIVE", t1), push("Second", "LIVE", t2), push("Second", "OFFLINE", t3),
			push("Second", "LIVE", t4), push("Second", "LIVE", t4)},
		allSub: {
			{"channel": map[string]any{"id": "6", "status": "LIVE"}}, {"channel": map[string]any{"id": "6", "status": "LIVE"}},
			{"channel": map[string]any{"id": "6", "status": "OFFLINE"}}, {"channel": map[string]any{"id": "6", "status": "LIVE"}},
			{"channel": map[string]any{"id": "6", "status": "LIVE"}}, {"channel": map[string]any{"id": "7", "status": "LIVE"}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pushes\n got %v\nwant %v", got, want)
	}
	// A refused update pushes nothing.
	h.gql(t, "Bearer "+h.token(t, "Noor"), streamInfoDoc, map[string]any{"c": "6", "t": "Hijacked"})
	if got := w.pushesWithin(300 * time.Millisecond); len(got) != 0 {
		t.Errorf("a refused update pushed %v", got)
	}
}

// simRecord is what the simulation did in demo, turn by turn.
type simRecord struct {
	h        *harness
	msgs     []*message // demo's, one a turn
	all      []*message // every channel's
	channels []channelSnap
	turnOf   func(time.Time) int // the turn at a time of the fake clock
}

// runSim drives n turns on a fake clock at opts.ChatRate (1 when 0),
// recording the messages and channel pushes.
func runSim(t *testing.T, opts Options, n int) simRecord {
	t.Helper()
	clock := newClock()
	if opts.ChatRate == 0 {
		opts.ChatRate = 1
	}
	opts.Now = clock.now
	step := time.Duration(float64(time.Second) / opts.ChatRate)
	h := newHarness(t, opts)
	chSub := h.inst.hub.subscribe(fieldChannel, nil)
	defer h.inst.hub.unsubscribe(chSub)
	fire := h.inst.hub.subscribe(fieldChat, nil)
	rec := simRecord{h: h}
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for v := range fire.ch {
			rec.all = append(rec.all, v.(*message))
		}
	}()
	rec.msgs, _ = driveChat(t, h, n, func() { clock.advance(step) })
	h.inst.hub.unsubscribe(fire)
	<-drained
	if fire.lagged {
		t.Fatal("the firehose fell behind")
	}
	rec.turnOf = func(at time.Time) int { return int(at.Sub(testNow) / time.Second) }
	for {
		select {
		case v := <-chSub.ch:
			rec.channels = append(rec.channels, v.(channelSnap))
			continue
		default:
		}
		break
	}
	return rec
}

// The simulation: a viewer follows about every 75 s, demo and cohost in
// turn, the first within 40 s, and in demo the announcement is that
// turn's line; cohost has a line every other turn; demo's stream ends
// after one to two minutes, for 20 to 40 s, with a new title halfway,
// then runs for 150 to 300 s.
func TestSimulatedEvents(t *testing.T) {
	const turns = 900
	rec := runSim(t, Options{Seed: 9}, turns)
	var follows []int
	var where []int
	fans := map[*user]bool{}
	perChannel := map[int]int{}
	for _, m := range rec.all {
		perChannel[m.channel.id]++
		if !m.followed {
			continue
		}
		if !m.user.fan || m.text != followText || fans[m.user] {
			t.Errorf("announcement %d by %s: %q", m.id, m.user.username, m.text)
		}
		fans[m.user] = true
		follows = append(follows, rec.turnOf(m.inserted))
		where = append(where, m.channel.id)
	}
	if len(follows) < turns/100 || follows[0] < firstFollow[0] || follows[0] > firstFollow[1]+1 {
		t.Fatalf("announcements at turns %v", follows)
	}
	for i := range follows {
		if want := []int{demoChannelID, cohostChannelID}[i%2]; where[i] != want {
			t.Errorf("announcement %d in channel %d, want %d (%v)", i, where[i], want, where)
		}
		if i == 0 {
			continue
		}
		if gap := follows[i] - follows[i-1]; gap < followGap[0] || gap > followGap[1]+1 {
			t.Errorf("announcements %d turns apart (%v)", gap, follows)
		}
	}
	t.Logf("announcements at turns %v in channels %v", follows, where)
	if perChannel[demoChannelID] != turns || perChannel[cohostChannelID] != turns/2+len(follows)/2 || len(perChannel) != 2+len(squad) {
		t.Errorf("messages per channel %v in %d turns, %d announcements", perChannel, turns, len(follows))
	}
	for i := range squad {
		if n := perChannel[squadFirstChannelID+i]; n != turns/2/len(squad) {
			t.Errorf("%d messages in %s in %d turns, want one every %d turns", n, squad[i], turns, 2*len(squad))
		}
	}

	// The channel pushes: end, title, start, end, ...
	var events []string
	var ends, starts, titles []int
	live := true
	title := demoTitles[0]
	for _, c := range rec.channels {
		turn := rec.turnOf(c.updated)
		switch {
		case c.live != live:
			live = c.live
			if live {
				starts = append(starts, turn)
				events = append(events, "start")
			} else {
				ends = append(ends, turn)
				events = append(events, "end")
			}
		case *c.title != title:
			title = *c.title
			titles = append(titles, turn)
			events = append(events, "title:"+title)
			if live {
				t.Errorf("title changed while live at turn %d", turn)
			}
		default:
			t.Errorf("a push that changed nothing at turn %d", turn)
		}
	}
	t.Logf("channel events %v at ends %v, titles %v, starts %v", events, ends, titles, starts)
	if len(ends) < 3 || len(starts) < 2 || len(titles) < 2 || ends[0] < firstEnd[0] || ends[0] > firstEnd[1]+1 {
		t.Fatalf("ends %v, titles %v, starts %v", ends, titles, starts)
	}
	for i, s := range starts {
		if off := s - ends[i]; off < offSpell[0] || off > offSpell[1]+1 {
			t.Errorf("offline for %d turns", off)
		}
		if i+1 < len(ends) {
			if on := ends[i+1] - s; on < liveSpell[0] || on > liveSpell[1]+1 {
				t.Errorf("live for %d turns", on)
			}
		}
		if titles[i] <= ends[i] || titles[i] >= s {
			t.Errorf("title at turn %d, not within the offline spell %d..%d", titles[i], ends[i], s)
		}
	}
	if events[1] != "title:"+demoTitles[1] {
		t.Errorf("the first change after the end is %q, want the title %q", events[1], demoTitles[1])
	}

	// The same seed, the same events.
	again := runSim(t, Options{Seed: 9}, turns)
	if len(again.channels) != len(rec.channels) || len(again.msgs) != len(rec.msgs) {
		t.Fatalf("same seed: %d pushes and %d messages, then %d and %d", len(rec.channels), len(rec.msgs), len(again.channels), len(again.msgs))
	}
	for i := range rec.msgs {
		if again.msgs[i].user != rec.msgs[i].user && again.msgs[i].user.username != rec.msgs[i].user.username {
			t.Fatalf("turn %d differs with the same seed", i)
		}
	}
}

// The simulated followers come round: after two laps of them, eleven
// hours or so, each follows the same channel again, unfollowing first,
// and the six hours since its last announcement there have passed, so
// every follow is announced.
func TestSimulatedFansComeRound(t *testing.T) {
	rec := runSim(t, Options{Seed: 4, ChatRate: 0.1}, 4300)
	follows := rec.h.inst.sim.fanNext
	if follows < 2*len(rec.h.inst.sim.fans)+10 {
		t.Fatalf("%d follows: not two laps of %d fans", follows, len(rec.h.inst.sim.fans))
	}
	var announced int
	for _, m := range rec.all {
		if m.followed {
			announced++
		}
	}
	if announced != follows {
		t.Errorf("%d follows, %d announced", follows, announced)
	}
}

// ChatOnly keeps chat and the spammer, and nothing else.
func TestChatOnly(t *testing.T) {
	rec := runSim(t, Options{Seed: 9, ChatOnly: true}, 600)
	if len(rec.channels) != 0 {
		t.Errorf("%d channel pushes", len(rec.channels))
	}
	var spam int
	for _, m := range rec.msgs {
		if m.followed || m.user.fan {
			t.Errorf("announcement %d by %s", m.id, m.user.username)
		}
		if m.user.username == spammerName {
			spam++
		}
	}
	if spam == 0 {
		t.Error("no spam in 600 turns")
	}
	logs, _ := snapshot(rec.h.inst.store, &rec.h.inst.store.channelByID(6).modLogs)
	for _, l := range logs {
		if l.action == "delete_message" {
			t.Errorf("a delete by %s", l.moderator.username)
		}
	}
	// Without ChatOnly the same seed deletes within those turns.
	full := runSim(t, Options{Seed: 9}, 600)
	logs, _ = snapshot(full.h.inst.store, &full.h.inst.store.channelByID(6).modLogs)
	var deletes int
	for _, l := range logs {
		if l.action == "delete_message" {
			deletes++
		}
	}
	if deletes == 0 {
		t.Error("no delete without ChatOnly either: the test proves nothing")
	}
}
