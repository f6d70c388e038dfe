package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

// assetRefs are the files a page loads: its stylesheet, scripts and wasm.
var assetRefs = regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)"|<script src="([^"]+)"|<meta name="glimchat-wasm" content="([^"]+)"`)

// measureSize sizes each page and everything it loads, from the files as
// served (the .gz and .br siblings that web/bundle and stage wrote).
func measureSize(p Paths) (*SizeResult, error) {
	var r SizeResult
	var err error
	if r.Widget, err = bundleOf(p.Dist, "overlay.html"); err != nil {
		return nil, err
	}
	if r.Floor, err = bundleOf(p.site(), "floor.html"); err != nil {
		return nil, err
	}
	if r.JS, err = bundleOf(p.site(), "jsbase.html"); err != nil {
		return nil, err
	}
	return &r, nil
}

func bundleOf(dir, page string) (Bundle, error) {
	var b Bundle
	html, err := os.ReadFile(filepath.Join(dir, page))
	if err != nil {
		return b, err
	}
	names := []string{page}
	for _, m := range assetRefs.FindAllStringSubmatch(string(html), -1) {
		for _, g := range m[1:] {
			if g != "" {
				names = append(names, g)
			}
		}
	}
	for _, name := range names {
		f := FileSize{Name: name}
		for _, s := range []struct {
			ext string
			n   *int64
		}{{"", &f.Raw}, {".gz", &f.Gzip}, {".br", &f.Brotli}} {
			st, err := os.Stat(filepath.Join(dir, name+s.ext))
			if err != nil {
				return b, fmt.Errorf("size of %s: %w", page, err)
			}
			*s.n = st.Size()
		}
		b.Files = append(b.Files, f)
		b.Raw += f.Raw
		b.Gzip += f.Gzip
		b.Brotli += f.Brotli
	}
	return b, nil
}
