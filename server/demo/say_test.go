package demo

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSay(t *testing.T) {
	inst, err := New(Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	h := inst.Handler()
	do := func(method, target, body string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(method, target, strings.NewReader(body)))
		return w
	}
	if w := do("GET", "/_demo/say", ""); w.Code != 200 || !strings.Contains(w.Body.String(), ClientID) || w.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("GET: %d %q %v", w.Code, w.Body, w.Header())
	}
	w := do("POST", "/_demo/say?as=SubSam", "hello from the generator")
	if w.Code != 200 {
		t.Fatalf("POST: %d %q", w.Code, w.Body)
	}
	hist, _ := inst.store.historyOf(inst.store.channelByID(demoChannelID))
	if last := hist[len(hist)-1]; last.text != "hello from the generator" || last.user.username != "SubSam" {
		t.Errorf("stored %q by %s", last.text, last.user.username)
	}
	if w := do("GET", "/_demo/say", ""); !strings.Contains(w.Body.String(), `"channels":["demo","cohost"]`) {
		t.Errorf("GET names %s", w.Body)
	}
	if w := do("POST", "/_demo/say?channel=cohost&as=Noor", "hello cohost"); w.Code != 200 {
		t.Fatalf("POST to cohost: %d %q", w.Code, w.Body)
	}
	hist, _ = inst.store.historyOf(inst.store.channelByID(cohostChannelID))
	if last := hist[len(hist)-1]; last.text != "hello cohost" || last.user.username != "Noor" {
		t.Errorf("stored in cohost %q by %s", last.text, last.user.username)
	}
	for _, tc := range []struct {
		target, body string
		code         int
	}{
		{"/_demo/say?channel=quiet", "x", http.StatusBadRequest},
		{"/_demo/say?as=banned_bob", "x", http.StatusBadRequest},
		{"/_demo/say?as=AdminAda", "x", http.StatusBadRequest},
		{"/_demo/say", strings.Repeat("x", 2000), http.StatusRequestEntityTooLarge},
		{"/_demo/say", "", http.StatusUnprocessableEntity},
	} {
		if w := do("POST", tc.target, tc.body); w.Code != tc.code {
			t.Errorf("POST %s (%d bytes): %d, want %d", tc.target, len(tc.body), w.Code, tc.code)
		}
	}
}
