package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/glimchat/glimchat/server/site"
	"github.com/glimchat/glimchat/server/static"
)

// Proc is a running `glimchat serve` or `glimchat demo`.
type Proc struct {
	Name string
	URL  string // origin, from the "serving" log line
	cmd  *exec.Cmd
	done chan error

	mu     sync.Mutex
	tokens map[string]string // bearer token per demo user, from stdout
	got    chan struct{}     // signalled on each token
}

var (
	urlLine   = regexp.MustCompile(`msg="serving [^"]*" url=(http://[^/\s]+)/`)
	tokenLine = regexp.MustCompile(`bearer token for (\S+)\s+\(scopes: [^)]*\): ([0-9a-f]+)`)
)

// startGlimchat runs bin with args on a free loopback port and waits until
// it serves. Its log goes to logDir/name.log.
func startGlimchat(ctx context.Context, bin, name, logDir string, args ...string) (*Proc, error) {
	logf, err := os.Create(filepath.Join(logDir, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, append(args, "-addr", "127.0.0.1:0")...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Proc{Name: name, cmd: cmd, done: make(chan error, 1), tokens: map[string]string{}, got: make(chan struct{}, 1)}
	go func() { // stdout: the credentials, then nothing
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := tokenLine.FindStringSubmatch(sc.Text()); m != nil {
				p.mu.Lock()
				p.tokens[m[1]] = m[2]
				p.mu.Unlock()
				select {
				case p.got <- struct{}{}:
				default:
				}
			}
		}
	}()
	served := make(chan string, 1)
	go func() { // stderr: the log; the first "serving" line names the port
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			fmt.Fprintln(logf, sc.Text())
			if m := urlLine.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case served <- m[1]:
				default:
				}
			}
		}
		logf.Close()
	}()
	go func() { p.done <- cmd.Wait() }()
	select {
	case p.URL = <-served:
	case err := <-p.done:
		return nil, fmt.Errorf("%s exited before serving (%v); see %s", name, err, logf.Name())
	case <-time.After(30 * time.Second):
		p.Stop()
		return nil, fmt.Errorf("%s did not serve within 30s; see %s", name, logf.Name())
	case <-ctx.Done():
		p.Stop()
		return nil, ctx.Err()
	}
	return p, nil
}

// Token is the bearer token of a demo user, as the process printed it.
func (p *Proc) Token(user string) (string, error) {
	deadline := time.After(10 * time.Second)
	for {
		p.mu.Lock()
		t := p.tokens[user]
		p.mu.Unlock()
		if t != "" {
			return t, nil
		}
		select {
		case <-p.got:
		case <-deadline:
			return "", fmt.Errorf("%s printed no token for %s", p.Name, user)
		}
	}
}

// Stop ends the process: SIGTERM, then SIGKILL after 10 s.
func (p *Proc) Stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// Baseline is the bench's own server for the floor and the JS baseline: the
// staged files through glimchat's static handler (same encodings and cache
// headers as the widget gets), and the instance's paths proxied to api, so
// that both pages can be same-origin with an instance as the widget is.
type Baseline struct {
	URL string
	srv *http.Server
	log *os.File
}

// startBaseline serves dir, and logs to logf, which it closes on Stop.
func startBaseline(dir string, api *url.URL, logf *os.File) (*Baseline, error) {
	st, err := static.New(os.DirFS(dir))
	if err != nil {
		return nil, err
	}
	errLog := log.New(logf, "", log.LstdFlags)
	proxy := httputil.NewSingleHostReverseProxy(api)
	proxy.ErrorLog = errLog // closed tabs cut proxied sockets: not news for the terminal
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if site.IsAPIPath(r.URL.Path) {
			proxy.ServeHTTP(w, r)
			return
		}
		st.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &Baseline{URL: "http://" + ln.Addr().String(), srv: &http.Server{Handler: h, ErrorLog: errLog}, log: logf}
	go func() {
		if err := b.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "bench: baseline server:", err)
		}
	}()
	return b, nil
}

func (b *Baseline) Stop() {
	if b != nil {
		b.srv.Close()
		b.log.Close()
	}
}

// Servers are everything the pages talk to.
type Servers struct {
	Demo     *Proc     // glimchat demo -faults: the cross-origin instance
	Serve    *Proc     // glimchat serve -instance Demo.URL, with its own demo mounted
	Baseline *Baseline // the floor and the JS baseline, API proxied to Serve
}

func startServers(ctx context.Context, bin, siteDir, logDir string) (*Servers, error) {
	s := &Servers{}
	var err error
	// -chat-rate 0: the only messages are the bench's own.
	if s.Demo, err = startGlimchat(ctx, bin, "demo", logDir, "demo", "-chat-rate", "0", "-faults"); err != nil {
		return nil, err
	}
	if s.Serve, err = startGlimchat(ctx, bin, "serve", logDir, "serve", "-chat-rate", "0", "-instance", s.Demo.URL); err != nil {
		s.Stop()
		return nil, err
	}
	if s.Demo.URL == s.Serve.URL {
		s.Stop()
		return nil, fmt.Errorf("demo and serve share the origin %s", s.Demo.URL)
	}
	api, _ := url.Parse(s.Serve.URL)
	logf, err := os.Create(filepath.Join(logDir, "baseline.log"))
	if err != nil {
		s.Stop()
		return nil, err
	}
	if s.Baseline, err = startBaseline(siteDir, api, logf); err != nil {
		logf.Close()
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Servers) Stop() {
	s.Baseline.Stop()
	s.Serve.Stop()
	s.Demo.Stop()
}

// fault posts to a demo fault hook, e.g. "stall?for=30s".
func fault(origin, name string) error {
	resp, err := http.Post(origin+"/_demo/fault/"+name, "text/plain", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("fault %s: %s", name, resp.Status)
	}
	return nil
}

// pageURL builds the URL of a page with the read-only demo credentials.
func pageURL(origin, page string, params ...string) string {
	q := url.Values{"channel": {"demo"}, "client_id": {"glimchat-demo"}}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	return origin + "/" + page + "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
}
