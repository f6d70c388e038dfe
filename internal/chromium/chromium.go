// Package chromium starts Debian's headless chromium for the browser tests
// and the benchmarks, with the flags this machine needs: no sandbox (root),
// no GPU, and nothing that reaches for the network on its own.
package chromium

import (
	"context"
	"fmt"
	"os"
	"os/exec"

	"github.com/chromedp/chromedp"
)

// Start launches chromium with a fresh profile in a temporary folder and
// returns a chromedp context for it. stop ends the browser and removes the
// profile. extra adds options, such as flags a benchmark needs.
func Start(extra ...chromedp.ExecAllocatorOption) (ctx context.Context, stop func(), err error) {
	path, err := exec.LookPath("chromium")
	if err != nil {
		return nil, nil, fmt.Errorf("%w: make test installs Debian's chromium", err)
	}
	profile, err := os.MkdirTemp("", "glimchat-chromium-")
	if err != nil {
		return nil, nil, fmt.Errorf("chromium profile: %w", err)
	}
	opts := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
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
	return ctx, stop, nil
}
