package api

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
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

var (
	openAPIETag = contentETag(openAPIDoc)
	docsETag    = contentETag(docsPage)
)

// docsPolicy lets the reference page run its own inline script and style
// and fetch the document from this origin, and nothing else.
const docsPolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// OpenAPI returns the OpenAPI 3.1 document served at /api/openapi.json.
func OpenAPI() []byte { return openAPIDoc }

func contentETag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	serveEmbedded(w, r, "application/json", openAPIDoc, openAPIETag)
	return nil
}

func (s *Server) docs(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Security-Policy", docsPolicy)
	serveEmbedded(w, r, "text/html; charset=utf-8", docsPage, docsETag)
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
