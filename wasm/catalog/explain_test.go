package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/glimchat/glimchat/wasm/glimesh"
	"github.com/glimchat/glimchat/wasm/phoenix"
)

func TestExplain(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{glimesh.ErrNoCredentials, "client_id="},
		{context.DeadlineExceeded, "too long"},
		{fmt.Errorf("x: %w", context.Canceled), "cancelled"},
		{fmt.Errorf("history: %w", glimesh.ErrChannelNotFound), "does not exist"},
		{fmt.Errorf("look up: %w", &glimesh.NotFoundError{Channel: "nobody"}), `"nobody"`},
		{&glimesh.NotFoundError{Channel: "a\u202eb"}, `"ab"`},
		{glimesh.ErrEmptyMessage, "Type a message"},
		{glimesh.ErrNoMessage, "cannot read"},
		{&glimesh.DecodeError{Err: errors.New("bad")}, "cannot read"},
		{&glimesh.NetworkError{Err: errors.New("TypeError: Failed to fetch")}, "transport=socket"},
		{&glimesh.NetworkError{Err: errors.New("TypeError: Failed to fetch")}, "-upstream"},

		{&glimesh.GraphQLError{}, "reported an error"},
		{&glimesh.GraphQLError{Messages: []string{"Could not find resource"}}, "Not found"},
		{&glimesh.GraphQLError{Messages: []string{"message: can't be blank"}}, "Type a message"},
		{&glimesh.GraphQLError{Messages: []string{"unauthorized"}}, "not allowed to chat"},
		{&glimesh.GraphQLError{Messages: []string{"This channel has links disabled!"}}, "does not allow links"},
		{&glimesh.GraphQLError{Messages: []string{"message: should be at most 255 character(s)"}}, "too long: 255 characters"},
		{&glimesh.GraphQLError{Messages: []string{"You are permanently banned from this channel."}}, "You are permanently banned from this channel."},
		{&glimesh.GraphQLError{Messages: []string{"You are banned from this channel for 4 more minutes."}}, "You are banned from this channel for 4 more minutes."},
		{&glimesh.GraphQLError{Messages: []string{"You must confirm your email address before chatting."}}, "confirm your email"},
		{&glimesh.GraphQLError{Messages: []string{"Something odd \u202e<b>", "second"}}, "The Glimesh instance said: Something odd <b>"},

		{&glimesh.HTTPError{Status: 401, Message: "You must be logged in to access the api"}, "needs a client_id"},
		{&glimesh.HTTPError{Status: 401, HeaderError: "invalid_access_token", Bearer: true}, "expired or was revoked"},
		{&glimesh.HTTPError{Status: 401, Bearer: true}, "did not accept your sign-in"},
		{&glimesh.HTTPError{Status: 500}, "refused the client_id"},
		{&glimesh.HTTPError{Status: 503, Bearer: true}, "HTTP 503"},
		{&glimesh.HTTPError{Status: 400, Message: "No query document supplied"}, "HTTP 400"},
		{&glimesh.HTTPError{Status: 307, Bearer: true}, "HTTP 307"},
		{&glimesh.HTTPError{Status: 404}, "instance parameter"},
		{&glimesh.HTTPError{Status: 403, Message: "Forbidden\x07"}, "(HTTP 403): Forbidden"},
		{&glimesh.HTTPError{Status: 418}, "(HTTP 418)."},
	} {
		if got := Explain(tc.err); !strings.Contains(got, tc.want) {
			t.Errorf("Explain(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// A query through the socket of an instance never reached fails with the
// dial's error (phoenix.ErrUnreachable), and says so, whatever the dial
// met: a close before open, or its own timeout or cancellation.
func TestExplainUnreachableSocket(t *testing.T) {
	for _, dial := range []error{
		fmt.Errorf("%w: %w", phoenix.ErrClosedBeforeOpen, &phoenix.CloseError{Code: 1006}),
		fmt.Errorf("%w (closed before opening 3 times in a row): %w", phoenix.ErrRefused, phoenix.ErrClosedBeforeOpen),
		fmt.Errorf("dial: %w", context.Canceled),
		fmt.Errorf("dial: %w", context.DeadlineExceeded),
	} {
		err := &glimesh.NetworkError{Err: fmt.Errorf("socket tunnel: doc: %w: connect: %w", phoenix.ErrUnreachable, dial)}
		for _, lang := range []string{"en", "de"} {
			Use(lang)
			got := Explain(err)
			if want := english["SocketUnreachable"]; lang == "de" {
				want = german["SocketUnreachable"]
				if got != want {
					t.Errorf("%s: Explain(%v) = %q, want %q", lang, err, got, want)
				}
			} else if got != want || !strings.Contains(got, "Cannot reach") || strings.Contains(got, "too long") {
				t.Errorf("%s: Explain(%v) = %q, want %q", lang, err, got, want)
			}
		}
	}
	Use("en")
}

func TestExplainPlainText(t *testing.T) {
	if Explain(nil) != "" {
		t.Error("Explain(nil) not empty")
	}
	long := &glimesh.GraphQLError{Messages: []string{"You " + strings.Repeat("x", 1000) + "\x00\u202e"}}
	got := Explain(long)
	if n := len([]rune(got)); n > maxQuoted+1 || strings.ContainsAny(got, "\x00\u202e") {
		t.Errorf("Explain passes through %d runes / control chars: %q", n, got)
	}
	if !strings.Contains(Explain(errors.New("x")), "went wrong") {
		t.Error("unknown error not explained")
	}
}
