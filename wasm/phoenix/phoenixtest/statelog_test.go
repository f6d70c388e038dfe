package phoenixtest

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestStateLogWaitAndNext(t *testing.T) {
	var l StateLog[string]
	boom := errors.New("boom")
	l.Record("connecting", nil)
	l.Record("reconnecting", boom)
	l.Record("live", nil)
	if e := l.Wait(t, "reconnecting"); e.Err != boom {
		t.Errorf("Wait = %v, want the error that came with it", e)
	}
	if e := l.Next(t); e.State != "live" {
		t.Errorf("Next = %v, want the report after the one waited for", e)
	}
	go func() {
		time.Sleep(time.Millisecond)
		l.Record("offline", nil)
	}()
	if e := l.Wait(t, "offline"); e.State != "offline" || e.Err != nil {
		t.Errorf("Wait for a later report = %v", e)
	}
}

// fatalTB stands in for a test that fails: Fatal ends the calling goroutine.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatal(args ...any) { f.msg = fmt.Sprint(args...); runtime.Goexit() }

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestStateLogFailsWithinGuard(t *testing.T) {
	defer func(g time.Duration) { Guard = g }(Guard)
	Guard = 10 * time.Millisecond
	for _, tt := range []struct {
		name string
		call func(*StateLog[int], testing.TB)
	}{
		{"Wait", func(l *StateLog[int], tb testing.TB) { l.Record(1, nil); l.Wait(tb, 2) }},
		{"Next", func(l *StateLog[int], tb testing.TB) { l.Next(tb) }},
	} {
		tb := &fatalTB{TB: t}
		var l StateLog[int]
		done := make(chan struct{})
		go func() {
			defer close(done)
			tt.call(&l, tb)
		}()
		<-done
		if tb.msg == "" {
			t.Errorf("%s returned without failing", tt.name)
		}
		if tt.name == "Wait" && !strings.Contains(tb.msg, "got [1]") {
			t.Errorf("Wait failed with %q; want the reports it skipped", tb.msg)
		}
	}
}
