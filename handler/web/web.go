// Package web serves shopfn's two browser apps from files embedded in the
// binary: the admin console at /admin/ and the demo storefront at /. Both
// are plain ES modules with no build step; they call the same JSON API as
// any client, and nothing else.
//
// Every asset lives under /assets/<version>/, where <version> is a hash of
// all the embedded files: an asset's URL changes whenever any file does, so
// assets are cached for a year as immutable, and the two HTML pages, which
// name the current version, are revalidated on every load (ETag).
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"
)

// static holds the apps: admin/ (the console), shop/ (the storefront) and
// lib/ (modules both import).
//
//go:embed static
var static embed.FS

// Config configures Handler.
type Config struct {
	// Storefront serves the demo storefront at /; false leaves / to Next.
	Storefront bool
	// Next serves every request the apps do not: the API.
	Next http.Handler
}

// Content-Security-Policy of the pages: scripts and styles only from files
// of this origin (no inline script or style, no eval), API calls to this
// origin, product images from any https URL. The console may never be
// framed; the storefront neither (it is a demo, not a widget).
const (
	consolePolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; " +
		"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	storefrontPolicy = consolePolicy
	// assetPolicy covers assets opened directly (a module, a stylesheet).
	assetPolicy = "default-src 'none'; frame-ancestors 'none'"
)

// site is the embedded files, read once.
type site struct {
	version string            // hash of every file
	files   map[string][]byte // "admin/app.js" -> contents
	pages   map[string][]byte // "admin", "shop" -> index.html with the version filled in
	etags   map[string]string
}

// Version returns the hash that names the current assets, the <version> of
// /assets/<version>/.
func Version() string { return theSite().version }

// theSite reads the embedded files the first time an app or asset is
// asked for, not at start: hashing them costs a start a millisecond, and
// most processes (workers, API-only deployments) never serve them.
var theSite = sync.OnceValue(load)

// load reads the embedded files, hashes them, and fills the pages' {{assets}}
// placeholders with /assets/<version>.
func load() *site {
	s := &site{files: map[string][]byte{}, pages: map[string][]byte{}, etags: map[string]string{}}
	var names []string
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		s.files[name] = b
		names = append(names, name)
		return nil
	})
	if err != nil {
		panic("web: reading the embedded files: " + err.Error()) // cannot happen: they are compiled in
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		h.Write([]byte(n + "\x00"))
		h.Write(s.files[n])
		h.Write([]byte{0})
	}
	s.version = hex.EncodeToString(h.Sum(nil)[:6])
	for _, app := range []string{"admin", "shop"} {
		page := bytes.ReplaceAll(s.files[app+"/index.html"], []byte("{{assets}}"), []byte("/assets/"+s.version))
		s.pages[app] = page
		sum := sha256.Sum256(page)
		s.etags[app] = `"` + hex.EncodeToString(sum[:8]) + `"`
	}
	return s
}

// Handler serves the console, the storefront (when cfg.Storefront) and their
// assets, and passes every other request to cfg.Next: other paths, other
// methods and unknown assets (which the API answers with its 404 problem).
func Handler(cfg Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			cfg.Next.ServeHTTP(w, r)
			return
		}
		switch {
		case p == "/admin":
			headers(w, assetPolicy)
			http.Redirect(w, r, "/admin/", http.StatusMovedPermanently)
		case p == "/admin/":
			theSite().page(w, r, "admin", consolePolicy)
		case p == "/" && cfg.Storefront:
			theSite().page(w, r, "shop", storefrontPolicy)
		case strings.HasPrefix(p, "/assets/") && theSite().asset(w, r, strings.TrimPrefix(p, "/assets/")):
		default:
			cfg.Next.ServeHTTP(w, r)
		}
	})
}

// Serves reports whether Handler answers a GET of path itself (the console
// or an asset) rather than passing it on, whatever the Config; / is served
// when Config.Storefront is set.
func Serves(path string) bool {
	if path == "/admin" || path == "/admin/" {
		return true
	}
	rest, ok := strings.CutPrefix(path, "/assets/")
	_, name, _ := strings.Cut(rest, "/")
	_, exists := theSite().files[name]
	return ok && exists && !strings.HasSuffix(name, ".html")
}

// headers sets what every response of the apps carries.
func headers(w http.ResponseWriter, policy string) {
	h := w.Header()
	h.Set("Content-Security-Policy", policy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY") // frame-ancestors 'none', for browsers without CSP 2
}

// page answers an app's index.html, revalidated on every load.
func (s *site) page(w http.ResponseWriter, r *http.Request, app, policy string) {
	headers(w, policy)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", s.etags[app])
	if r.Header.Get("If-None-Match") == s.etags[app] {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	write(w, r, "text/html; charset=utf-8", s.pages[app])
}

// asset answers /assets/<version>/<file>, or returns false when there is
// no such file. The current version is cached for a year; another one (a
// page loaded before a deploy) gets the current file, not cached, so that
// it never pins an old name to new contents.
func (s *site) asset(w http.ResponseWriter, r *http.Request, rest string) bool {
	version, name, _ := strings.Cut(rest, "/")
	b, ok := s.files[name]
	if !ok || strings.HasSuffix(name, ".html") {
		return false
	}
	headers(w, assetPolicy)
	if version == s.version {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-store")
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) { // not left to the system's MIME table
	case ".js":
		ctype = "text/javascript; charset=utf-8"
	case ".css":
		ctype = "text/css; charset=utf-8"
	case ".svg":
		ctype = "image/svg+xml"
	}
	write(w, r, ctype, b)
	return true
}

func write(w http.ResponseWriter, r *http.Request, ctype string, b []byte) {
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(b)
	}
}
