package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

var fakeWasm = append([]byte("\x00asm\x01\x00\x00\x00"), bytes.Repeat([]byte("widget code "), 500)...)

const overlayPage = `<!doctype html>
<meta name="glimchat-wasm" content="glimchat.wasm">
<script src="wasm_exec.js"></script>
<script src="loader.js" defer></script>
`

// fixture makes a source folder shaped like web/ and returns a Config for it.
func fixture(t *testing.T, pages map[string]string) Config {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "web")
	files := map[string]string{
		"index.html":       `<!doctype html><title>glimchat</title><a href="overlay.html">overlay</a>`,
		"overlay.html":     overlayPage,
		"glimchat.css":     ".glimchat { color: var(--glimchat-text); }",
		"loader.js":        "new Go();",
		"favicon.svg":      `<svg xmlns="http://www.w3.org/2000/svg"/>`,
		"embed.go":         "package web",
		"bundle/main.go":   "package main",
		"dist/.gitkeep":    "",
		"README.txt":       "not an asset",
		"../wasm_exec.js":  "// the toolchain's wasm_exec.js",
		"../glimchat.wasm": string(fakeWasm),
	}
	for name, body := range pages {
		files[name] = body
	}
	for name, body := range files {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return Config{
		Src:      src,
		Out:      filepath.Join(src, "dist"),
		Wasm:     filepath.Join(dir, "glimchat.wasm"),
		WasmExec: filepath.Join(dir, "wasm_exec.js"),
	}
}

// readDir returns every file in dir by name.
func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := make(map[string][]byte)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

func TestWasmName(t *testing.T) {
	name := WasmName(fakeWasm)
	if !regexp.MustCompile(`^glimchat\.[0-9a-f]{12}\.wasm$`).MatchString(name) {
		t.Errorf("WasmName = %q, want glimchat.<12 hex>.wasm", name)
	}
	if name != WasmName(slices.Clone(fakeWasm)) {
		t.Error("WasmName differs for equal content")
	}
	other := append(slices.Clone(fakeWasm), 0)
	if name == WasmName(other) {
		t.Error("WasmName is the same for different content")
	}
}

