package e2e

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/glimchat/glimchat/server/demo"
)

// Several channels in one chat (channel=a,b,c@https://other.example): one
// list, each line tagged with its channel, each channel moderated on its
// own, and a channel that cannot be reached named while the others go on.

// lineJS describes the message with id (on instance, "" the first) as
// {channel, instance, tag}.
func lineOf(p *Page, id, instance string) map[string]string {
	p.t.Helper()
	return Eval[map[string]string](p, fmt.Sprintf(`(() => {
		const li = %s.find(li => li.dataset.messageId === %s && (li.dataset.instance || "") === %s);
		if (!li) return {};
		const tag = li.querySelector(".glimchat-source");
		return {channel: li.dataset.channel || "", instance: li.dataset.instance || "", tag: tag ? tag.textContent : ""};
	})()`, logJS, jsString(id), jsString(instance)))
}

// openDemoAndQuiet opens the overlay on the demo and quiet channels of a
// demo instance on another origin, live.
func openDemoAndQuiet(t *testing.T, extra string) (*recordedDemo, *Page) {
	t.Helper()
	srv, d := startCrossOrigin(t, demo.Options{})
	p := NewPage(t)
	p.Navigate(srv.Page("overlay.html", "instance="+url.QueryEscape(d.URL)+"&channel=demo,quiet&history=0&"+readOnly+extra))
	waitState(p, "live")
	return d, p
}

func TestManyChannelsOneInstance(t *testing.T) {
	d, p := openDemoAndQuiet(t, "")
	a1 := post(t, d.Inst, "kenji_k", "in demo, first")
	q1 := postIn(t, d.Inst, "quiet", "Zofia", "in quiet, second")
	a2 := post(t, d.Inst, "kenji_k", "in demo, third")
	waitShown(p, a1, q1, a2)
	ids := logIDs(p)
	if i, j, k := slices.Index(ids, a1), slices.Index(ids, q1), slices.Index(ids, a2); !(i < j && j < k) {
		t.Errorf("order %v: want %s, %s, %s in that order", ids, a1, q1, a2)
	}
	for id, ch := range map[string]string{a1: "demo", q1: "quiet", a2: "demo"} {
		if l := lineOf(p, id, ""); l["channel"] != ch || l["tag"] != ch || l["instance"] != "" {
			t.Errorf("message %s: %v, want data-channel and a tag of %s", id, l, ch)
		}
	}
	noGraphOverHTTP(t, d)
	p.AssertNoProblems()
}

// Eight channels of one instance with their stream events need 16
// subscriptions: past the 10 one socket may hold (the demo refuses more),
// the page opens a second socket, and both carry chat.
func TestManyChannelsSecondSocket(t *testing.T) {
	srv, d := startCrossOrigin(t, demo.Options{})
	channels := "demo,cohost,quiet,pixel,nova,ember,atlas,juno" // 2 subscriptions each: juno's are on the second socket
	p := NewPage(t)
	p.Navigate(srv.Page("overlay.html", "instance="+url.QueryEscape(d.URL)+"&channel="+channels+"&events=follows,live&history=0&"+readOnly))
	waitState(p, "live")
	first := post(t, d.Inst, "kenji_k", "in demo, on the first socket")
	second := postIn(t, d.Inst, "juno", "Noor", "in juno, on the second socket")
	waitShown(p, first, second)
	for id, ch := range map[string]string{first: "demo", second: "juno"} {
		if l := lineOf(p, id, ""); l["channel"] != ch || l["tag"] != ch {
			t.Errorf("message %s: %v, want data-channel and a tag of %s", id, l, ch)
		}
	}
	if n, dials := d.openSockets(), len(d.requests("/api/graph/websocket")); n != 2 || dials != 2 {
		t.Errorf("%d websockets open to the instance after %d upgrades, want 2 of 2", n, dials)
	}
	noGraphOverHTTP(t, d)
	p.AssertNoProblems()
}

// A ban in one channel takes that user's lines there only.
func TestManyChannelsBanPerChannel(t *testing.T) {
	d, p := openDemoAndQuiet(t, "&mod_poll=1")
	inDemo := post(t, d.Inst, "Noor", "Noor in demo")
	inQuiet := postIn(t, d.Inst, "quiet", "Noor", "Noor in quiet")
	waitShown(p, inDemo, inQuiet)
	var ch struct{ Channel struct{ ID string } }
	graphQL(t, d.URL, `{ channel(streamerUsername: "quiet") { id } }`, nil, &ch)
	var data map[string]struct{ ID string }
	graphQLAs(t, d.URL, "Bearer "+tokenOf(t, d.Inst, "quiet"),
		`mutation($c: ID!, $u: ID!) { banUser(channelId: $c, userId: $u) { id } }`,
		map[string]any{"c": ch.Channel.ID, "u": userID(t, d, "Noor")}, &data)
	waitGone(p, inQuiet)
	if !slices.Contains(logIDs(p), inDemo) {
		t.Errorf("a ban in quiet took Noor's line in demo: %v", logIDs(p))
	}
	p.AssertNoProblems()
}

