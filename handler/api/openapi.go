package api

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
)

// openAPIDoc is the OpenAPI 3.1 description of every route, kept in the
// repository as handler/api/openapi.json and served as is.
//
//go:embed openapi.json
var openAPIDoc []byte

// docsPage is the human-readable API reference: a small page whose script
// renders the operations of /api/openapi.json, with nothing from a CDN.
//
//go:embed docs.html
var docsPage []byte

// The ETags of the embedded documents and the reference page's policy,
// computed when first served rather than at start (hashing the 340 KB
// document is a millisecond of every start otherwise).
var (
	openAPIETag = sync.OnceValue(func() string { return contentETag(openAPIDoc) })
	docsETag    = sync.OnceValue(func() string { return contentETag(docsPage) })
	// docsPolicy lets the reference page run its own inline script and
	// style, named by their SHA-256 hashes (computed here from the embedded
	// page, so they always match it), and fetch the document from this
	// origin, and nothing else: no other inline script or style, even one
	// injected into the page, runs.
	docsPolicy = sync.OnceValue(func() string {
		return "default-src 'none'; script-src " + inlineHashes(docsPage, "script") +
			"; style-src " + inlineHashes(docsPage, "style") +
			"; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	})
)

// inlineHashes returns the CSP hash sources ('sha256-...') of the contents
// of every <tag> element of page, or 'none' when there is none. Only bare
// opening tags (<script>, no attributes) are looked for: the reference page
// writes its elements so.
func inlineHashes(page []byte, tag string) string {
	var out []string
	open, end := []byte("<"+tag+">"), []byte("</"+tag+">")
	for rest := page; ; {
		i := bytes.Index(rest, open)
		if i < 0 {
			break
		}
		rest = rest[i+len(open):]
		j := bytes.Index(rest, end)
		if j < 0 {
			break
		}
		sum := sha256.Sum256(rest[:j])
		out = append(out, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
		rest = rest[j+len(end):]
	}
	if len(out) == 0 {
		return "'none'"
	}
	return strings.Join(out, " ")
}

// OpenAPI returns the OpenAPI 3.1 document served at /api/openapi.json.
func OpenAPI() []byte { return openAPIDoc }

func contentETag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	serveEmbedded(w, r, "application/json", openAPIDoc, openAPIETag())
	return nil
}

func (s *Server) docs(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Security-Policy", docsPolicy())
	serveEmbedded(w, r, "text/html; charset=utf-8", docsPage, docsETag())
	return nil
}

// serveEmbedded serves a file built into the binary. It changes only with
// the binary, so clients revalidate with If-None-Match and get 304.
func serveEmbedded(w http.ResponseWriter, r *http.Request, contentType string, body []byte, etag string) {
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "no-cache")
	if etagMatch(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}
