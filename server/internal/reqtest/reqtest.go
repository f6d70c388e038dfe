// Package reqtest sends the requests of the server packages' tests: to a
// handler in the same process, or byte for byte to a listening server.
package reqtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Do serves one request to h in process and returns what h wrote. header
// holds name, value pairs, added in order (an empty value is sent as such).
func Do(h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Add(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// Response is a status and a body read in full.
type Response struct {
	Status int
	Body   string
}

// RawGet sends GET to the server at base with target as the request target
// byte for byte: the client neither cleans nor escapes it. The error is that
// of the round trip, when no response came back (the server hung up, or the
// client would not send the target). A base that is no URL fails the test.
func RawGet(t testing.TB, base, target string) (Response, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", base, err)
	}
	req.URL.Opaque = target
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return Response{resp.StatusCode, string(b)}, nil
}