// twoInstances starts two demo instances and a glimchat serve that allows
// both, and gives the query reading the channel demo on each.
func twoInstances(t *testing.T) (d, d2 *recordedDemo, srv *Serve, q string) {
	t.Helper()
	d = startRecordedDemo(t, demo.Options{})
	d2 = startRecordedDemo(t, demo.Options{})
	srv = StartServe(t, ServeOptions{Instances: []string{d.URL, d2.URL}})
	q = "instance=" + url.QueryEscape(d.URL) + "&channel=" + url.QueryEscape("demo,demo@"+d2.URL) +
		"&client_id=" + url.QueryEscape(demo.ClientID+","+d2.URL+"="+demo.ClientID) + "&history=0"
	return d, d2, srv, q
}

// A channel on a second instance joins the list; the same id on both
// instances is two messages.
func TestManyInstances(t *testing.T) {
	d, d2, srv, q := twoInstances(t)
	p := NewPage(t)
	p.Navigate(srv.Page("overlay.html", q))
	waitState(p, "live")
	var here, there string
	for range 20 { // until both instances hand out the same id
		here, there = post(t, d.Inst, "kenji_k", "on the first instance"), post(t, d2.Inst, "Zofia", "on the second instance")
		if here == there {
			break
		}
	}
	if here != there {
		t.Fatalf("the two instances never gave the same id (%s, %s): the test proves nothing", here, there)
	}
	WaitFor[bool](p, "both messages "+here, fmt.Sprintf(`%s.filter(li => li.dataset.messageId === %s).length === 2`, logJS, jsString(here)))
	if l := lineOf(p, here, ""); l["channel"] != "demo" {
		t.Errorf("the first instance's message: %v", l)
	}
	if l := lineOf(p, there, d2.URL); l["channel"] != "demo" || l["instance"] != d2.URL {
		t.Errorf("the second instance's message: %v, want data-instance %s", l, d2.URL)
	}
	noGraphOverHTTP(t, d)
	noGraphOverHTTP(t, d2)
	p.AssertNoProblems()
}

