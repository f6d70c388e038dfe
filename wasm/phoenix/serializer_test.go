package phoenix

import (
	"errors"
	"strings"
	"testing"
)

func TestFrameEncode(t *testing.T) {
	tests := []struct {
		f    Frame
		want string
	}{
		{Frame{JoinRef: "1", Ref: "1", Topic: TopicControl, Event: EventJoin}, `["1","1","__absinthe__:control","phx_join",{}]`},
		{Frame{Ref: "10", Topic: TopicPhoenix, Event: EventHeartbeat}, `[null,"10","phoenix","heartbeat",{}]`},
		{Frame{JoinRef: "1", Ref: "2", Topic: TopicControl, Event: EventDoc, Payload: []byte(`{"query":"q \"x\"","variables":{"c":"6"}}`)},
			`["1","2","__absinthe__:control","doc",{"query":"q \"x\"","variables":{"c":"6"}}]`},
		{Frame{Topic: "to\"pic</script>", Event: "e\u2028"}, `[null,null,"to\"pic\u003c/script\u003e","e\u2028",{}]`},
	}
	for _, tt := range tests {
		if got := string(tt.f.Encode()); got != tt.want {
			t.Errorf("Encode(%+v)\n got %s\nwant %s", tt.f, got, tt.want)
		}
		back, err := DecodeFrame(tt.f.Encode())
		if err != nil {
			t.Fatalf("DecodeFrame(Encode(%+v)): %v", tt.f, err)
		}
		if back.JoinRef != tt.f.JoinRef || back.Ref != tt.f.Ref || back.Topic != tt.f.Topic || back.Event != tt.f.Event {
			t.Errorf("round trip: got %+v, want %+v", back, tt.f)
		}
	}
}

func TestFrameDecode(t *testing.T) {
	in := []byte(` [null, null, "__absinthe__:doc:-576460752298178591:33B2", "subscription:data",
		{"result":{"data":{"chatMessage":{"id":"123","message":"hello world!"}}},"subscriptionId":"__absinthe__:doc:-576460752298178591:33B2"}] `)
	f, err := DecodeFrame(in)
	if err != nil {
		t.Fatal(err)
	}
	if f.JoinRef != "" || f.Ref != "" || f.Topic != "__absinthe__:doc:-576460752298178591:33B2" || f.Event != EventSubscriptionData {
		t.Errorf("header: %+v", f)
	}
	if want := `{"result":{"data":{"chatMessage":{"id":"123","message":"hello world!"}}},"subscriptionId":"__absinthe__:doc:-576460752298178591:33B2"}`; string(f.Payload) != want {
		t.Errorf("payload %s", f.Payload)
	}
	// The payload must not alias the input buffer, which the reader reuses.
	for i := range in {
		in[i] = 'x'
	}
	if !strings.HasPrefix(string(f.Payload), `{"result"`) {
		t.Errorf("payload aliases the input: %s", f.Payload)
	}

	f, err = DecodeFrame([]byte(`["1","7","__absinthe__:control","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}]`))
	if err != nil || f.JoinRef != "1" || f.Ref != "7" || f.Event != EventReply {
		t.Fatalf("reply: %+v, %v", f, err)
	}
}

// malformed is a fuzz-style table of frames a hostile or broken peer might
// send. Each must be an error wrapping ErrMalformedFrame, never a panic.
var malformed = []string{
	``,
	` `,
	`null`,
	`{}`,
	`{"topic":"phoenix","event":"phx_reply","payload":{},"ref":"1"}`, // v1 object frame
	`[]`,
	`[null]`,
	`[null,null,"t","e"]`,
	`[null,null,"t","e",{}`,
	`[null,null,"t","e",{},1]`,
	`[null,null,"t","e",[]]`,
	`[null,null,"t","e","payload"]`,
	`[null,null,"t","e",null]`,
	`[null,null,"t","e",{"a":}]`,
	`[null,null,"t","e",{"a":1]]`,
	`[1,null,"t","e",{}]`,
	`[null,2,"t","e",{}]`,
	`[null,null,3,"e",{}]`,
	`[null,null,"t",null,{}]`,
	`[null,null,"","e",{}]`,
	`[null,null,"t","",{}]`,
	`[null,null,"t","e",{}] x`,
	`[null,null,"t","e",{}][]`,
	`["\ud800",null,"t","e",{"a":"\u"}]`,
	`[null,null,"t","e",{"a":"` + "\x00" + `"}]`,
	`[null,null,"t","e",{` + strings.Repeat(`"a":[`, 100) + `]}]`,
	`[nul,null,"t","e",{}]`,
	`[true,null,"t","e",{}]`,
	`[null null "t" "e" {}]`,
	`[null,,"t","e",{}]`,
	`["1","1","t","e",{"x":"unterminated}]`,
	strings.Repeat(`[`, 10000),
	"[\"\xdb\",null,\"t\",\"e\",{}]",
	"[null,null,\"t\xff\",\"e\",{}]",
	// subscription:data takes the fast path; its frame is still checked.
	`[null,null,"t","subscription:data",{}`,
	`[null,null,"t","subscription:data",{},1]`,
	`[null,null,"t","subscription:data",{}] x`,
	`[null,null,"t","subscription:data",{}][]`,
	`[null,null,"t","subscription:data",{"a":"}"]`,
	`[null,null,"t","subscription:data",{"a":"\"}]`,
	`[null,null,"t","subscription:data",{"a":{}]`,
	`[null,null,"t","subscription:data",[]]`,
	`[null,null,"t","subscription:data",null]`,
}

func TestPushPayloadTakenWhole(t *testing.T) {
	for _, payload := range []string{`{}`, `{"a":"}]\"{["}`, `{"a":[{"b":"\\"}],"c":"\u005d"}`, `{"a":}`} {
		f, err := DecodeFrame([]byte(` [null, "1", "t", "subscription:data", ` + payload + " ] \n"))
		if err != nil || string(f.Payload) != payload {
			t.Errorf("DecodeFrame(… %s): %q, %v", payload, f.Payload, err)
		}
	}
}

func TestFrameDecodeMalformed(t *testing.T) {
	for _, in := range malformed {
		f, err := DecodeFrame([]byte(in))
		if err == nil {
			t.Errorf("DecodeFrame(%.60q) = %+v, want an error", in, f)
			continue
		}
		if !errors.Is(err, ErrMalformedFrame) {
			t.Errorf("DecodeFrame(%.60q): error %v does not wrap ErrMalformedFrame", in, err)
		}
	}
}

func FuzzDecodeFrame(f *testing.F) {
	f.Add([]byte(`["1","1","__absinthe__:control","phx_join",{}]`))
	f.Add([]byte(`[null,"10","phoenix","phx_reply",{"response":{},"status":"ok"}]`))
	for _, m := range malformed {
		f.Add([]byte(m))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := DecodeFrame(data)
		if err != nil {
			return
		}
		// Whatever decodes must survive a round trip unchanged.
		back, err := DecodeFrame(fr.Encode())
		if err != nil {
			t.Fatalf("re-decode %s: %v", fr.Encode(), err)
		}
		if back.JoinRef != fr.JoinRef || back.Ref != fr.Ref || back.Topic != fr.Topic || back.Event != fr.Event {
			t.Fatalf("round trip %+v -> %+v", fr, back)
		}
	})
}
