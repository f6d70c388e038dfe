package dom

// Edits turn the list of shown items into the wanted one. Removals are
// child indexes in descending order, so each stays valid while they are
// applied in turn; inserts come after, in order.
type Edits struct {
	Remove []int
	Insert []Insert
}

// Insert puts HTML, N items, before the child at index At, or appends when
// At is -1. At is the child's index at the moment this insert is applied.
type Insert struct {
	At   int
	HTML string
	N    int
}

// Plan computes the edits from the shown ids to want (both in display
// order), rendering only the items that are new. It is a merge walk, so a
// frame costs O(len(shown)+len(want)) however many updates it covers, and
// indexes are used instead of ids so that no hostile id reaches a selector.
func Plan(shown, want []string, render func(i int) string) Edits {
	keep := make(map[string]bool, len(want))
	for _, id := range want {
		keep[id] = true
	}
	var e Edits
	kept := make([]string, 0, len(shown))
	for i := len(shown) - 1; i >= 0; i-- {
		if !keep[shown[i]] {
			e.Remove = append(e.Remove, i)
		}
	}
	for _, id := range shown {
		if keep[id] {
			kept = append(kept, id)
		}
	}
	// Consecutive new items before the same anchor become one HTML string.
	var batch []byte
	n := 0 // items in batch
	k := 0
	for i, id := range want {
		if k < len(kept) && kept[k] == id {
			if n > 0 {
				e.Insert = append(e.Insert, Insert{At: i - n, HTML: string(batch), N: n})
				batch, n = batch[:0], 0
			}
			k++
			continue
		}
		batch = append(batch, render(i)...)
		n++
	}
	if n > 0 {
		e.Insert = append(e.Insert, Insert{At: -1, HTML: string(batch), N: n})
	}
	return e
}

// Run is the children First through Last (indexes, First <= Last).
type Run struct{ First, Last int }

// Runs groups removal indexes, given in descending order as Plan returns
// them, into runs of adjacent children, last run first, so that each run
// can go in one DOM call and the indexes of the runs still to go stay
// valid. A flood prunes the oldest lines: one run per frame.
func Runs(desc []int) []Run {
	var runs []Run
	for _, i := range desc {
		if n := len(runs); n > 0 && runs[n-1].First == i+1 {
			runs[n-1].First = i
			continue
		}
		runs = append(runs, Run{First: i, Last: i})
	}
	return runs
}
