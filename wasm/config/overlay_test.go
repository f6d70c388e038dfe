package config

import (
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func defaultOverlay() Overlay {
	return Overlay{Theme: Clear, Mentions: true, Direction: "bottom", Align: "left", BotNames: slices.Clone(DefaultBots)}
}

// TestOverlayParams covers every overlay parameter: its canonical name, its
// aliases, bad values (named in a warning, default kept) and defaults.
func TestOverlayParams(t *testing.T) {
	bots := func(extra ...string) []string { return append(slices.Clone(DefaultBots), extra...) }
	for _, tc := range []struct {
		query string
		edit  func(*Overlay)
		warn  []string // parameters named in warnings
	}{
		{"", func(*Overlay) {}, nil},
		// fade: seconds, false, or KapChat's true (30 s)
		{"fade=12", func(o *Overlay) { o.Fade = 12 * time.Second }, nil},
		{"fade=1", func(o *Overlay) { o.Fade = time.Second }, nil},
		{"fade=false", func(*Overlay) {}, nil},
		{"fade=0", func(*Overlay) {}, nil},
		{"fade=true", func(o *Overlay) { o.Fade = DefaultFade }, nil},
		{"fade", func(o *Overlay) { o.Fade = DefaultFade }, nil},
		{"fade=abc", func(*Overlay) {}, []string{"fade"}},
		{"fade=3601", func(*Overlay) {}, []string{"fade"}},
		// size and font_size
		{"size=1", func(o *Overlay) { o.Size = 1 }, nil},
		{"size=3", func(o *Overlay) { o.Size = 3 }, nil},
		{"size=4", func(*Overlay) {}, []string{"size"}},
		{"font_size=22", func(o *Overlay) { o.FontSize = 22 }, nil},
		{"font_size=22px", func(o *Overlay) { o.FontSize = 22 }, nil},
		{"fontSize=30", func(o *Overlay) { o.FontSize = 30 }, nil},
		{"font_size=7", func(*Overlay) {}, []string{"font_size"}},
		{"font_size=97", func(*Overlay) {}, []string{"font_size"}},
		// font: jChat's index or a family name
		{"font=0", func(o *Overlay) { o.Font = "Baloo Tammudu" }, nil},
		{"font=11", func(o *Overlay) { o.Font = "Wallpoet" }, nil},
		{"font=12", func(*Overlay) {}, []string{"font"}},
		{"font=Comic%20Sans%20MS", func(o *Overlay) { o.Font = "Comic Sans MS" }, nil},
		{"fontCustom=Fira%20Sans", func(o *Overlay) { o.Font = "Fira Sans" }, nil},
		{"font=Lato&fontCustom=Roboto", func(o *Overlay) { o.Font = "Lato" }, nil},
		{`font=x"%3B}body{`, func(*Overlay) {}, []string{"font"}},
		// stroke, shadow
		{"stroke=1", func(o *Overlay) { o.Stroke = 1 }, nil},
		{"stroke=4", func(o *Overlay) { o.Stroke = 4 }, nil},
		{"stroke=false", func(*Overlay) {}, nil},
		{"stroke=5", func(*Overlay) {}, []string{"stroke"}},
		{"shadow=3", func(o *Overlay) { o.Shadow = 3 }, nil},
		{"shadow=0", func(*Overlay) {}, nil},
		{"shadow=x", func(*Overlay) {}, []string{"shadow"}},
		// booleans: every spelling, bare presence, and a bad value
		{"animate", func(o *Overlay) { o.Animate = true }, nil},
		{"animate=yes", func(o *Overlay) { o.Animate = true }, nil},
		{"animate=maybe", func(*Overlay) {}, []string{"animate"}},
		{"small_caps=true", func(o *Overlay) { o.SmallCaps = true }, nil},
		{"smallCaps=1", func(o *Overlay) { o.SmallCaps = true }, nil},
		{"bots=true", func(o *Overlay) { o.ShowBots = true }, nil},
		{"bot_activity=true", func(o *Overlay) { o.ShowBots = true }, nil},
		{"bots=0&bot_activity=1", func(*Overlay) {}, nil}, // the canonical name wins
		{"bot_names=GlimBot2,@helper", func(o *Overlay) { o.BotNames = bots("glimbot2", "helper") }, nil},
		{"botNames=x", func(o *Overlay) { o.BotNames = bots("x") }, nil},
		{"bot_names=ok,not%20ok", func(o *Overlay) { o.BotNames = bots("ok") }, []string{"bot_names"}},
		{"hide_commands", func(o *Overlay) { o.HideCommands = true }, nil},
		{"hide_commands=no", func(*Overlay) {}, nil},
		{"hide_badges=on", func(o *Overlay) { o.HideBadges = true }, nil},
		{"block=Spammer,Other", func(o *Overlay) { o.Block = []string{"spammer", "other"} }, nil},
		{"hidefrom=a", func(o *Overlay) { o.Block = []string{"a"} }, nil},
		{"ignored=b", func(o *Overlay) { o.Block = []string{"b"} }, nil},
		{"block=,,", func(*Overlay) {}, nil},
		// theme, clipping, emotes, timestamps
		{"theme=dark", func(o *Overlay) { o.Theme = Dark }, nil},
		{"theme=LIGHT", func(o *Overlay) { o.Theme = Light }, nil},
		{"theme=bubbles", func(o *Overlay) { o.Theme = Bubbles }, nil},
		{"theme=neon", func(*Overlay) {}, []string{"theme"}},
		{"prevent_clipping=true", func(o *Overlay) { o.PreventClipping = true }, nil},
		{"emote_scale=2", func(o *Overlay) { o.EmoteScale = 2 }, nil},
		{"emoteScale=1.5", func(o *Overlay) { o.EmoteScale = 1.5 }, nil},
		{"emote_scale=0.1", func(*Overlay) {}, []string{"emote_scale"}},
		{"emote_scale=NaN", func(*Overlay) {}, []string{"emote_scale"}},
		{"big_emotes", func(o *Overlay) { o.BigEmotes = true }, nil},
		{"timestamps=1", func(o *Overlay) { o.Timestamps = true }, nil},
		// highlight and mentions
		{"highlight=GG,%20hype%20train%20", func(o *Overlay) { o.Highlight = []string{"gg", "hype train"} }, nil},
		{"mentions=0", func(o *Overlay) { o.Mentions = false }, nil},
		{"highlight=" + strings.Repeat("k", 51), func(*Overlay) {}, []string{"highlight"}},
		// layout
		{"direction=top", func(o *Overlay) { o.Direction = "top" }, nil},
		{"direction=sideways", func(*Overlay) {}, []string{"direction"}},
		{"align=right", func(o *Overlay) { o.Align = "right" }, nil},
		{"align=Center", func(o *Overlay) { o.Align = "center" }, nil},
		{"align=justify", func(*Overlay) {}, []string{"align"}},
		// background
		{"background=%23000000aa", func(o *Overlay) { o.Background = "#000000aa" }, nil},
		{"background=000a", func(o *Overlay) { o.Background = "#000000aa" }, nil},
		{"background=%23123456", func(o *Overlay) { o.Background = "#123456ff" }, nil},
		{"background=transparent", func(o *Overlay) { o.Background = "#00000000" }, nil},
		{"background=red%3Bx:y", func(*Overlay) {}, []string{"background"}},
		{"background=url(x)", func(*Overlay) {}, []string{"background"}},
		// lang
		{"lang=de", func(o *Overlay) { o.Lang = "de" }, nil},
		{"lang=pt-BR", func(o *Overlay) { o.Lang = "pt-BR" }, nil},
		{"lang=x", func(*Overlay) {}, []string{"lang"}},
		{"lang=en_US", func(*Overlay) {}, []string{"lang"}},
		// unknown parameters are named, never fatal
		{"colour=red", func(*Overlay) {}, []string{"colour"}},
		{"hidecommands=1", func(*Overlay) {}, []string{"hidecommands"}},
	} {
		c, errs := Parse("channel=mytho&"+tc.query, page)
		want := defaultOverlay()
		tc.edit(&want)
		if !reflect.DeepEqual(c.Overlay, want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tc.query, c.Overlay, want)
		}
		var named []string
		for _, e := range errs {
			named = append(named, e.(*ParamError).Param)
		}
		if !slices.Equal(named, tc.warn) {
			t.Errorf("%q: warnings about %q (%v), want about %q", tc.query, named, errs, tc.warn)
		}
		if c.Channel != "mytho" || c.Limit != DefaultLimit {
			t.Errorf("%q: a look parameter changed the rest: %+v", tc.query, c)
		}
	}
}

