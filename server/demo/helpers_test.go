package demo

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)

type harness struct {
	inst *Instance
	srv  *httptest.Server
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	return newTunedHarness(t, opts, nil)
}

// newTunedHarness runs the instance on opts.Now, or else on testNow; tune
// may change the instance (lower its limits, set hooks) before it serves
// anything.
func newTunedHarness(t *testing.T, opts Options, tune func(*Instance)) *harness {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return testNow }
	}
	inst, err := New(opts)
	if err != nil {
		t.Fatalf("new instance: %v", err)
	}
	if tune != nil {
		tune(inst)
	}
	srv := httptest.NewServer(inst.Handler())
	t.Cleanup(srv.Close)
	return &harness{inst: inst, srv: srv}
}

func (h *harness) token(t *testing.T, username string) string {
	t.Helper()
	for _, tok := range h.inst.Tokens() {
		if tok.Username == username {
			return tok.Token
		}
	}
	t.Fatalf("no token for %s", username)
	return ""
}

type result struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

// noRedirects hands redirects (OAuth's) to the test.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// do sends a request and decodes a JSON object body when there is one.
func (h *harness) do(t *testing.T, method, path string, header map[string]string, body string) result {
	t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := result{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
		if err := json.Unmarshal(b, &r.body); err != nil {
			t.Fatalf("decode %s: %v", b, err)
		}
	}
	return r
}

// gql POSTs a GraphQL request with the given Authorization header value.
func (h *harness) gql(t *testing.T, auth, query string, vars map[string]any) result {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	hdr := map[string]string{"Content-Type": "application/json"}
	if auth != "" {
		hdr["Authorization"] = auth
	}
	return h.do(t, http.MethodPost, "/api/graph", hdr, string(b))
}

func clientAuth() string { return "Client-ID " + ClientID }

// at walks a decoded JSON value: strings index objects, ints index arrays.
func at(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %v: %v is not an object", path, v)
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) || k < 0 {
				t.Fatalf("at %v: %v has no element %d", path, v, k)
			}
			v = a[k]
		}
	}
	return v
}

// errMessages lists errors[].message of a GraphQL response.
func errMessages(r result) []string {
	var out []string
	errs, _ := r.body["errors"].([]any)
	for _, e := range errs {
		if m, ok := e.(map[string]any); ok {
			s, _ := m["message"].(string)
			out = append(out, s)
		}
	}
	return out
}

func wantOneError(t *testing.T, r result, want string) {
	t.Helper()
	got := errMessages(r)
	if len(got) != 1 || got[0] != want {
		t.Fatalf("errors = %q, want [%q] (status %d, body %s)", got, want, r.status, r.raw)
	}
}
