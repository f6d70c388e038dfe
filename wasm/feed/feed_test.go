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

// dom replays Changes the way the page does, so tests check that the edit
// script really produces the model's list.
type dom struct{ ids []string }

func (d *dom) apply(t *testing.T, c Change) {
	t.Helper()
	for _, id := range c.Remove {
		i := slices.Index(d.ids, id)
		if i < 0 {
			t.Fatalf("remove of %s, not in the DOM %v", id, d.ids)
		}
		d.ids = slices.Delete(d.ids, i, i+1)
	}
	for _, ins := range c.Insert {
		if len(ins.Msgs) == 0 {
			t.Fatalf("empty insertion")
		}
		at := len(d.ids)
		if ins.Before != "" {
			at = slices.Index(d.ids, ins.Before)
			if at < 0 {
				t.Fatalf("insert before %s, not in the DOM %v", ins.Before, d.ids)
			}
		}
		for _, x := range ins.Msgs {
			if slices.Contains(d.ids, x.ID) {
				t.Fatalf("%s inserted twice", x.ID)
			}
		}
		d.ids = slices.Insert(d.ids, at, ids(ins.Msgs)...)
	}
}

func check(t *testing.T, f *Feed, d *dom, want ...int) {
	t.Helper()
	got := ids(f.Messages())
	if !slices.Equal(got, d.ids) {
		t.Fatalf("model %v, DOM %v", got, d.ids)
	}
	if want != nil && !slices.Equal(got, ids(ms(want...))) {
		t.Fatalf("shown %v, want %v", got, want)
	}
}

func TestDeduplicate(t *testing.T) {
	f, d := New(10), &dom{}
	d.apply(t, f.Add(ms(1, 2)...))
	c := f.Add(ms(2, 1)...)
	if !c.Empty() || c.Duplicate != 2 {
		t.Fatalf("repeat: %+v", c)
	}
	c = f.Add(ms(3, 3, 3)...)
	d.apply(t, c)
	if c.Duplicate != 2 || len(c.Insert) != 1 || len(c.Insert[0].Msgs) != 1 {
		t.Fatalf("repeat within a batch: %+v", c)
	}
	check(t, f, d, 1, 2, 3)
	if !f.Seen("2") || f.Seen("4") {
		t.Error("Seen")
	}
}

func TestOutOfOrderArrival(t *testing.T) {
	f, d := New(10), &dom{}
	for _, id := range []int{5, 3, 9, 4, 10, 1} {
		d.apply(t, f.Add(m(id)))
	}
	check(t, f, d, 1, 3, 4, 5, 9, 10)
	// Numeric, not lexical, order: "10" > "9".
	if f.Newest() != "10" {
		t.Errorf("Newest = %s", f.Newest())
	}
}

func TestBackfillMerge(t *testing.T) {
	f, d := New(10), &dom{}
	d.apply(t, f.Add(ms(10, 12, 14)...))
	c := f.Add(ms(15, 9, 10, 11, 12, 13, 14)...)
	d.apply(t, c)
	want := []Insertion{{Before: "10", Msgs: ms(9)}, {Before: "12", Msgs: ms(11)}, {Before: "14", Msgs: ms(13)}, {Msgs: ms(15)}}
	if len(c.Insert) != len(want) || c.Duplicate != 3 || len(c.Remove) != 0 {
		t.Fatalf("change %+v", c)
	}
	for i := range want {
		if c.Insert[i].Before != want[i].Before || !slices.Equal(ids(c.Insert[i].Msgs), ids(want[i].Msgs)) {
			t.Errorf("insertion %d: %+v, want %+v", i, c.Insert[i], want[i])
		}
	}
	check(t, f, d, 9, 10, 11, 12, 13, 14, 15)
}

func TestPruning(t *testing.T) {
	f, d := New(3), &dom{}
	d.apply(t, f.Add(ms(1, 2, 3)...))
	c := f.Add(ms(4, 5)...)
	d.apply(t, c)
	if !slices.Equal(c.Remove, []string{"1", "2"}) {
		t.Fatalf("remove %v", c.Remove)
	}
	check(t, f, d, 3, 4, 5)

	// Full list: a message older than everything shown is dropped.
	c = f.Add(m(2))
	if !c.Empty() || c.Dropped+c.Duplicate != 1 {
		t.Fatalf("old message: %+v", c)
	}
	c = f.Add(ms(0, 1)...)
	if !c.Empty() || c.Dropped != 1 || c.Duplicate != 1 { // 0 is too old, 1 was seen
		t.Fatalf("older than everything: %+v", c)
	}
	// A mixed backfill keeps the newest three.
	c = f.Add(ms(2, 6, 7)...)
	d.apply(t, c)
	check(t, f, d, 5, 6, 7)
	// A batch larger than the limit keeps only its newest.
	c = f.Add(ms(20, 8, 21, 22, 23)...)
	d.apply(t, c)
	check(t, f, d, 21, 22, 23)
	if c.Dropped != 2 {
		t.Errorf("dropped %d, want 2 (8 and 20)", c.Dropped)
	}
}

func TestInvalidIDsDropped(t *testing.T) {
	f := New(5)
	c := f.Add(glimesh.Message{ID: ""}, glimesh.Message{ID: "x1"}, glimesh.Message{ID: "01"}, m(1))
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
// DOM replay equals the model, which equals the newest limit distinct ids
// ever added, and that memory stays within its bounds.
func TestModelProperty(t *testing.T) {
	for _, limit := range []int{1, 7, 50} {
		rng := rand.New(rand.NewPCG(1, uint64(limit)))
		f, d := New(limit), &dom{}
		var top []int // the newest limit distinct ids added so far
		add := func(batch []int) {
			for _, id := range batch {
				if !slices.Contains(top, id) {
					top = append(top, id)
				}
			}
			slices.Sort(top)
			top = top[max(0, len(top)-limit):]
		}
		next := 1
		for step := range 3000 {
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
				batch = append(batch, next+2, next)
				d.apply(t, f.Add(ms(batch...)...))
				add(batch)
				batch = []int{next + 1}
				next += 3
			}
			d.apply(t, f.Add(ms(batch...)...))
			add(batch)
			check(t, f, d, top...)
			if len(f.index) != f.Len() || f.seen.len() > max(4*limit, 256) || cap(f.shown) > 4*limit+16 {
				t.Fatalf("step %d: index %d, seen %d, cap %d for limit %d", step, len(f.index), f.seen.len(), cap(f.shown), limit)
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
	if f.Len() != 100 || len(f.index) != 100 || f.seen.len() != 400 || cap(f.shown) > 400 {
		t.Fatalf("len %d, index %d, seen %d, cap %d", f.Len(), len(f.index), f.seen.len(), cap(f.shown))
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
	f, d := New(2), &dom{}
	d.apply(t, f.Add(ms(100000, 200000)...))
	for id := 100001; id <= 100001+2*256; id++ {
		d.apply(t, f.Add(m(id)))
	}
	if f.seen.has("200000") {
		t.Fatal("test setup: 200000 should have left the ring")
	}
	c := f.Add(m(200000))
	d.apply(t, c)
	if !c.Empty() || c.Duplicate != 1 {
		t.Fatalf("repeat of a shown message: %+v", c)
	}
	check(t, f, d, 100001+2*256, 200000)
}