// TestValuesRoundTrip: a parsed URL written back and parsed again gives the
// same configuration, with only canonical names.
func TestValuesRoundTrip(t *testing.T) {
	for _, q := range []string{
		"channel=mytho",
		"channel=mytho&instance=https://glimesh.example&client_id=abc&history=5&limit=7&avatars&transport=socket",
		"channel=mytho&fade=true&size=2&font=3&stroke=2&shadow=1&animate&small_caps&bots&bot_names=zed&hide_commands" +
			"&hide_badges&block=a,b&theme=bubbles&prevent_clipping&emote_scale=1.5&big_emotes&timestamps" +
			"&highlight=gg&mentions=0&direction=top&align=center&background=%23000a&lang=de&mod_poll=0&hold=3",
		"channel=mytho&fontCustom=Fira%20Sans&font_size=20&bot_activity=1&hidefrom=x",
	} {
		c, errs := Parse(q, page)
		if len(errs) > 0 {
			t.Fatalf("%q: %v", q, errs)
		}
		v := c.Values(page)
		again, errs := Parse(v.Encode(), page)
		if len(errs) > 0 || !reflect.DeepEqual(c, again) {
			t.Errorf("%q → %q: %v\n got %+v\nwant %+v", q, v.Encode(), errs, again, c)
		}
		for name := range v {
			if _, alias := aliases[strings.ToLower(name)]; alias {
				t.Errorf("%q: Values uses the alias %q", q, name)
			}
		}
	}
	if v := (Config{}).Values(page); len(v) != 0 {
		c, _ := Parse("", page)
		if got := c.Values(page); len(got) != 0 {
			t.Errorf("defaults write parameters: %q", got.Encode())
		}
	}
}

