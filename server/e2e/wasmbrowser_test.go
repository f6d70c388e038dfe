package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/glimchat/glimchat/internal/testids"
)

// TestWasmPackagesInBrowser runs the tests of every package under wasm/,
// built for js/wasm, in headless Chromium through wasmbrowsertest: the
// packages whose tests need a browser (a DOM, fetch, WebSocket) and the
// portable ones alike. The packages are found, not listed, so a new one runs
// as soon as it has tests. wasm/transport's fetch tests talk to a
// fetchServer on another origin, which then checks their requests from the
// server's side.
func TestWasmPackagesInBrowser(t *testing.T) {
	root := moduleRoot(t)
	wbt := wasmBrowserTest(t, root)
	pkgs := wasmTestPackages(t, root)
	fsrv := newFetchServer(t)

	ctx, cancel := context.WithTimeout(t.Context(), 6*time.Minute)
	defer cancel()
	args := []string{"test", "-count=1", "-timeout=3m", "-json", "-exec", wbt}
	for _, p := range pkgs {
		args = append(args, p.ImportPath)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", testids.FetchServerEnv+"="+fsrv.URL)
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("go test in the browser: %v\n%s", err, out)
	}
	runs := parseTestJSON(out)

	for _, p := range pkgs {
		name, _ := filepath.Rel(root, p.Dir)
		t.Run(filepath.ToSlash(name), func(t *testing.T) {
			pkg := p.ImportPath
			run := runs.pkgs[pkg]
			if run == nil {
				t.Fatalf("go test did not report %s:\n%s", pkg, runs.other.String())
			}
			log := runs.report(pkg)
			if run.action != "pass" {
				t.Fatalf("browser tests of %s: %q, want pass:\n%s\n%s", pkg, run.action, log, runs.other.String())
			}
			t.Logf("browser tests of %s:\n%s", pkg, log)
			// A promise callback released before its promise settled, or a
			// panic recovered at a callback boundary, only reaches the console.
			for _, bad := range []string{"call to released function", "glimchat: panic in"} {
				if strings.Contains(log, bad) {
					t.Errorf("the browser console says %q", bad)
				}
			}
		})
	}
	if err != nil && !t.Failed() {
		t.Errorf("go test in the browser: %v\n%s", err, runs.other.String())
	}
	t.Run("wasm/transport against the fetch server", fsrv.checkClients)
}

// moduleRoot is the directory of the module's go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		t.Fatal("go env GOMOD: not inside the module")
	}
	return filepath.Dir(mod)
}

// wasmBrowserTest is the path of wasmbrowsertest: $WASMBROWSERTEST, or the
// one make test installs into bin/.
func wasmBrowserTest(t *testing.T, root string) string {
	t.Helper()
	wbt := os.Getenv("WASMBROWSERTEST")
	if wbt == "" {
		wbt = filepath.Join(root, "bin", "wasmbrowsertest")
	}
	if _, err := os.Stat(wbt); err != nil {
		t.Fatalf("wasmbrowsertest: %v: run make test (it installs wasmbrowsertest)", err)
	}
	return wbt
}

// listedPackage is what go list says of a package, as far as tests go.
type listedPackage struct {
	ImportPath     string
	Dir            string
	TestGoFiles    []string
	XTestGoFiles   []string
	IgnoredGoFiles []string // excluded by build constraints, test files too
}

func (p listedPackage) testFiles() []string { return append(p.TestGoFiles, p.XTestGoFiles...) }

// listPackages runs go list over ./wasm/... with env added to the
// environment (for example GOOS=js).
func listPackages(t *testing.T, root string, env ...string) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Dir,TestGoFiles,XTestGoFiles,IgnoredGoFiles", "./wasm/...")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s go list ./wasm/...: %v\n%s", strings.Join(env, " "), err, stderr.String())
	}
	var pkgs []listedPackage
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			return pkgs
		} else if err != nil {
			t.Fatalf("%s go list ./wasm/...: %v", strings.Join(env, " "), err)
		}
		pkgs = append(pkgs, p)
	}
}