func TestBundle(t *testing.T) {
	cfg := fixture(t, nil)
	if err := os.WriteFile(filepath.Join(cfg.Out, "glimchat.0123456789ab.wasm"), []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	names, err := Bundle(cfg)
	if err != nil {
		t.Fatal(err)
	}
	wasmName := WasmName(fakeWasm)
	want := []string{"favicon.svg", "glimchat.css", wasmName, "index.html", "loader.js", "overlay.html", "wasm_exec.js"}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("Bundle returned %q, want %q", names, want)
	}

	files := readDir(t, cfg.Out)
	var got []string
	for name := range files {
		got = append(got, name)
	}
	wantFiles := []string{".gitkeep"}
	for _, n := range want {
		wantFiles = append(wantFiles, n, n+".br", n+".gz")
	}
	slices.Sort(got)
	slices.Sort(wantFiles)
	if !slices.Equal(got, wantFiles) {
		t.Fatalf("output files = %q, want %q (stale files removed, .gitkeep kept)", got, wantFiles)
	}

	if !bytes.Equal(files[wasmName], fakeWasm) {
		t.Error("wasm content changed")
	}
	if string(files["wasm_exec.js"]) != "// the toolchain's wasm_exec.js" {
		t.Errorf("wasm_exec.js = %q, want the toolchain's copy", files["wasm_exec.js"])
	}
	wantOverlay := strings.Replace(overlayPage, `content="glimchat.wasm">`, `content="`+wasmName+`">`+"\n"+
		`<link rel="preload" href="`+wasmName+`" as="fetch" type="application/wasm" crossorigin>`, 1)
	if string(files["overlay.html"]) != wantOverlay {
		t.Errorf("overlay.html =\n%s\nwant\n%s", files["overlay.html"], wantOverlay)
	}
	if !strings.Contains(string(files["index.html"]), `<a href="overlay.html">`) {
		t.Errorf("index.html changed: %q", files["index.html"])
	}
	for _, n := range want {
		br, err := io.ReadAll(brotli.NewReader(bytes.NewReader(files[n+".br"])))
		if err != nil || !bytes.Equal(br, files[n]) {
			t.Errorf("%s.br does not decode to %s (err %v)", n, n, err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(files[n+".gz"]))
		if err != nil {
			t.Fatalf("%s.gz: %v", n, err)
		}
		gz, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(gz, files[n]) {
			t.Errorf("%s.gz does not decode to %s (err %v)", n, n, err)
		}
		if zr.Name != "" || !zr.ModTime.IsZero() {
			t.Errorf("%s.gz header has name %q, mtime %v; want none (deterministic)", n, zr.Name, zr.ModTime)
		}
	}
	if len(files[wasmName+".br"]) >= len(fakeWasm)/4 {
		t.Errorf("wasm.br is %d bytes for %d input bytes; not compressed", len(files[wasmName+".br"]), len(fakeWasm))
	}
}

func TestBundleDeterministic(t *testing.T) {
	cfg := fixture(t, nil)
	if _, err := Bundle(cfg); err != nil {
		t.Fatal(err)
	}
	first := readDir(t, cfg.Out)

	// A fresh folder: everything compressed again.
	fresh := cfg
	fresh.Out = t.TempDir()
	if _, err := Bundle(fresh); err != nil {
		t.Fatal(err)
	}
	// The same folder again: compressed files reused.
	if _, err := Bundle(cfg); err != nil {
		t.Fatal(err)
	}
	for name, dir := range map[string]string{"fresh": fresh.Out, "rebuilt": cfg.Out} {
		second := readDir(t, dir)
		delete(second, ".gitkeep")
		if len(second) != len(first)-1 {
			t.Errorf("%s: %d files, want %d", name, len(second), len(first)-1)
		}
		for n, b := range second {
			if !bytes.Equal(first[n], b) {
				t.Errorf("%s: %s differs between runs", name, n)
			}
		}
	}
}

func TestBundleDoesNotReuseBadCompression(t *testing.T) {
	cfg := fixture(t, nil)
	wasmName := WasmName(fakeWasm)
	if _, err := Bundle(cfg); err != nil {
		t.Fatal(err)
	}
	good := readDir(t, cfg.Out)
	// Valid compressed streams of other content, and garbage.
	wrong, _ := compressBrotli([]byte("something else"))
	wrongGz, _ := compressGzip(append(slices.Clone(fakeWasm), 'x'))
	os.WriteFile(filepath.Join(cfg.Out, wasmName+".br"), wrong, 0o644)
	os.WriteFile(filepath.Join(cfg.Out, wasmName+".gz"), wrongGz, 0o644)
	os.WriteFile(filepath.Join(cfg.Out, "loader.js.br"), []byte("garbage"), 0o644)
	if _, err := Bundle(cfg); err != nil {
		t.Fatal(err)
	}
	again := readDir(t, cfg.Out)
	for _, n := range []string{wasmName + ".br", wasmName + ".gz", "loader.js.br"} {
		if !bytes.Equal(again[n], good[n]) {
			t.Errorf("%s was reused although it decodes to other content", n)
		}
	}
}

func TestBundleErrors(t *testing.T) {
	tests := []struct {
		name  string
		pages map[string]string
		edit  func(*Config)
		want  string
	}{
		{"inline script", map[string]string{"embed.html": `<meta name="glimchat-wasm" content="x"><script>alert(1)</script>`}, nil, "inline <script>"},
		{"inline script with type", map[string]string{"embed.html": `<SCRIPT type="module">go()</SCRIPT>`}, nil, "inline <script>"},
		{"two metas", map[string]string{"embed.html": `<meta name="glimchat-wasm" content="a"><meta name="glimchat-wasm" content="b">`}, nil, "more than one"},
		{"loader without meta", map[string]string{"embed.html": `<script src="loader.js"></script>`}, nil, "no <meta"},
		{"reserved name", map[string]string{"wasm_exec.js": "stale copy"}, nil, "reserved"},
		{"not wasm", nil, func(c *Config) { os.WriteFile(c.Wasm, []byte("MZ"), 0o644) }, "not a WebAssembly binary"},
		{"missing wasm", nil, func(c *Config) { c.Wasm += ".missing" }, "read wasm"},
		{"missing wasm_exec", nil, func(c *Config) { c.WasmExec += ".missing" }, "wasm_exec.js"},
		{"no pages", nil, func(c *Config) {
			os.Remove(filepath.Join(c.Src, "index.html"))
			os.Remove(filepath.Join(c.Src, "overlay.html"))
		}, "no .html page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := fixture(t, tt.pages)
			if tt.edit != nil {
				tt.edit(&cfg)
			}
			keep := filepath.Join(cfg.Out, "previous.html")
			os.WriteFile(keep, []byte("x"), 0o644)
			_, err := Bundle(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Bundle error = %v, want one containing %q", err, tt.want)
			}
			// A failed bundle leaves the previous output alone.
			if _, err := os.Stat(keep); err != nil {
				t.Errorf("failed bundle touched the output: %v", err)
			}
		})
	}
}
