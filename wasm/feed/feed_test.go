package feed

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/glimchat/glimchat/wasm/glimesh"
)

func m(id int) glimesh.Message {
	return glimesh.Message{ID: strconv.Itoa(id), Text: "m" + strconv.Itoa(id)}
}

func ms(ids ...int) []glimesh.Message {
	out := make([]glimesh.Message, len(ids))
	for i, id := range ids {
		out[i] = m(id)
	}
	return out
}

func ids(msgs []glimesh.Message) []string {
	out := make([]string, len(msgs))
	for i, x := range msgs {
		out[i] = x.ID
	}
	return out
}

// check fails unless the feed shows exactly want, oldest first.
func check(t *testing.T, f *Feed, want ...int) {
	t.Helper()
	if got := ids(f.Messages()); !slices.Equal(got, ids(ms(want...))) {
		t.Fatalf("shown %v, want %v", got, want)
	}
}

// add runs f.Add(batch) and checks what every Add must do whatever the
// batch: each message is counted once, the counts match the list's change,
// and the list stays ascending, distinct and within the limit.
func add(t *testing.T, f *Feed, batch ...glimesh.Message) Change {
	t.Helper()
	before := ids(f.Messages())
	c := f.Add(batch...)
	after := ids(f.Messages())
	if n := c.Added + c.Duplicate + c.Dropped; n != len(batch) {
		t.Fatalf("%+v accounts for %d of %d messages", c, n, len(batch))
	}
	if len(after) != len(before)+c.Added-c.Pruned || c.Empty() != slices.Equal(before, after) {
		t.Fatalf("%+v, but the list went from %v to %v", c, before, after)
	}
	if len(after) > f.Limit() {
		t.Fatalf("%d shown, limit %d", len(after), f.Limit())
	}
	for i := 1; i < len(after); i++ {
		if glimesh.CompareIDs(after[i-1], after[i]) >= 0 {
			t.Fatalf("not in strictly ascending id order: %v", after)
		}
	}
	return c
}

func TestDeduplicate(t *testing.T) {
	f := New(10)
	add(t, f, ms(1, 2)...)
	if c := add(t, f, ms(2, 1)...); !c.Empty() || c.Duplicate != 2 {
		t.Fatalf("repeat: %+v", c)
	}
	if c := add(t, f, ms(3, 3, 3)...); c.Duplicate != 2 || c.Added != 1 {
		t.Fatalf("repeat within a batch: %+v", c)
	}
	check(t, f, 1, 2, 3)
	if !f.known("2") || f.known("4") {
		t.Error("known")
	}
}

func TestOutOfOrderArrival(t *testing.T) {
	f := New(10)
	for _, id := range []int{5, 3, 9, 4, 10, 1} {
		add(t, f, m(id))
	}
	check(t, f, 1, 3, 4, 5, 9, 10)
	// Numeric, not lexical, order: "10" > "9".
	if f.Newest() != "10" {
		t.Errorf("Newest = %s", f.Newest())
	}
}

func TestBackfillMerge(t *testing.T) {
	f := New(10)
	add(t, f, ms(10, 12, 14)...)
	c := add(t, f, ms(15, 9, 10, 11, 12, 13, 14)...)
	if c != (Change{Added: 4, Duplicate: 3}) {
		t.Fatalf("change %+v", c)
	}
	check(t, f, 9, 10, 11, 12, 13, 14, 15)
}

func TestPruning(t *testing.T) {
	f := New(3)
	add(t, f, ms(1, 2, 3)...)
	if c := add(t, f, ms(4, 5)...); c != (Change{Added: 2, Pruned: 2}) {
		t.Fatalf("prune: %+v", c)
	}
	check(t, f, 3, 4, 5)

	// Full list: a message older than everything shown is dropped.
	if c := add(t, f, m(2)); !c.Empty() || c.Dropped+c.Duplicate != 1 {
		t.Fatalf("old message: %+v", c)
	}
	if c := add(t, f, ms(0, 1)...); !c.Empty() || c.Dropped != 1 || c.Duplicate != 1 { // 0 is too old, 1 was seen
		t.Fatalf("older than everything: %+v", c)
	}
	// A mixed backfill keeps the newest three.
	add(t, f, ms(2, 6, 7)...)
	check(t, f, 5, 6, 7)
	// A batch larger than the limit keeps only its newest.
	if c := add(t, f, ms(20, 8, 21, 22, 23)...); c.Dropped != 2 {
		t.Errorf("dropped %d, want 2 (8 and 20)", c.Dropped)
	}
	check(t, f, 21, 22, 23)
}

func TestInvalidIDsDropped(t *testing.T) {
	f := New(5)
	c := add(t, f, glimesh.Message{ID: ""}, glimesh.Message{ID: "x1"}, glimesh.Message{ID: "01"}, m(1))
	if c.Dropped != 3 || f.Len() != 1 {
		t.Fatalf("%+v, len %d", c, f.Len())
	}
}

func TestLimitClamped(t *testing.T) {
	if New(0).Limit() != 1 || New(1<<20).Limit() != MaxLimit {
		t.Error("limit not clamped")
	}
}

