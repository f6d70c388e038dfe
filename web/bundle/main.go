// Command bundle turns the page sources and a built widget into the static
// assets in web/dist: it copies the sources and the toolchain's
// wasm_exec.js, names the wasm after its content hash, points every page at
// that name, and precompresses every asset as .br and .gz.
//
//	go run ./web/bundle -wasm bin/glimchat.wasm -src web -out web/dist
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	var cfg Config
	flag.StringVar(&cfg.Wasm, "wasm", "bin/glimchat.wasm", "the built widget")
	flag.StringVar(&cfg.Src, "src", "web", "folder with the page sources")
	flag.StringVar(&cfg.Out, "out", "web/dist", "output folder (cleared first)")
	flag.StringVar(&cfg.WasmExec, "wasm-exec", "", "wasm_exec.js to ship (default: the one of the go toolchain on PATH)")
	flag.Parse()
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bundle:", err)
		os.Exit(1)
	}
}

func run(cfg Config) error {
	if cfg.WasmExec == "" {
		root, err := goroot()
		if err != nil {
			return err
		}
		cfg.WasmExec = filepath.Join(root, "lib", "wasm", "wasm_exec.js")
	}
	names, err := Bundle(cfg)
	if err != nil {
		return err
	}
	fmt.Printf("bundle: wrote %d assets (+ .br, .gz) to %s\n", len(names), cfg.Out)
	return nil
}

// goroot asks the go command rather than runtime.GOROOT, which is deprecated
// and names the root this tool was built with, not necessarily the one that
// built the wasm. Both come from the same `go` under make.
func goroot() (string, error) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("find GOROOT with `go env GOROOT`: %w", err)
	}
	root := strings.TrimSpace(string(out))
	if root == "" {
		return "", fmt.Errorf("find GOROOT: `go env GOROOT` printed nothing")
	}
	return root, nil
}
