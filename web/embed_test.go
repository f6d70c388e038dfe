package web

import (
	"errors"
	"io/fs"
	"testing"
	"testing/fstest"
)

func TestHideDotFiles(t *testing.T) {
	h := hideDotFiles{fstest.MapFS{
		".gitkeep":      {Data: nil},
		"a.html":        {Data: []byte("a")},
		"sub/.hidden":   {Data: []byte("h")},
		"sub/b.css":     {Data: []byte("b")},
		".dir/c.js":     {Data: []byte("c")},
		"loader.js":     {Data: []byte("l")},
		"loader.js.gz":  {Data: []byte("g")},
		"loader.js.br":  {Data: []byte("r")},
		"glimchat.wasm": {Data: []byte("w")},
	}}
	for _, name := range []string{".gitkeep", "sub/.hidden", ".dir/c.js", ".dir"} {
		if _, err := h.Open(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open(%q) error = %v, want ErrNotExist", name, err)
		}
	}
	for _, name := range []string{"../a.html", "/a.html", "sub/../a.html"} {
		if _, err := h.Open(name); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Open(%q) error = %v, want ErrInvalid", name, err)
		}
	}
	if b, err := fs.ReadFile(h, "sub/b.css"); err != nil || string(b) != "b" {
		t.Errorf("ReadFile(sub/b.css) = %q, %v", b, err)
	}
	var names []string
	err := fs.WalkDir(h, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a.html", "glimchat.wasm", "loader.js", "loader.js.br", "loader.js.gz", "sub/b.css"}
	if len(names) != len(want) {
		t.Fatalf("walk = %q, want %q", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("walk = %q, want %q", names, want)
		}
	}
	// Listing through Open, in small batches, must hide dot files too.
	f, err := h.Open(".")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := f.(fs.ReadDirFile)
	var listed []string
	for {
		es, err := d.ReadDir(1)
		for _, e := range es {
			listed = append(listed, e.Name())
		}
		if err != nil || len(es) == 0 {
			break
		}
	}
	for _, n := range listed {
		if n[0] == '.' {
			t.Errorf("ReadDir listed %q", n)
		}
	}
	if len(listed) != 6 { // a.html glimchat.wasm loader.js(.br,.gz) sub
		t.Errorf("ReadDir listed %q, want 6 visible entries", listed)
	}
}

func TestDistHidesGitkeep(t *testing.T) {
	if _, err := fs.Stat(Dist(), ".gitkeep"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat(.gitkeep) error = %v, want ErrNotExist", err)
	}
	if _, err := fs.ReadDir(Dist(), "."); err != nil {
		t.Errorf("ReadDir(.) error = %v", err)
	}
}