// TestModelProperty feeds random batches (live pushes, overlapping
// backfills, repeats, reversed order) and checks after every Add that the
// list is the newest limit distinct ids ever added, that add's invariants
// hold, and that memory stays within its bounds.
func TestModelProperty(t *testing.T) {
	for _, limit := range []int{1, 7, 50} {
		rng := rand.New(rand.NewPCG(1, uint64(limit)))
		f := New(limit)
		var top []int // the newest limit distinct ids added so far
		step := func(batch ...int) {
			t.Helper()
			add(t, f, ms(batch...)...)
			for _, id := range batch {
				if !slices.Contains(top, id) {
					top = append(top, id)
				}
			}
			slices.Sort(top)
			top = top[max(0, len(top)-limit):]
			check(t, f, top...)
		}
		next := 1
		for i := range 3000 {
			var batch []int
			switch rng.IntN(4) {
			case 0, 1: // live: the next few messages, sometimes out of order
				for range 1 + rng.IntN(3) {
					batch = append(batch, next)
					next++
				}
				if rng.IntN(2) == 0 {
					slices.Reverse(batch)
				}
			case 2: // backfill: the last n ids, overlapping what is shown
				for id := max(1, next-1-rng.IntN(2*limit+5)); id < next; id++ {
					batch = append(batch, id)
				}
				rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
			case 3: // a gap filled later: skip ids, then send them
				step(next+2, next)
				batch = []int{next + 1}
				next += 3
			}
			step(batch...)
			if len(f.index) != f.Len() || f.seen.Len() > max(4*limit, 256) || cap(f.shown) > 4*limit+16 {
				t.Fatalf("step %d: index %d, seen %d, cap %d for limit %d", i, len(f.index), f.seen.Len(), cap(f.shown), limit)
			}
		}
	}
}

// TestBoundedMemory runs far more distinct messages through a small feed
// than its id memory holds (an 8-hour stream in miniature).
func TestBoundedMemory(t *testing.T) {
	f := New(100)
	for id := 1; id <= 200000; id++ {
		f.Add(m(id))
	}
	if f.Len() != 100 || len(f.index) != 100 || f.seen.Len() != 400 || cap(f.shown) > 400 {
		t.Fatalf("len %d, index %d, seen %d, cap %d", f.Len(), len(f.index), f.seen.Len(), cap(f.shown))
	}
	if f.Newest() != "200000" || f.Messages()[0].ID != "199901" {
		t.Fatalf("window %s..%s", f.Messages()[0].ID, f.Newest())
	}
}

func BenchmarkAddLive(b *testing.B) {
	f := New(100)
	id := 1
	b.ReportAllocs()
	for b.Loop() {
		f.Add(m(id))
		id++
	}
}

// BenchmarkHistoryThenBackfill loads 100 messages of history, then merges
// a 50-message backfill that overlaps 40 of them.
func BenchmarkHistoryThenBackfill(b *testing.B) {
	history, backfill := ms(slicesRange(1, 101)...), ms(slicesRange(61, 111)...)
	b.ReportAllocs()
	for b.Loop() {
		f := New(100)
		f.Add(history...)
		f.Add(backfill...)
	}
}

func slicesRange(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

// TestShownIDOutlivesRing: a shown message can age out of the bounded id
// ring while still on screen (many later, lower ids came and went around
// it); a repeat of it must still be recognised.
func TestShownIDOutlivesRing(t *testing.T) {
	f := New(2)
	add(t, f, ms(100000, 200000)...)
	for id := 100001; id <= 100001+2*256; id++ {
		add(t, f, m(id))
	}
	if f.seen.Has("200000") {
		t.Fatal("test setup: 200000 should have left the ring")
	}
	if c := add(t, f, m(200000)); !c.Empty() || c.Duplicate != 1 {
		t.Fatalf("repeat of a shown message: %+v", c)
	}
	check(t, f, 100001+2*256, 200000)
}

// Removed messages leave the list, free their place for newer ones, and
// do not come back when a backfill brings them again.
func TestRemove(t *testing.T) {
	f := New(4)
	add(t, f, ms(1, 2, 3, 4)...)
	odd := func(x glimesh.Message) bool { n, _ := strconv.Atoi(x.ID); return n%2 == 1 }
	if n := f.Remove(odd); n != 2 {
		t.Fatalf("Remove took %d, want 2", n)
	}
	check(t, f, 2, 4)
	if n := f.Remove(odd); n != 0 {
		t.Errorf("a second Remove took %d", n)
	}
	if c := add(t, f, ms(1, 2, 3, 4, 5)...); c.Added != 1 || c.Duplicate != 4 {
		t.Errorf("backfill after Remove: %+v, want only 5 added", c)
	}
	check(t, f, 2, 4, 5)
	if len(f.index) != f.Len() {
		t.Errorf("index holds %d ids for %d shown", len(f.index), f.Len())
	}
}

func statusLine(after string, seq int) glimesh.Message {
	return glimesh.Message{Kind: glimesh.Status, Stream: &glimesh.StreamChange{Change: glimesh.WentLive, After: after, Seq: seq}}
}

func keys(msgs []glimesh.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Key()
	}
	return out
}

// A Status line stands right after the message it came after: messages
// with later ids follow it, and limit prunes it with the rest.
func TestStatusLinesTakeTheirPlace(t *testing.T) {
	f := New(4)
	f.Add(m(1), m(2))
	if c := f.Add(statusLine("2", 1)); c.Added != 1 {
		t.Fatalf("the status line was not added: %+v", c)
	}
	f.Add(m(4), m(3))
	if got, want := keys(f.Messages()), []string{"2", "status-1", "3", "4"}; !slices.Equal(got, want) {
		t.Errorf("list %v, want %v", got, want)
	}
	if c := f.Add(statusLine("2", 1)); c.Duplicate != 1 {
		t.Errorf("the same status line again: %+v, want a duplicate", c)
	}
	f.Add(m(5), m(6), m(7))
	if got, want := keys(f.Messages()), []string{"4", "5", "6", "7"}; !slices.Equal(got, want) {
		t.Errorf("after more messages %v, want %v (the status line pruned)", got, want)
	}
	if c := f.Add(statusLine("x", 2)); c.Dropped != 1 {
		t.Errorf("a status line after a bad id: %+v, want dropped", c)
	}
}
