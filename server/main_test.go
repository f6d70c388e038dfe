package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestCommandLineErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{nil, 2, "Usage:"},
		{[]string{"bogus"}, 2, `unknown command "bogus"`},
		{[]string{"serve", "-nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"serve", "extra"}, 1, `unexpected argument "extra"`},
		{[]string{"serve", "-upstream", "glimesh.tv"}, 1, "absolute http:// or https:// URL"},
		{[]string{"serve", "-upstream", "ftp://glimesh.tv"}, 1, "-upstream"},
		{[]string{"serve", "-upstream", "https://user:pw@glimesh.tv"}, 1, "user info"},
		{[]string{"serve", "-upstream", "https://glimesh.tv", "-seed", "3"}, 1, "do not apply with -upstream"},
		{[]string{"serve", "-upstream", "https://glimesh.tv", "-redirect-uri", "https://x.test/cb"}, 1, "do not apply with -upstream"},
		{[]string{"demo", "-redirect-uri", "http://x.test/cb"}, 1, "http:// is only for localhost"},
		{[]string{"serve", "-instance", "https://x.test;script-src *"}, 1, "-instance"},
		{[]string{"serve", "-chat-rate", "-1"}, 1, "-chat-rate"},
		{[]string{"demo", "-chat-rate", "NaN"}, 1, "-chat-rate"},
		{[]string{"demo", "-idle-timeout", "0s"}, 1, "-idle-timeout"},
		{[]string{"demo", "-addr", "256.0.0.1:99999"}, 1, "listen on -addr"},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), tc.args, &out, &errb)
		if code != tc.code || !strings.Contains(errb.String(), tc.msg) {
			t.Errorf("glimchat %q: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, errb.String(), tc.code, tc.msg)
		}
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"help"}, &out, io.Discard); code != 0 || !strings.Contains(out.String(), "glimchat serve") {
		t.Errorf("help: %d %q", code, out.String())
	}
}

// TestDemoCommand starts `glimchat demo` on a free port, checks /healthz and
// the printed credentials, and stops it as SIGINT would.
func TestDemoCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuf
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"demo", "-addr", "127.0.0.1:0", "-chat-rate", "0"}, &stdout, &stderr)
	}()

	urlRE := regexp.MustCompile(`url=(http://\S+/)`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == ""; {
		if m := urlRE.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("demo exited early with %d: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo did not start: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	resp, err := http.Get(base + "healthz")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "ok" {
		t.Errorf("healthz: %d %q", resp.StatusCode, b)
	}

	out := stdout.String()
	if !strings.Contains(out, "client id: glimchat-demo") || !strings.Contains(out, "local preview only") {
		t.Errorf("stdout lacks the labelled credentials: %q", out)
	}
	tokRE := regexp.MustCompile(`bearer token for \S+\s+\(scopes: [^)]*\): (\S+)`)
	toks := tokRE.FindAllStringSubmatch(out, -1)
	if len(toks) == 0 {
		t.Fatalf("no bearer tokens printed: %q", out)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d after shutdown: %s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("demo did not shut down")
	}
	logs := stderr.String()
	if !strings.Contains(logs, "path=/healthz") {
		t.Errorf("access log lacks the request: %s", logs)
	}
	for _, m := range toks {
		if strings.Contains(logs, m[1]) {
			t.Errorf("a demo token reached the log: %s", logs)
		}
	}
}
