package chromium

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckMajor(t *testing.T) {
	for _, c := range []struct {
		version, want, err string
	}{
		{"127.0.6533.88", "127", ""},
		{"103.0.5060.53", "103", ""},
		{"156.0.8078.114", "127", "got Chromium 156.0.8078.114, want 127.x"},
		{"1270.0.1.2", "127", "got Chromium 1270.0.1.2, want 127.x"},
		{"127.0.6533.88", "127.0", `want major version "127.0": not a number`},
	} {
		err := checkMajor(c.version, c.want)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.err {
			t.Errorf("checkMajor(%q, %q) = %q, want %q", c.version, c.want, got, c.err)
		}
	}
}

// A $GLIMCHAT_CHROMIUM that is not there or cannot run is an error that says
// how to get one, never a silent fall back to Debian's chromium.
func TestStartRefusesBadPath(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, []byte("not a browser"), 0o644); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		filepath.Join(dir, "missing"): "make chromium-127",
		plain:                         "not an executable file",
		dir:                           "not an executable file",
	} {
		t.Setenv(PathEnv, path)
		_, stop, err := Start()
		if err == nil {
			stop()
			t.Fatalf("Start with %s=%s: no error", PathEnv, path)
		}
		if !strings.Contains(err.Error(), PathEnv+"="+path) || !strings.Contains(err.Error(), want) {
			t.Errorf("Start with %s=%s: %v, want it to name the variable and say %q", PathEnv, path, err, want)
		}
	}
}

// The browser's folder leads LD_LIBRARY_PATH, so that the libraries that
// @sparticuz/chromium unpacks beside it are the ones it loads.
func TestBinaryLibrariesBesideIt(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "chromium")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(PathEnv, exe)
	t.Setenv("LD_LIBRARY_PATH", "/opt/lib")
	path, env, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	if path != exe || len(env) != 1 || env[0] != "LD_LIBRARY_PATH="+dir+":/opt/lib" {
		t.Errorf("binary() = %q, %q; want %q, [LD_LIBRARY_PATH=%s:/opt/lib]", path, env, exe, dir)
	}
}

// Start checks the version it got against $GLIMCHAT_CHROMIUM_WANT, and
// Version reads it from the browser itself.
func TestStartChecksWantedVersion(t *testing.T) {
	ctx, stop, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	v, err := Version(ctx)
	stop()
	if err != nil {
		t.Fatal(err)
	}
	major, _, _ := strings.Cut(v, ".")
	t.Logf("chromium %s", v)

	t.Setenv(WantEnv, major)
	_, stop, err = Start()
	if err != nil {
		t.Fatalf("Start with %s=%s: %v", WantEnv, major, err)
	}
	stop()

	t.Setenv(WantEnv, "1")
	_, stop, err = Start()
	if err == nil {
		stop()
		t.Fatalf("Start with %s=1 in Chromium %s: no error", WantEnv, v)
	}
	if !strings.Contains(err.Error(), "got Chromium "+v+", want 1.x") {
		t.Errorf("Start with %s=1: %v, want it to name both versions", WantEnv, err)
	}
}
