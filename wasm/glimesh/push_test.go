package glimesh

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func push(msg string) []byte {
	return []byte(`{"result":{"data":{"chatMessage":` + msg + `}},"subscriptionId":"__absinthe__:doc:-576460752303423390:1A2B"}`)
}

func TestDecodePush(t *testing.T) {
	m, err := DecodePush(push(fullMessage))
	if err != nil {
		t.Fatal(err)
	}
	wantFull(t, m)
}

func TestDecodePushNulls(t *testing.T) {
	m, err := DecodePush(push(`{"id":"5","message":null,"insertedAt":null,"user":{"id":"1","username":"u"},"metadata":null,"tokens":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Roles != 0 || m.Tokens != nil || m.Text != "" || m.User.Displayname != "" || m.User.AvatarURL != "" {
		t.Errorf("nulls: %+v", m)
	}
	m, err = DecodePush(push(`{"id":"5","tokens":[],"user":null,"metadata":{}}`))
	if err != nil || m.Tokens == nil || len(m.Tokens) != 0 || m.User != (User{}) {
		t.Errorf("empty tokens / null user: %+v, %v", m, err)
	}
	m, err = DecodePush(push(`{"id":"5","tokens":[null,{"type":"text","text":"a"}]}`))
	if err != nil || len(m.Tokens) != 1 || m.Tokens[0].Text != "a" {
		t.Errorf("null token: %+v, %v", m, err)
	}
}

func TestDecodePushHostile(t *testing.T) {
	for name, payload := range map[string]string{
		"empty":             ``,
		"null":              `null`,
		"not json":          `<script>`,
		"array":             `[1,2]`,
		"truncated":         string(push(fullMessage))[:60],
		"trailing garbage":  string(push(`{"id":"1"}`)) + `}}`,
		"null message":      string(push(`null`)),
		"no data":           `{"result":{},"subscriptionId":"x"}`,
		"id number":         string(push(`{"id":5}`)),
		"id missing":        string(push(`{"message":"hi"}`)),
		"id not decimal":    string(push(`{"id":"12a"}`)),
		"id leading zero":   string(push(`{"id":"012"}`)),
		"id huge":           string(push(`{"id":"` + strings.Repeat("9", 40) + `"}`)),
		"user string":       string(push(`{"id":"1","user":"bob"}`)),
		"tokens object":     string(push(`{"id":"1","tokens":{"type":"text"}}`)),
		"metadata array":    string(push(`{"id":"1","metadata":[true]}`)),
		"flag as string":    string(push(`{"id":"1","metadata":{"admin":"yes"}}`)),
		"text as object":    string(push(`{"id":"1","message":{"a":1}}`)),
		"token text number": string(push(`{"id":"1","tokens":[{"type":"text","text":1}]}`)),
		"deep nesting":      `{"result":` + strings.Repeat(`[`, 100000) + strings.Repeat(`]`, 100000) + `}`,
		"oversized":         string(push(`{"id":"1","message":"` + strings.Repeat("a", maxPush) + `"}`)),
	} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic %v", name, r)
				}
			}()
			m, err := DecodePush([]byte(payload))
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Errorf("%s: DecodePush = %+v, %v; want *DecodeError", name, m, err)
			}
		}()
	}
}

func TestDecodePushErrorsResult(t *testing.T) {
	_, err := DecodePush([]byte(`{"result":{"data":{"chatMessage":null},"errors":[{"message":"unauthorized"}]},"subscriptionId":"x"}`))
	var ge *GraphQLError
	if !errors.As(err, &ge) || ge.Messages[0] != "unauthorized" {
		t.Errorf("err = %v", err)
	}
}

func TestDecodePushClipsHugeStrings(t *testing.T) {
	big := strings.Repeat("é", 15000) // 30,000 bytes
	m, err := DecodePush(push(`{"id":"1","message":"` + big + `","user":{"id":"1","username":"` + big + `","displayname":"` + big + `","avatarUrl":"` + big + `"},"tokens":[{"type":"` + big + `","text":"` + big + `","src":"` + big + `"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]string{"text": m.Text, "username": m.User.Username, "displayname": m.User.Displayname,
		"avatar": m.User.AvatarURL, "token type": m.Tokens[0].Type, "token text": m.Tokens[0].Text, "src": m.Tokens[0].Src} {
		if len(s) > maxTextBytes || !utf8.ValidString(s) || s == "" {
			t.Errorf("%s: %d bytes, valid UTF-8 %v", name, len(s), utf8.ValidString(s))
		}
	}
	many := `{"type":"text","text":"a"}` + strings.Repeat(`,{"type":"text","text":"a"}`, 2*maxTokens)
	m, err = DecodePush(push(`{"id":"1","tokens":[` + many + `]}`))
	if err != nil || len(m.Tokens) != maxTokens {
		t.Errorf("tokens not capped: %d, %v", len(m.Tokens), err)
	}
}

func TestDecodePushInvalidUTF8(t *testing.T) {
	m, err := DecodePush(push("{\"id\":\"1\",\"message\":\"a\xff\xfeb\"}"))
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.ValidString(m.Text) || !strings.HasPrefix(m.Text, "a") || !strings.HasSuffix(m.Text, "b") {
		t.Errorf("text %q", m.Text)
	}
}

func FuzzDecodePush(f *testing.F) {
	f.Add(push(fullMessage))
	f.Add(push(`{"id":"5","metadata":null,"tokens":null}`))
	f.Add([]byte(`{"result":{"errors":[{"message":"x"}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodePush(b)
		if err == nil && !ValidID(m.ID) {
			t.Errorf("accepted invalid id %q", m.ID)
		}
	})
}

// BenchmarkDecodePush compares the easyjson path with encoding/json on the
// same payload (the wasm notes measured ~4.6x in the browser).
func BenchmarkDecodePush(b *testing.B) {
	payload := push(fullMessage)
	b.Run("easyjson", func(b *testing.B) {
		b.SetBytes(int64(len(payload)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodePush(payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(payload)))
		b.ReportAllocs()
		for b.Loop() {
			var p wirePush
			if err := json.Unmarshal(payload, &p); err != nil {
				b.Fatal(err)
			}
			if _, err := toMessage(p.Result.Data.ChatMessage); err != nil {
				b.Fatal(err)
			}
		}
	})
}
