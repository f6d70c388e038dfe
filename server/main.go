// Command glimchat hosts the Glimesh chat widget and ships a demo Glimesh
// instance.
//
//	glimchat serve [-addr 127.0.0.1:8080] [-upstream URL] [-instance ORIGIN,...] [-chat-rate 1] [-seed N] [-redirect-uri URI,...]
//	glimchat demo  [-addr 127.0.0.1:4000] [-chat-rate 1] [-seed N] [-redirect-uri URI,...] [-idle-timeout 60s] [-faults]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/glimchat/glimchat/server/demo"
	"github.com/glimchat/glimchat/server/proxy"
	"github.com/glimchat/glimchat/server/site"
	"github.com/glimchat/glimchat/web"
)

const usage = `glimchat hosts the Glimesh chat widget.

Usage:
  glimchat serve [flags]   serve the widget, with the demo instance or an -upstream
  glimchat demo [flags]    run the demo Glimesh instance alone (cross-origin testing)
  glimchat help            show this help

Run "glimchat serve -h" or "glimchat demo -h" for the flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// errUsage marks errors whose message was already printed by the flag package.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stdout, stderr)
	case "demo":
		err = runDemo(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "glimchat: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "glimchat %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// demoFlags are shared by both commands.
type demoFlags struct {
	chatRate     float64
	seed         int64
	redirectURIs string
}

func (d *demoFlags) register(fs *flag.FlagSet) {
	fs.Float64Var(&d.chatRate, "chat-rate", 1, "simulated demo chat messages per second (0 = off)")
	fs.Int64Var(&d.seed, "seed", 1, "seed for the demo's history and simulated chat (same seed, same chat)")
	fs.StringVar(&d.redirectURIs, "redirect-uri", "", "comma-separated extra OAuth redirect URIs for the demo app (https://, or http:// on a loopback host)")
}

// options are the demo.Options the flags set.
func (d *demoFlags) options(logger *slog.Logger) demo.Options {
	opts := demo.Options{Seed: d.seed, ChatRate: d.chatRate, Logger: logger}
	for u := range strings.SplitSeq(d.redirectURIs, ",") {
		if u = strings.TrimSpace(u); u != "" {
			opts.RedirectURIs = append(opts.RedirectURIs, u)
		}
	}
	return opts
}

func (d *demoFlags) check() error {
	if d.chatRate < 0 || math.IsNaN(d.chatRate) || math.IsInf(d.chatRate, 0) || d.chatRate > 1000 {
		return fmt.Errorf("-chat-rate %v: want a number of messages per second from 0 to 1000", d.chatRate)
	}
	return nil
}

// parse registers the demo's flags beside the command's own on fs, parses
// args and checks the demo's.
func (d *demoFlags) parse(fs *flag.FlagSet, args []string) error {
	d.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	return d.check()
}

func parse(fs *flag.FlagSet, args []string) error {
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s [flags]\n\nFlags:\n", fs.Name())
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

func newLogger(stderr io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(stderr, nil))
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("glimchat serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	upstream := fs.String("upstream", "", "proxy the API to this Glimesh instance (absolute http(s) URL) instead of the demo")
	instances := fs.String("instance", "", "comma-separated extra instance origins the pages may connect to (CSP)")
	ancestors := fs.String("frame-ancestors", "*", "space-separated sites that may frame overlay.html and embed.html (CSP frame-ancestors: *, 'self', 'none' or origins; 'self' is always kept, for the generator's preview)")
	var df demoFlags
	if err := df.parse(fs, args); err != nil {
		return err
	}
	logger := newLogger(stderr)
	var origins []string
	for o := range strings.SplitSeq(*instances, ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}

	if _, err := site.CSP(origins); err != nil {
		return fmt.Errorf("-instance: %w", err)
	}
	if _, err := site.ParseFrameAncestors(*ancestors); err != nil {
		return fmt.Errorf("-frame-ancestors: %w", err)
	}
	var api http.Handler
	if *upstream != "" {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if set["chat-rate"] || set["seed"] || set["redirect-uri"] {
			return errors.New("-chat-rate, -seed and -redirect-uri configure the demo instance; they do not apply with -upstream")
		}
		u, err := proxy.ParseUpstream(*upstream)
		if err != nil {
			return fmt.Errorf("-upstream: %w", err)
		}
		if api, err = proxy.New(u, proxy.WithLogger(logger)); err != nil {
			return err
		}
		// Avatars and other absolute URLs the instance hands out point at it.
		origins = append(origins, u.Scheme+"://"+u.Host)
	}
	var inst *demo.Instance
	if api == nil {
		var err error
		if inst, err = demo.New(df.options(logger)); err != nil {
			return fmt.Errorf("start demo instance: %w", err)
		}
		api = inst.Handler()
	}
	h, err := site.New(site.Config{Assets: web.Dist(), API: api, Instances: origins, Logger: logger,
		FrameAncestors: *ancestors})
	if err != nil {
		return err
	}
	ln, err := listen(*addr)
	if err != nil {
		return err
	}
	if inst != nil {
		go inst.Run(ctx)
		printCredentials(stdout, inst, df.seed)
	}
	return serveOn(ctx, ln, h, logger, "widget host")
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("glimchat demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:4000", "listen address")
	idle := fs.Duration("idle-timeout", 60*time.Second, "close websockets idle this long (Phoenix: 60s)")
	faults := fs.Bool("faults", false, "expose the fault hooks under /_demo/ (tests only)")
	var df demoFlags
	if err := df.parse(fs, args); err != nil {
		return err
	}
	if *idle <= 0 {
		return fmt.Errorf("-idle-timeout %v: want a positive duration", *idle)
	}
	logger := newLogger(stderr)
	opts := df.options(logger)
	opts.IdleTimeout, opts.Faults = *idle, *faults
	inst, err := demo.New(opts)
	if err != nil {
		return fmt.Errorf("start demo instance: %w", err)
	}
	api := inst.Handler()
	mux := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			site.Healthz(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
	ln, err := listen(*addr)
	if err != nil {
		return err
	}
	go inst.Run(ctx)
	printCredentials(stdout, inst, df.seed)
	return serveOn(ctx, ln, site.AccessLog(logger, mux), logger, "demo Glimesh instance")
}

// printCredentials shows the demo's client id and bearer tokens on stdout,
// never through the log.
func printCredentials(stdout io.Writer, inst *demo.Instance, seed int64) {
	fmt.Fprintf(stdout, "Demo Glimesh instance (seed %d). For local preview only: these credentials work\n", seed)
	fmt.Fprintf(stdout, "against this process alone and change on every start.\n")
	fmt.Fprintf(stdout, "  client id: %s\n", demo.ClientID)
	fmt.Fprintf(stdout, "  OAuth redirect URIs (sign in at /oauth/authorize): %s\n", strings.Join(inst.RedirectURIs(), " "))
	for _, t := range inst.Tokens() {
		fmt.Fprintf(stdout, "  bearer token for %-10s (scopes: %s): %s\n", t.Username, strings.Join(t.Scopes, " "), t.Token)
	}
}

func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on -addr %s: %w", addr, err)
	}
	return ln, nil
}

func serveOn(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger, what string) error {
	logger.Info("serving "+what, "url", "http://"+ln.Addr().String()+"/")
	err := site.Run(ctx, site.NewServer(h, logger), ln, site.ShutdownGrace)
	logger.Info("stopped " + what)
	return err
}
