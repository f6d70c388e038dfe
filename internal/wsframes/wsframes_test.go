package wsframes

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/glimchat/glimchat/internal/chromium"
)

// TestArrivals runs Arrivals in chromium over frames of every kind a page
// records: the first frame that carries a message wins, and what is not a
// chat message push is passed over without failing the reading.
func TestArrivals(t *testing.T) {
	ctx, stop, err := chromium.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()

	str := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	const push = `[null,null,"__absinthe__:doc:1","subscription:data",{"result":{"data":{"chatMessage":{"id":%q}}}}]`
	frames := `[
		[1, ` + str(fmt.Sprintf(push, "7")) + `],
		[2, ` + str(fmt.Sprintf(push, "7")) + `],
		[3, ` + str(fmt.Sprintf(push, "8")) + `],
		[4, "subscription:data, but not JSON {"],
		[5, ` + str(`["1","2","__absinthe__:control","phx_reply",{"status":"ok","response":{"subscriptionId":"subscription:data"}}]`) + `],
		[6, ` + str(`[null,null,"t","subscription:data",{"result":{"data":{"chatMessage":{"id":9}}}}]`) + `],
		[7, ` + str(`{"subscription:data":1}`) + `],
		[8, new ArrayBuffer(4)],
		[9, ` + str(fmt.Sprintf(push, "10")) + `]
	]`
	got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](Arrivals(frames)))
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	want := map[string]float64{"7": 1, "8": 3, "10": 9}
	if !maps.Equal(got, want) {
		t.Errorf("arrivals = %v, want %v", got, want)
	}

	empty, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](Arrivals("[]")))
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	if len(empty) != 0 {
		t.Errorf("arrivals of no frames = %v, want none", empty)
	}
}
