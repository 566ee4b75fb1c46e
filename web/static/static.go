// Package static embeds the portal's CSS, JavaScript and images and serves
// them under content-hashed names, so browsers may cache them for a year.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
)

// FS holds the embedded files.
//
//go:embed css js img
var FS embed.FS

// Prefix is where the files are served.
const Prefix = "/static/"

var (
	once    sync.Once
	byName  map[string]string // "css/app.css" -> "css/app.3f2a1b9c.css"
	byHash  map[string]string // the reverse
	initErr error
)

func load() {
	byName, byHash = map[string]string{}, map[string]string{}
	initErr = fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := FS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(p)
		hashed := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:])[:10] + ext
		if strings.HasSuffix(p, ".min.js") {
			hashed = strings.TrimSuffix(p, ".min.js") + "." + hex.EncodeToString(sum[:])[:10] + ".min.js"
		}
		byName[p] = hashed
		byHash[hashed] = p
		return nil
	})
}

// URL returns the hashed URL of an embedded file, e.g. URL("css/app.css")
// = "/static/css/app.3f2a1b9c04.css". An unknown name panics: it is a
// programming error caught by any test that renders the page.
func URL(name string) string {
	once.Do(load)
	h, ok := byName[name]
	if !ok {
		panic("static: no embedded file " + name)
	}
	return Prefix + h
}

// Handler serves the embedded files under their hashed names (mount it at
// Prefix, stripped) with a long immutable cache; unhashed names get a short
// cache so a stale link still works.
func Handler() http.Handler {
	once.Do(load)
	files := http.FileServerFS(FS)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if initErr != nil {
			http.Error(w, "static files unavailable", http.StatusInternalServerError)
			return
		}
		name := strings.TrimPrefix(r.URL.Path, "/")
		if orig, ok := byHash[name]; ok {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			r2 := r.Clone(r.Context())
			r2.URL.Path = "/" + orig
			files.ServeHTTP(w, r2)
			return
		}
		if _, ok := byName[name]; !ok || strings.HasSuffix(name, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=300")
		files.ServeHTTP(w, r)
	})
}
