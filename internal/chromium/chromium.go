// Package chromium starts headless chromium for the browser tests and the
// benchmarks, with the flags this machine needs: no sandbox (root), no GPU,
// and nothing that reaches for the network on its own. Debian's chromium is
// the default; $GLIMCHAT_CHROMIUM names another build, such as the Chromium
// 127 that OBS 31 ships (make chromium-127 unpacks one).
package chromium

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// The environment variables that choose the browser: PathEnv the binary
// (Debian's chromium on PATH when unset), WantEnv the major version it must
// report (any when unset), so that a run meant for Chromium 127 fails rather
// than passes in another.
const (
	PathEnv = "GLIMCHAT_CHROMIUM"
	WantEnv = "GLIMCHAT_CHROMIUM_WANT"
)

// Start launches chromium with a fresh profile in a temporary folder and
// returns a chromedp context for it. stop ends the browser and removes the
// profile. extra adds options, such as flags a benchmark needs.
func Start(extra ...chromedp.ExecAllocatorOption) (ctx context.Context, stop func(), err error) {
	path, env, err := binary()
	if err != nil {
		return nil, nil, err
	}
	want := os.Getenv(WantEnv)
	profile, err := os.MkdirTemp("", "glimchat-chromium-")
	if err != nil {
		return nil, nil, fmt.Errorf("chromium profile: %w", err)
	}
	opts := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Env(env...),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1024, 768),
	}, extra...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	stop = func() {
		cancel()
		cancelAlloc()
		os.RemoveAll(profile)
	}
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		stop()
		return nil, nil, fmt.Errorf("start chromium %s: %w", path, err)
	}
	if want != "" {
		v, err := Version(ctx)
		if err == nil {
			err = checkMajor(v, want)
		}
		if err != nil {
			stop()
			return nil, nil, fmt.Errorf("chromium %s (%s=%s): %w", path, WantEnv, want, err)
		}
	}
	return ctx, stop, nil
}

// binary is the browser to run and the environment it needs: a build of
// $GLIMCHAT_CHROMIUM keeps its shared libraries beside it (the SwiftShader
// GL libraries of @sparticuz/chromium), so its folder leads LD_LIBRARY_PATH.
func binary() (path string, env []string, err error) {
	path = os.Getenv(PathEnv)
	if path == "" {
		path, err = exec.LookPath("chromium")
		if err != nil {
			return "", nil, fmt.Errorf("%w: make test installs Debian's chromium", err)
		}
		return path, nil, nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return "", nil, fmt.Errorf("%s=%s: %w: make chromium-127 (or chromium-103) unpacks one", PathEnv, path, err)
	}
	if info.IsDir() || info.Mode()&0o111 == 0 {
		return "", nil, fmt.Errorf("%s=%s: not an executable file", PathEnv, path)
	}
	libs := filepath.Dir(path)
	if old := os.Getenv("LD_LIBRARY_PATH"); old != "" {
		libs += string(os.PathListSeparator) + old
	}
	return path, []string{"LD_LIBRARY_PATH=" + libs}, nil
}

// Version is the running browser's version as it reports it over CDP, such
// as "127.0.6533.88".
func Version(ctx context.Context) (string, error) {
	v, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		return "", fmt.Errorf("chromium version: %w", err)
	}
	// "HeadlessChrome/127.0.6533.88" or "Chrome/156.0.8078.114".
	_, number, ok := strings.Cut(v.Product, "/")
	if !ok || number == "" {
		return "", fmt.Errorf("chromium version: product %q has no version", v.Product)
	}
	return number, nil
}

// checkMajor says whether version (such as "127.0.6533.88") has the major
// version want (such as "127").
func checkMajor(version, want string) error {
	if _, err := strconv.Atoi(want); err != nil {
		return fmt.Errorf("want major version %q: not a number", want)
	}
	major, _, _ := strings.Cut(version, ".")
	if major != want {
		return fmt.Errorf("got Chromium %s, want %s.x", version, want)
	}
	return nil
}
