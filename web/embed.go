// Package web holds the widget's static pages and, after `make build`, the
// bundled assets in dist/, embedded so that bin/glimchat is self-contained.
package web

import (
	"embed"
	"io/fs"
	"strings"
)

// The all: prefix embeds dist/.gitkeep too, so the package compiles in a
// clean clone before anything was built. Dist hides it again.
//
//go:embed all:dist
var dist embed.FS

// Dist returns the built assets rooted at dist: the pages, glimchat.css,
// favicon.svg, loader.js, embed.js, wasm_exec.js, glimchat.<hash12>.wasm and a .br and .gz sibling
// of each. Dot files (the committed .gitkeep) are not part of it.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// "dist" is a constant, valid path; Sub cannot fail on it.
		panic(err)
	}
	return hideDotFiles{sub}
}

// hideDotFiles makes every path with a dot-file element look absent. The
// files it returns are the embedded ones, so they still implement io.Seeker.
type hideDotFiles struct{ fsys fs.FS }

func hidden(name string) bool {
	for elem := range strings.SplitSeq(name, "/") {
		if strings.HasPrefix(elem, ".") && elem != "." {
			return true
		}
	}
	return false
}

func (h hideDotFiles) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if hidden(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	f, err := h.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	if d, ok := f.(fs.ReadDirFile); ok {
		return dirFile{d}, nil
	}
	return f, nil
}

func (h hideDotFiles) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	if hidden(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	entries, err := fs.ReadDir(h.fsys, name)
	return visible(entries), err
}

// dirFile filters directory listings made through Open, as http.FileServer does.
type dirFile struct{ fs.ReadDirFile }

func (d dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	for {
		entries, err := d.ReadDirFile.ReadDir(n)
		kept := visible(entries)
		// Keep reading when a whole batch was hidden, so that an empty
		// result still means the end of the directory.
		if len(kept) > 0 || len(entries) == 0 || n <= 0 || err != nil {
			return kept, err
		}
	}
}

func visible(entries []fs.DirEntry) []fs.DirEntry {
	kept := entries[:0:0]
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			kept = append(kept, e)
		}
	}
	return kept
}

var _ fs.ReadDirFS = hideDotFiles{}
