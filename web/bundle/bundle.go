package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// Config says what to bundle.
type Config struct {
	Src      string // folder with the pages, CSS and JS sources (top level only)
	Out      string // output folder; cleared first, except .gitkeep
	Wasm     string // the built widget
	WasmExec string // wasm_exec.js of the toolchain that built Wasm
}

// sourceExts are the file kinds copied from Src. Everything else there (Go
// files, this tool, dist/) is not an asset.
var sourceExts = []string{".html", ".css", ".js", ".svg"}

// metaRe matches the page's pointer to the wasm, which the bundle rewrites to
// the content-hashed name.
var metaRe = regexp.MustCompile(`<meta name="glimchat-wasm" content="[^"]*">`)

// scriptRe matches every script start tag; each must load a file, because the
// CSP (script-src 'self') refuses inline scripts.
var scriptRe = regexp.MustCompile(`(?is)<script\b([^>]*)>`)

var srcAttrRe = regexp.MustCompile(`(?i)\ssrc\s*=`)

// WasmName is the content-hashed file name for a wasm binary: it changes
// whenever the bytes do, so the file can be cached forever.
func WasmName(wasm []byte) string {
	sum := sha256.Sum256(wasm)
	return "glimchat." + hex.EncodeToString(sum[:])[:12] + ".wasm"
}

// asset is one file of the bundle, before compression.
type asset struct {
	name string
	data []byte
}

// compressed holds the .br and .gz forms of an asset.
type compressed struct{ br, gz []byte }

// Bundle writes the assets of cfg into cfg.Out and returns their names (not
// counting the compressed siblings), sorted.
func Bundle(cfg Config) ([]string, error) {
	wasm, err := os.ReadFile(cfg.Wasm)
	if err != nil {
		return nil, fmt.Errorf("read wasm: %w", err)
	}
	if !bytes.HasPrefix(wasm, []byte("\x00asm")) {
		return nil, fmt.Errorf("read wasm %s: not a WebAssembly binary", cfg.Wasm)
	}
	wasmExec, err := os.ReadFile(cfg.WasmExec)
	if err != nil {
		return nil, fmt.Errorf("read wasm_exec.js: %w", err)
	}
	wasmName := WasmName(wasm)
	assets, err := sources(cfg.Src, wasmName)
	if err != nil {
		return nil, err
	}
	for _, a := range assets {
		if a.name == "wasm_exec.js" || a.name == wasmName {
			return nil, fmt.Errorf("source %s: name is reserved for a generated asset", filepath.Join(cfg.Src, a.name))
		}
	}
	assets = append(assets, asset{"wasm_exec.js", wasmExec}, asset{wasmName, wasm})
	slices.SortFunc(assets, func(a, b asset) int { return strings.Compare(a.name, b.name) })

	// Brotli at best quality takes ~25 s for the widget, so compressed files of
	// the previous run are reused when they decode to exactly the same bytes.
	prev := previous(cfg.Out, assets)
	if err := clearDir(cfg.Out); err != nil {
		return nil, err
	}
	if err := writeAll(cfg.Out, assets, prev); err != nil {
		return nil, err
	}
	names := make([]string, len(assets))
	for i, a := range assets {
		names[i] = a.name
	}
	return names, nil
}

// sources reads the page sources and points every page at wasmName.
func sources(src, wasmName string) ([]asset, error) {
	entries, err := os.ReadDir(src)
	if err != nil {
		return nil, fmt.Errorf("read sources: %w", err)
	}
	var assets []asset
	pages := 0
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if !e.Type().IsRegular() || !slices.Contains(sourceExts, ext) {
			continue
		}
		path := filepath.Join(src, e.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read source: %w", err)
		}
		if ext == ".html" {
			pages++
			if data, err = rewritePage(data, wasmName); err != nil {
				return nil, fmt.Errorf("page %s: %w", path, err)
			}
		}
		assets = append(assets, asset{e.Name(), data})
	}
	if pages == 0 {
		return nil, fmt.Errorf("read sources: no .html page in %s", src)
	}
	return assets, nil
}

