package phoenixtest

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// Entry is one state report: the state and the error that came with it.
type Entry[S comparable] struct {
	State S
	Err   error
}

func (e Entry[S]) String() string {
	if e.Err != nil {
		return fmt.Sprintf("%v (%v)", e.State, e.Err)
	}
	return fmt.Sprint(e.State)
}

// StateLog records state reports so that a test can wait for them. Its
// Record method is the callback: hand it to phoenix.Socket.Watch or to any
// other func(S, error) hook. The zero value is ready to use; a StateLog
// must not be copied once used.
type StateLog[S comparable] struct {
	mu      sync.Mutex
	entries []Entry[S]    // reports not yet taken by Wait or Next
	changed chan struct{} // closed by the next Record; nil if nobody waits
}

// Record appends a report and wakes any waiter.
func (l *StateLog[S]) Record(st S, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, Entry[S]{st, err})
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
}

// Wait takes reports, oldest first, until one is in state want, and returns
// that one. It fails the test if none comes within Guard.
func (l *StateLog[S]) Wait(t testing.TB, want S) Entry[S] {
	t.Helper()
	var skipped []Entry[S]
	e, ok := l.take(func(e Entry[S]) bool {
		if e.State == want {
			return true
		}
		skipped = append(skipped, e)
		return false
	})
	if !ok {
		t.Fatalf("phoenixtest: state %v never reported; got %v", want, skipped)
	}
	return e
}

// Next takes the oldest report, whatever its state. It fails the test if
// none comes within Guard.
func (l *StateLog[S]) Next(t testing.TB) Entry[S] {
	t.Helper()
	e, ok := l.take(func(Entry[S]) bool { return true })
	if !ok {
		t.Fatal("phoenixtest: no state reported")
	}
	return e
}

// take removes reports, oldest first, until done accepts one, and returns
// it; ok is false if Guard passes first.
func (l *StateLog[S]) take(done func(Entry[S]) bool) (e Entry[S], ok bool) {
	deadline := time.After(Guard)
	for {
		l.mu.Lock()
		for len(l.entries) > 0 {
			e, l.entries = l.entries[0], l.entries[1:]
			if done(e) {
				l.mu.Unlock()
				return e, true
			}
		}
		if l.changed == nil {
			l.changed = make(chan struct{})
		}
		changed := l.changed
		l.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			return Entry[S]{}, false
		}
	}
}
