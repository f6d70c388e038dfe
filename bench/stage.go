package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"

	"github.com/andybalholm/brotli"
)

// Paths are where the bench reads and writes, from the repository root.
type Paths struct {
	Root     string // the repository
	Out      string // bench/out: results, logs, the staged baselines
	Glimchat string // bin/glimchat
	Dist     string // web/dist: the widget as served
}

func newPaths(root string) Paths {
	return Paths{
		Root:     root,
		Out:      filepath.Join(root, "bench", "out"),
		Glimchat: filepath.Join(root, "bin", "glimchat"),
		Dist:     filepath.Join(root, "web", "dist"),
	}
}

func (p Paths) site() string { return filepath.Join(p.Out, "site") }
func (p Paths) logs() string { return filepath.Join(p.Out, "logs") }

// cache is shared by every run, the smoke test's too.
func (p Paths) cache() string { return filepath.Join(p.Root, "bench", "out", "cache") }

var wasmMeta = regexp.MustCompile(`<meta name="glimchat-wasm" content="[^"]*">`)

// stage builds the floor plainly (js/wasm, -trimpath -ldflags='-s -w';
// not the widget's size settings, which its features must pay for) and
// lays the floor and the JS baseline out in site() the way web/bundle lays
// out the widget: a content-hashed wasm, the pages pointed at it, the
// widget's own wasm_exec.js, and .br (best quality, 16 MiB window) and .gz
// (best) next to every file.
func stage(p Paths, brotliQuality int) error {
	for _, d := range []string{p.site(), p.logs(), p.cache()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	wasmPath := filepath.Join(p.Out, "floor.wasm")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", wasmPath, "./bench/floor")
	build.Dir = p.Root
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("build the floor: %w\n%s", err, out)
	}
	wasm, err := os.ReadFile(wasmPath)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(wasm)
	wasmName := "floor." + hex.EncodeToString(sum[:])[:12] + ".wasm"

	files := map[string][]byte{wasmName: wasm}
	copies := map[string]string{
		"floor.html":   "bench/floor/floor.html",
		"floor.js":     "bench/floor/floor.js",
		"jsbase.html":  "bench/jsbase/jsbase.html",
		"jsbase.js":    "bench/jsbase/jsbase.js",
		"jsbase.css":   "bench/jsbase/jsbase.css",
		"wasm_exec.js": "web/dist/wasm_exec.js",
	}
	for name, src := range copies {
		b, err := os.ReadFile(filepath.Join(p.Root, src))
		if err != nil {
			return err
		}
		files[name] = b
	}
	// Pointed at its wasm and preloading it, as web/bundle does the widget's
	// pages: the page's markup is not what the floor measures.
	files["floor.html"] = wasmMeta.ReplaceAll(files["floor.html"],
		[]byte(`<meta name="glimchat-wasm" content="`+wasmName+`">`+"\n"+
			`<link rel="preload" href="`+wasmName+`" as="fetch" type="application/wasm" crossorigin>`))

	entries, err := os.ReadDir(p.site())
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.Remove(filepath.Join(p.site(), e.Name())); err != nil {
			return err
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(files))
	for name, data := range files {
		wg.Go(func() { errs <- writeCompressed(p, name, data, brotliQuality) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// writeCompressed writes name and its .br and .gz siblings into site().
// Brotli at best quality takes ~30 s for a wasm, so the compressed forms
// are kept in cache(), by content hash and quality.
func writeCompressed(p Paths, name string, data []byte, brotliQuality int) error {
	if err := os.WriteFile(filepath.Join(p.site(), name), data, 0o644); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:])
	for _, c := range []struct {
		ext, key string
		pack     func([]byte) ([]byte, error)
	}{
		{".br", fmt.Sprintf("%s.q%d.br", key, brotliQuality), func(b []byte) ([]byte, error) { return compressBrotli(b, brotliQuality) }},
		{".gz", key + ".gz", compressGzip},
	} {
		cached := filepath.Join(p.cache(), c.key)
		b, err := os.ReadFile(cached)
		if err != nil {
			if b, err = c.pack(data); err != nil {
				return fmt.Errorf("compress %s: %w", name, err)
			}
			if err := writeAtomic(cached, b); err != nil {
				return err
			}
		}
		if err := os.WriteFile(filepath.Join(p.site(), name+c.ext), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// The settings of web/bundle, so that sizes compare.
func compressBrotli(data []byte, quality int) ([]byte, error) {
	var buf bytes.Buffer
	return pack(&buf, brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: quality, LGWin: 24}), data)
}

func compressGzip(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	return pack(&buf, w, data)
}

func pack(buf *bytes.Buffer, w io.WriteCloser, data []byte) ([]byte, error) {
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeAtomic writes through a temporary file, so that a concurrent run
// never reads half a file.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