func TestAttrsAndProps(t *testing.T) {
	c, _ := Parse("channel=m&theme=light&stroke=2&animate&font=1&size=2&emote_scale=2&background=%23000a&prevent_clipping", page)
	attrs := map[string]string{}
	for _, a := range c.Overlay.Attrs() {
		attrs[a[0]] = a[1]
	}
	want := map[string]string{"data-theme": "light", "data-direction": "bottom", "data-align": "left", "data-stroke": "2",
		"data-animate": "", "data-prevent-clipping": "", "data-background": ""}
	if !reflect.DeepEqual(attrs, want) {
		t.Errorf("attrs %v, want %v", attrs, want)
	}
	props := map[string]string{}
	for _, p := range c.Overlay.Props() {
		props[p[0]] = p[1]
	}
	wantProps := map[string]string{"--glimchat-font-size": "18px", "--glimchat-font": `"Segoe UI", var(--glimchat-font-fallback)`,
		"--glimchat-emote-scale": "2", "--glimchat-msg-bg": "#000000aa"}
	if !reflect.DeepEqual(props, wantProps) {
		t.Errorf("props %v, want %v", props, wantProps)
	}
	if c, _ := Parse("channel=m&size=1&font_size=30", page); c.Overlay.FontPx() != 30 {
		t.Errorf("font_size does not win over size: %d", c.Overlay.FontPx())
	}
}

