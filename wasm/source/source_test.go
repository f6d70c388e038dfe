package source

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/moderation"
	"github.com/glimchat/glimchat/wasm/phoenix/phoenixtest"
)

// instance answers each GraphQL request with the next of its answers: a
// body, or an error for a connection that fails.
type instance struct {
	mu      sync.Mutex
	answers []any
	queries []string
}

func (in *instance) RoundTrip(req *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(req.Body)
	in.mu.Lock()
	defer in.mu.Unlock()
	in.queries = append(in.queries, string(b))
	a := in.answers[min(len(in.queries), len(in.answers))-1]
	if err, ok := a.(error); ok {
		return nil, err
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(a.(string))), Request: req}, nil
}

func (in *instance) sent() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]string(nil), in.queries...)
}

func newSource(t *testing.T, in *instance, o Options) *Source {
	t.Helper()
	base, _ := url.Parse("https://glimesh.example")
	c, err := glimesh.NewClient(base, &http.Client{Transport: in}, glimesh.Auth{ClientID: "c"})
	if err != nil {
		t.Fatal(err)
	}
	o.Client, o.Channel = c, "demo"
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const startAnswer = `{"data":{"channel":{"id":"6","chatMessages":{"edges":[
	{"node":{"id":"10","message":"kept","insertedAt":"2026-01-01T00:00:00","updatedAt":"2026-01-01T00:00:00","user":{"id":"7","username":"u"}}},
	{"node":{"id":"11","message":"deleted","insertedAt":"2026-01-01T00:00:00","updatedAt":"2026-01-01T00:00:04","user":{"id":"7","username":"u"}}}]},
	"moderationLogs":{"edges":[{"node":{"id":"3","action":"delete_message","insertedAt":"2026-01-01T00:00:04","user":{"id":"7"}}}]},
	"bans":{"edges":[]}}}}`

// An instance that cannot be reached yet is retried, and the page is told
// of each failure; the first answer opens the channel.
func TestOpenRetriesAnUnreachableInstance(t *testing.T) {
	clock := phoenixtest.NewClock()
	in := &instance{answers: []any{errors.New("connection refused"), startAnswer}}
	s := newSource(t, in, Options{History: 5, Limit: 10, ModPoll: time.Second, Clock: clock})
	var failures []error
	done := make(chan struct{})
	var first glimesh.Start
	var err error
	go func() {
		defer close(done)
		first, err = s.Open(context.Background(), func(err error) { failures = append(failures, err) })
	}()
	if !clock.WaitFor(2 * time.Second) {
		t.Fatal("no retry was scheduled after the failure")
	}
	clock.Advance(2 * time.Second)
	<-done
	if err != nil || s.ChannelID() != "6" || len(first.Messages) != 2 {
		t.Fatalf("Open = %+v, %v; channel %q", first, err, s.ChannelID())
	}
	var ne *glimesh.NetworkError
	if len(failures) != 1 || !errors.As(failures[0], &ne) {
		t.Errorf("failures told = %v, want the one network error", failures)
	}
	if q := in.sent(); len(q) != 2 || !strings.Contains(q[1], "moderationLogs") {
		t.Errorf("queries = %q, want two start queries with the moderation", q)
	}
}

// An unknown channel will not appear by itself: no retry.
func TestOpenStopsOnAnUnknownChannel(t *testing.T) {
	in := &instance{answers: []any{`{"data":{"channel":null}}`}}
	s := newSource(t, in, Options{})
	calls := 0
	_, err := s.Open(context.Background(), func(error) { calls++ })
	var nf *glimesh.NotFoundError
	if !errors.As(err, &nf) || calls != 1 || len(in.sent()) != 1 {
		t.Errorf("err = %v after %d failures told and %d queries, want one NotFoundError", err, calls, len(in.sent()))
	}
}

// Begin hands the screen the start's moderation before the page shows its
// history, so a message deleted before the page opened never shows.
func TestBeginModeratesTheHistoryFirst(t *testing.T) {
	in := &instance{answers: []any{startAnswer}}
	s := newSource(t, in, Options{History: 5, Limit: 10, ModPoll: time.Second, Clock: phoenixtest.NewClock()})
	first, err := s.Open(context.Background(), func(error) {})
	if err != nil {
		t.Fatal(err)
	}
	scr := moderation.New(moderation.Options{Limit: 10, Clock: phoenixtest.NewClock()})
	if _, err := s.Moderate(func(step moderation.Step) { step(scr) }); err != nil {
		t.Fatal(err)
	}
	scr.Add(s.Begin(context.Background(), first), true)
	got := scr.Messages()
	if len(got) != 1 || got[0].ID != "10" {
		t.Errorf("first paint = %+v, want message 10 alone", got)
	}
}

// Run needs Begin first: the backfill's floor is what the start showed.
func TestRunBeforeBegin(t *testing.T) {
	s := newSource(t, &instance{answers: []any{startAnswer}}, Options{})
	if err := s.Run(context.Background(), Sinks{Messages: func([]glimesh.Message) {}}); err == nil {
		t.Error("Run before Begin did not fail")
	}
}
