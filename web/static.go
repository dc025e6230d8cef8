package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"time"

	"github.com/cloudoven/cloudoven/web/paths"
)

// staticFiles are the assets compiled into the binary. static/vendor holds third-party files
// that make assets copies from node_modules (gitignored), their version in the file name; the
// directory may be missing in a fresh checkout, which New reports rather than refuses.
//
//go:embed static
var staticFiles embed.FS

// devHash stands in for the content hash when files are served from disk and may change.
const devHash = "dev"

// assets serves static files under URLs that carry a short hash of their content, computed
// once at start: a changed file gets a new URL, so every URL can be cached for a year.
type assets struct {
	fsys   fs.FS
	dev    bool
	hashes map[string]string // file name → short content hash; empty in dev mode
}

func newAssets(dev bool, dir string) (*assets, error) {
	if dev {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("web: static directory for dev mode: %w", err)
		}
		return &assets{fsys: os.DirFS(dir), dev: true}, nil
	}
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, fmt.Errorf("web: embedded static files: %w", err)
	}
	a := &assets{fsys: sub, hashes: map[string]string{}}
	err = fs.WalkDir(sub, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.hashes[name] = hex.EncodeToString(sum[:5])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: hashing static files: %w", err)
	}
	return a, nil
}

// has reports whether the static files include name.
func (a *assets) has(name string) bool {
	if a.dev {
		_, err := fs.Stat(a.fsys, name)
		return err == nil
	}
	_, ok := a.hashes[name]
	return ok
}

// url is the address templates use for the static file name.
func (a *assets) URL(name string) string {
	if a.dev {
		return paths.Static(devHash, name)
	}
	hash, ok := a.hashes[name]
	if !ok {
		// A missing file still gets a well-formed URL; serve answers it with 404.
		hash = "missing"
	}
	return paths.Static(hash, name)
}

// serve answers GET /static/{hash}/{path...}. Only the current hash is cacheable for good: an
// older hash (a page rendered before a deploy) still gets the file, but uncached.
func (a *assets) serve(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("path")
	if !fs.ValidPath(name) || name == "." {
		http.NotFound(w, r)
		return
	}
	f, err := a.fsys.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	content, ok := f.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(f)
		if err != nil {
			http.Error(w, "reading static file", http.StatusInternalServerError)
			return
		}
		content = bytes.NewReader(b)
	}
	h := w.Header()
	switch hash := a.hashes[name]; {
	case a.dev:
		h.Set("Cache-Control", "no-cache")
	case hash != "" && r.PathValue("hash") == hash:
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("ETag", `"`+hash+`"`)
	default:
		h.Set("Cache-Control", "no-cache")
	}
	// Embedded files have no modification time; ServeContent then sends no Last-Modified.
	modTime := time.Time{}
	if a.dev {
		modTime = info.ModTime()
	}
	http.ServeContent(w, r, name, modTime, content)
}