func TestImport(t *testing.T) {
	for _, tc := range []struct {
		raw   string
		src   Source
		want  string // canonical query
		notes []string
	}{
		{"https://www.giambaj.it/twitch/jchat/v2/?channel=xqc&size=3&font=4&stroke=2&shadow=1&bots=true&hide_commands=true&hide_badges=true&animate=true&fade=30&small_caps=true&block=nightbot,foo",
			FromJChat, "animate=1&block=nightbot%2Cfoo&bots=1&channel=xqc&fade=30&font=4&hide_badges=1&hide_commands=1&shadow=1&size=3&small_caps=1&stroke=2",
			[]string{"channel=xqc was a Twitch name", "jChat shows no stream events"}},
		{"https://nightdev.com/hosted/obschat/?theme=bttv_dark&channel=NAME&fade=false&bot_activity=true&prevent_clipping=false",
			FromKapChat, "bots=1&channel=NAME&theme=dark",
			[]string{"channel=NAME was a Twitch name", "theme=bttv_dark became theme=dark", "KapChat shows no stream events"}},
		{"https://nightdev.com/hosted/obschat/?theme=light&channel=n&fade=true",
			FromKapChat, "channel=n&fade=30&hide_commands=1&theme=light", []string{"Twitch name", "no stream events"}},
		{"https://nightdev.com/hosted/obschat/?theme=s0n0s_1080&channel=n&style=clear&bot_activity=false",
			FromKapChat, "channel=n&hide_commands=1&theme=bubbles", []string{"Twitch name", "style has no Glimesh counterpart", "theme=s0n0s_1080 became", "no stream events"}},
		{"https://chatis.is2511.com/v2/?channel=a&fontCustom=Fira%20Sans&emoteScale=2&botNames=b1,b2&hide_special_badges=true&size=2",
			FromChatIS, "bot_names=b1%2Cb2&channel=a&emote_scale=2&font=Fira+Sans&size=2",
			[]string{"Twitch name", "hide_special_badges has no Glimesh counterpart"}},
		{"http://127.0.0.1:8080/overlay.html?channel=demo&client_id=glimchat-demo&max=20&fade=10",
			FromGlimchat, "channel=demo&client_id=glimchat-demo&fade=10&limit=20", nil},
		{"channel=demo&theme=neon", FromGlimchat, "channel=demo", []string{`theme="neon" is not valid`}},
	} {
		v, src, notes := Import(tc.raw, page)
		if got := v.Encode(); got != tc.want || src != tc.src {
			t.Errorf("%s:\n got %s (%s)\nwant %s (%s)", tc.raw, got, src, tc.want, tc.src)
		}
		if len(notes) != len(tc.notes) {
			t.Errorf("%s: notes %q, want %d like %q", tc.raw, notes, len(tc.notes), tc.notes)
			continue
		}
		for _, want := range tc.notes {
			if !slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, want) }) {
				t.Errorf("%s: no note says %q: %q", tc.raw, want, notes)
			}
		}
	}
}

func TestImportNeverPanics(t *testing.T) {
	for _, raw := range []string{"", "?", "%", "http://[::1", "javascript:alert(1)", "?a=%zz"} {
		v, _, _ := Import(raw, page)
		if _, err := url.ParseQuery(v.Encode()); err != nil {
			t.Errorf("%q: %v", raw, err)
		}
	}
}

// TestForm: the generator's fields become canonical parameters, empty
// fields and defaults leave none, and bad values are named.
func TestForm(t *testing.T) {
	v, notes := Form(url.Values{"channel": {"demo"}, "fade": {"20"}, "theme": {"clear"}, "limit": {""}, "size": {"9"},
		"instance": {"https://glimesh.example/"}}, page)
	if got := v.Encode(); got != "channel=demo&fade=20&instance=https%3A%2F%2Fglimesh.example" {
		t.Errorf("query %q", got)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "size") {
		t.Errorf("notes %q, want one about size", notes)
	}
}