// An instance that cannot be reached is named on the page; the other's
// chat goes on.
func TestManyInstancesOneDown(t *testing.T) {
	d := startRecordedDemo(t, demo.Options{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String()
	l.Close() // nothing listens there any more
	srv := StartServe(t, ServeOptions{Instances: []string{d.URL, down}})
	q := "instance=" + url.QueryEscape(d.URL) + "&channel=" + url.QueryEscape("demo,demo@"+down) +
		"&client_id=" + url.QueryEscape(demo.ClientID+","+down+"="+demo.ClientID) + "&history=0"
	p := NewPage(t)
	p.Navigate(srv.Page("overlay.html", q))
	waitState(p, "live")
	id := post(t, d.Inst, "kenji_k", "the first instance goes on")
	waitShown(p, id)
	statuses := recordStatus(p)
	status := waitStatus(p, "demo ("+down+"): Cannot reach the Glimesh instance")
	if strings.Contains(status, "took too long") {
		t.Errorf("status %q says the instance was slow", status)
	}
	time.Sleep(3 * time.Second) // the start query's first retry fails again, the same way
	for _, s := range statuses() {
		if strings.Contains(s, "took too long") {
			t.Errorf("the status line said %q", s)
		}
	}
	if !strings.Contains(p.Text("glimchat-status"), "Cannot reach") {
		t.Errorf("status became %q", p.Text("glimchat-status"))
	}
	p.AssertNoPageProblems()
}

// recordStatus keeps every text the status line shows from now on, and
// returns what reads them.
func recordStatus(p *Page) func() []string {
	p.t.Helper()
	Eval[any](p, `(() => {
		const el = document.getElementById("glimchat-status");
		window.statusSeen = [el.textContent];
		new MutationObserver(() => window.statusSeen.push(el.textContent)).observe(el, {childList: true, characterData: true, subtree: true});
	})()`)
	return func() []string { return Eval[[]string](p, `window.statusSeen`) }
}

// The embed page of two channels posts to the one the viewer chooses.
func TestManyChannelsEmbedChooser(t *testing.T) {
	srv, d := startCrossOrigin(t, demo.Options{})
	p := signedInEmbed(t, srv, d.Inst, "Noor", "instance="+url.QueryEscape(d.URL)+"&channel=demo,quiet&history=0&"+readOnly)
	waitState(p, "live")
	options := Eval[[]string](p, `[...document.querySelectorAll("#glimchat-to option")].map(o => o.textContent)`)
	if !slices.Equal(options, []string{"demo", "quiet"}) || Eval[bool](p, `document.getElementById("glimchat-to").hidden`) {
		t.Fatalf("chooser options %v (or hidden), want demo and quiet", options)
	}
	Eval[any](p, `(() => { const s = document.getElementById("glimchat-to"); s.selectedIndex = 1;
		s.dispatchEvent(new Event("change", {bubbles: true})); })()`)
	typeText(p, "to the quiet channel")
	pressEnter(p)
	id := WaitFor[string](p, "the sent message", logJS+`.filter(li => li.textContent.includes("to the quiet channel")).map(li => li.dataset.messageId + "|" + li.dataset.channel)[0] || ""`)
	if !strings.HasSuffix(id, "|quiet") {
		t.Errorf("the sent message %s is not in quiet", id)
	}
	n := 0
	for _, m := range apiHistory(t, d.URL, "quiet", 100) {
		if m.User.Username == "Noor" && m.Message == "to the quiet channel" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("quiet stored the message %d times, want once", n)
	}
	p.AssertNoProblems()
}

// The embed page's chooser offers the channels of every instance; posting
// to one on another instance signs in with that instance, from the
// chooser, and its token goes there alone, as the first instance's never
// goes to it.
func TestManyInstancesEmbedSignsInPerInstance(t *testing.T) {
	d, d2, srv, q := twoInstances(t)
	p := signedInEmbed(t, srv, d.Inst, "Noor", q) // signed in to the first instance
	waitState(p, "live")
	options := Eval[[]string](p, `[...document.querySelectorAll("#glimchat-to option")].map(o => o.textContent)`)
	if want := []string{"demo", "demo (" + d2.URL + ")"}; !slices.Equal(options, want) {
		t.Fatalf("chooser options %v, want %v", options, want)
	}
	signIn := `document.getElementById("glimchat-signin")`
	// Signed in to the first instance, the button is hidden; its label
	// names the chosen channel's instance all the same.
	if label := Eval[string](p, signIn+`.textContent`); label != "Sign in to "+d.URL {
		t.Errorf("sign-in button %q, want it to name %s", label, d.URL)
	}
	Eval[any](p, `(() => { const s = document.getElementById("glimchat-to"); s.selectedIndex = 1;
		s.dispatchEvent(new Event("change", {bubbles: true})); })()`)
	WaitFor[bool](p, "the sign-in for the second instance, the composer off",
		`!`+signIn+`.hidden && `+signIn+`.textContent === `+jsString("Sign in to "+d2.URL)+` && !(`+composerEnabled+`)`)

	pp := openSignIn(t, p)
	if pp.URL.Host != strings.TrimPrefix(d2.URL, "http://") {
		t.Fatalf("the sign-in opened at %s, want the second instance %s", pp.URL, d2.URL)
	}
	pp.authorize(t, "Zofia")
	WaitFor[bool](p, "the composer to be enabled after signing in to the second instance", composerEnabled)
	text := "to the second instance " + fmt.Sprint(time.Now().UnixNano())
	typeText(p, text)
	pressEnter(p)
	WaitFor[bool](p, "the sent message, from the second instance", logJS+`.some(li => li.textContent.includes(`+jsString(text)+
		`) && li.dataset.instance === `+jsString(d2.URL)+` && li.dataset.username === "Zofia")`)
	stored := func(base string) int {
		n := 0
		for _, m := range apiHistory(t, base, "demo", 100) {
			if m.Message == text {
				n++
				if m.User.Username != "Zofia" {
					t.Errorf("%s stored the message as %s, want Zofia", base, m.User.Username)
				}
			}
		}
		return n
	}
	if n, n1 := stored(d2.URL), stored(d.URL); n != 1 || n1 != 0 {
		t.Errorf("the second instance stored the message %d times (want once), the first %d (want none)", n, n1)
	}

	// Back on the first instance's channel, its sign-in is still there.
	Eval[any](p, `(() => { const s = document.getElementById("glimchat-to"); s.selectedIndex = 0;
		s.dispatchEvent(new Event("change", {bubbles: true})); })()`)
	WaitFor[bool](p, "the first instance's sign-in", composerEnabled+` && !document.getElementById("glimchat-signout").hidden`)

	home := tokenOf(t, d.Inst, "Noor")
	withToken := 0
	d2.mu.Lock()
	reqs := slices.Clone(d2.reqs)
	d2.mu.Unlock()
	for _, r := range reqs {
		if r.bearer == "" {
			continue
		}
		withToken++
		if r.bearer == home {
			t.Errorf("the first instance's token went to the second (%s %s)", r.method, r.path)
		}
	}
	if withToken == 0 {
		t.Error("no request with a token reached the second instance: the page never posted there with its sign-in")
	}
	for _, tok := range d2.Inst.Tokens() {
		for _, r := range d.requests("/api/graph/websocket") {
			if r.bearer == tok.Token {
				t.Errorf("a token of the second instance (%s's) went to the first", tok.Username)
			}
		}
	}
	p.AssertNoProblems()
}

// On a page of several channels, a moderator gets the tools on the lines
// of the channel they moderate only, and a tool acts in that channel.
func TestManyChannelsModeratorTools(t *testing.T) {
	srv, d := startCrossOrigin(t, demo.Options{ChatRate: 0})
	inDemo := post(t, d.Inst, "Noor", "Noor in demo")
	inCohost := postIn(t, d.Inst, "cohost", "Ari", "Ari in cohost")
	p := signedInEmbed(t, srv, d.Inst, "MartaMod", "instance="+url.QueryEscape(d.URL)+"&channel=demo,cohost&history=5&"+readOnly)
	waitShown(p, inDemo, inCohost)
	everything := []string{"delete_message", "short_timeout", "long_timeout", "ban"}
	if got := toolsOf(p, inDemo); !slices.Equal(got, everything) {
		t.Errorf("demo's line has tools %v, want %v", got, everything)
	}
	if got := toolsOf(p, inCohost); len(got) != 0 {
		t.Errorf("cohost's line has tools %v, but MartaMod moderates demo only", got)
	}
	clickTool(p, inDemo, "delete_message")
	clickTool(p, inDemo, "confirm")
	waitGone(p, inDemo)
	if status := WaitFor[string](p, "the result", `document.getElementById("glimchat-modstatus").textContent`); status != "Deleted the message from Noor." {
		t.Errorf("result = %q", status)
	}
	if !slices.Contains(logIDs(p), inCohost) {
		t.Errorf("cohost's line went too: %v", logIDs(p))
	}
	p.AssertNoProblems()
}

// The generator builds several channels into the URL, its preview shows
// them merged, and a pasted URL with a channel on another instance comes
// back into the form whole.
func TestGeneratorSeveralChannels(t *testing.T) {
	srv := StartServe(t, ServeOptions{Demo: demo.Options{ChatRate: 0}})
	p := openPage(t, srv, "index.html", "")
	const frameDoc = `document.getElementById("glimchat-preview").contentDocument`
	WaitFor[bool](p, "the preview live", frameDoc+`?.getElementById("glimchat")?.dataset.state === "live"`)
	Eval[any](p, `(() => { const f = document.getElementById("f-channel"); f.value = "demo, cohost";
		f.dispatchEvent(new Event("input", {bubbles: true})); })()`)
	WaitFor[bool](p, "both channels in the URL", `document.getElementById("glimchat-url").value.includes("channel=demo%2Ccohost")`)
	WaitFor[bool](p, "the preview's lines of both channels, tagged", `(() => {
		const lis = [...(`+frameDoc+`?.querySelectorAll("#glimchat-log > li[data-message-id]") || [])];
		const tagged = (ch) => lis.some(li => li.dataset.channel === ch && li.querySelector(".glimchat-source")?.textContent === ch);
		return tagged("demo") && tagged("cohost");
	})()`)
	WaitFor[bool](p, "the preview of both channels live", frameDoc+`?.getElementById("glimchat")?.dataset.state === "live"`)
	if st := Eval[string](p, `(() => { const s = `+frameDoc+`.getElementById("glimchat-status");
		return s.hasAttribute("data-error") ? s.textContent : ""; })()`); st != "" {
		t.Errorf("the preview of both channels shows the error %q", st)
	}
	p.AssertNoProblems() // before the URL below names an instance out of reach

	const other = "https://other.example"
	Eval[any](p, `(() => { const u = document.getElementById("glimchat-url");
		u.value = "channel=demo,cohost@`+other+`&client_id=glimchat-demo,`+other+`=theirs&source_tag=0"; u.dispatchEvent(new Event("change")); })()`)
	WaitFor[bool](p, "the form from the URL", `document.getElementById("f-channel").value.includes("cohost@`+other+`")`)
	if id := Eval[string](p, `document.getElementById("f-client_id").value`); !strings.Contains(id, other+"=theirs") {
		t.Errorf("client id field %q, want the other instance's client id", id)
	}
	if tag := Eval[string](p, `document.getElementById("f-source_tag").value`); tag != "0" {
		t.Errorf("source tag field %q, want 0", tag)
	}
	u := Eval[string](p, `document.getElementById("glimchat-url").value`)
	for _, want := range []string{"channel=demo%2Ccohost%40" + url.QueryEscape(other), "client_id=glimchat-demo%2C" + url.QueryEscape(other+"=theirs"), "source_tag=0"} {
		if !strings.Contains(u, want) {
			t.Errorf("URL box %q lacks %q", u, want)
		}
	}
}