// rewritePage checks that the page has no inline script and points its wasm
// meta, if any, at wasmName. A page that loads loader.js must have the meta.
func rewritePage(page []byte, wasmName string) ([]byte, error) {
	loadsWidget := false
	for _, m := range scriptRe.FindAllSubmatch(page, -1) {
		attrs := m[1]
		if !srcAttrRe.Match(attrs) {
			return nil, errors.New("inline <script> is refused by the CSP; load a file instead")
		}
		if bytes.Contains(attrs, []byte("loader.js")) {
			loadsWidget = true
		}
	}
	metas := metaRe.FindAllIndex(page, -1)
	switch {
	case len(metas) > 1:
		return nil, errors.New(`more than one <meta name="glimchat-wasm">`)
	case len(metas) == 0 && loadsWidget:
		return nil, errors.New(`loads loader.js but has no <meta name="glimchat-wasm" content="...">`)
	case len(metas) == 0:
		return page, nil
	}
	// The preload starts the wasm's download while the page is parsed,
	// long before the deferred loader.js asks for it; as="fetch" with
	// crossorigin matches loader.js's fetch(url), so that reuses it.
	meta := fmt.Sprintf(`<meta name="glimchat-wasm" content="%s">`+"\n"+
		`<link rel="preload" href="%s" as="fetch" type="application/wasm" crossorigin>`, wasmName, wasmName)
	out := make([]byte, 0, len(page)+len(meta))
	out = append(out, page[:metas[0][0]]...)
	out = append(out, meta...)
	return append(out, page[metas[0][1]:]...), nil
}

// clearDir empties dir, creating it if needed. The committed .gitkeep stays.
func clearDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create output: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("clear output: %w", err)
	}
	for _, e := range entries {
		if e.Name() == ".gitkeep" {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("clear output: %w", err)
		}
	}
	return nil
}

// writeAll writes each asset with its .br and .gz siblings. The compressions
// run in parallel: brotli at best quality dominates the build time.
func writeAll(dir string, assets []asset, prev map[string]compressed) error {
	var wg sync.WaitGroup
	errs := make([]error, len(assets))
	for i, a := range assets {
		wg.Go(func() { errs[i] = writeAsset(dir, a, prev[a.name]) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func writeAsset(dir string, a asset, c compressed) error {
	if c.br == nil {
		var err error
		if c.br, err = compressBrotli(a.data); err != nil {
			return fmt.Errorf("brotli %s: %w", a.name, err)
		}
	}
	if c.gz == nil {
		var err error
		if c.gz, err = compressGzip(a.data); err != nil {
			return fmt.Errorf("gzip %s: %w", a.name, err)
		}
	}
	for name, data := range map[string][]byte{a.name: a.data, a.name + ".br": c.br, a.name + ".gz": c.gz} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fmt.Errorf("write asset: %w", err)
		}
	}
	return nil
}

func compressBrotli(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: 24})
	return finish(&buf, w, data)
}

func compressGzip(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	// A zero header (no name, no mtime) keeps the output deterministic.
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	return finish(&buf, w, data)
}

func finish(buf *bytes.Buffer, w io.WriteCloser, data []byte) ([]byte, error) {
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// previous returns the compressed siblings already in dir that decode to the
// current content of their asset. Anything unreadable is simply recompressed.
func previous(dir string, assets []asset) map[string]compressed {
	prev := make(map[string]compressed)
	for _, a := range assets {
		var c compressed
		if b, err := os.ReadFile(filepath.Join(dir, a.name+".br")); err == nil &&
			decodesTo(brotli.NewReader(bytes.NewReader(b)), a.data) {
			c.br = b
		}
		if b, err := os.ReadFile(filepath.Join(dir, a.name+".gz")); err == nil {
			if zr, err := gzip.NewReader(bytes.NewReader(b)); err == nil && decodesTo(zr, a.data) {
				c.gz = b
			}
		}
		if c.br != nil || c.gz != nil {
			prev[a.name] = c
		}
	}
	return prev
}

func decodesTo(r io.Reader, want []byte) bool {
	got, err := io.ReadAll(io.LimitReader(r, int64(len(want))+1))
	return err == nil && bytes.Equal(got, want)
}