// wasmTestPackages returns the packages under wasm/ that have tests when
// built for js/wasm. It fails the test for a test file under wasm/ that
// neither the js/wasm build nor the host's compiles, since then no run of
// go test would ever compile it.
func wasmTestPackages(t *testing.T, root string) []listedPackage {
	t.Helper()
	js := listPackages(t, root, "GOOS=js", "GOARCH=wasm")
	host := listPackages(t, root)
	compiled := map[string]bool{}
	for _, p := range slices.Concat(js, host) {
		for _, f := range p.testFiles() {
			compiled[filepath.Join(p.Dir, f)] = true
		}
	}
	for _, p := range slices.Concat(js, host) {
		for _, f := range p.IgnoredGoFiles {
			if path := filepath.Join(p.Dir, f); strings.HasSuffix(f, "_test.go") && !compiled[path] {
				compiled[path] = true // report it once
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s is built neither for js/wasm nor for the host: no test run compiles it", rel)
			}
		}
	}
	var pkgs []listedPackage
	for _, p := range js {
		if len(p.testFiles()) > 0 {
			pkgs = append(pkgs, p)
		}
	}
	if len(pkgs) == 0 {
		t.Fatal("go list finds no package under wasm/ with tests for js/wasm")
	}
	return pkgs
}

// testEvent is one line of go test -json (see go doc test2json).
type testEvent struct {
	Action      string
	Package     string
	Test        string
	Output      string
	ImportPath  string // of a build-output event, "path [path.test]" for a test build
	FailedBuild string // the ImportPath whose build failure failed the package
}

// packageRun is what go test -json reported of one package.
type packageRun struct {
	action      string // pass, fail or skip (no test files) once it ended
	failedBuild string
	output      strings.Builder
}

// testRuns is go test -json's output: the runs by package, and the
// compiler's output by build.
type testRuns struct {
	pkgs   map[string]*packageRun
	builds map[string]*strings.Builder
	other  strings.Builder // lines that are no event
}

func parseTestJSON(out []byte) *testRuns {
	runs := &testRuns{pkgs: map[string]*packageRun{}, builds: map[string]*strings.Builder{}}
	for line := range strings.Lines(string(out)) {
		var ev testEvent
		if !strings.HasPrefix(line, "{") || json.Unmarshal([]byte(line), &ev) != nil {
			runs.other.WriteString(line)
			continue
		}
		if ev.Package == "" {
			b := runs.builds[ev.ImportPath]
			if b == nil {
				b = &strings.Builder{}
				runs.builds[ev.ImportPath] = b
			}
			b.WriteString(ev.Output)
			continue
		}
		run := runs.pkgs[ev.Package]
		if run == nil {
			run = &packageRun{}
			runs.pkgs[ev.Package] = run
		}
		run.output.WriteString(ev.Output)
		if ev.Test == "" && slices.Contains([]string{"pass", "fail", "skip"}, ev.Action) {
			run.action, run.failedBuild = ev.Action, ev.FailedBuild
		}
	}
	return runs
}

// report is what go test said of pkg's run, with the compiler's output when
// a build failed it.
func (runs *testRuns) report(pkg string) string {
	run := runs.pkgs[pkg]
	var b strings.Builder
	b.WriteString(run.output.String())
	if out := runs.builds[run.failedBuild]; out != nil {
		b.WriteString(out.String())
	}
	return filterNoise(b.String())
}

// filterNoise drops the lines wasmbrowsertest's old cdproto prints about
// event fields it does not know.
func filterNoise(s string) string {
	var keep []string
	for line := range strings.Lines(s) {
		if !strings.Contains(line, "IPAddressSpace") {
			keep = append(keep, strings.TrimRight(line, "\n"))
		}
	}
	return strings.Join(keep, "\n")
}

// A package that failed because a build failed, maybe another package's,
// is reported with the compiler's output.
func TestParseTestJSON(t *testing.T) {
	out := `{"ImportPath":"m/a [m/a.test]","Action":"build-output","Output":"a.go:2:23: cannot use \"x\"\n"}
{"ImportPath":"m/a [m/a.test]","Action":"build-fail"}
{"Action":"start","Package":"m/a"}
{"Action":"output","Package":"m/a","Output":"FAIL\tm/a [build failed]\n"}
{"Action":"fail","Package":"m/a","FailedBuild":"m/a [m/a.test]"}
{"Action":"output","Package":"m/b","Test":"TestB","Output":"--- PASS: TestB\n"}
{"Action":"pass","Package":"m/b","Test":"TestB"}
{"Action":"pass","Package":"m/b"}
not json
`
	runs := parseTestJSON([]byte(out))
	if a := runs.pkgs["m/a"]; a == nil || a.action != "fail" || !strings.Contains(runs.report("m/a"), `cannot use "x"`) {
		t.Errorf("m/a: %+v, report %q; want fail with the compiler's output", a, runs.report("m/a"))
	}
	if b := runs.pkgs["m/b"]; b == nil || b.action != "pass" || runs.report("m/b") != "--- PASS: TestB" {
		t.Errorf("m/b: %+v, report %q; want pass with its test's output", b, runs.report("m/b"))
	}
	if runs.other.String() != "not json\n" {
		t.Errorf("other = %q, want the line that is no event", runs.other.String())
	}
}
