package api

import (
	"net/http"
	"strconv"
	"strings"

	"shopfn/handler/commerce"
	"shopfn/handler/sample"
)

// sampleImagePolicy lets a sample image, opened on its own, run nothing
// and load nothing; only its own inline style applies.
const sampleImagePolicy = "default-src 'none'; style-src 'unsafe-inline'"

// sampleImage serves the sample catalog's images (sample.Image): small SVGs
// made from the binary, so that the catalog a fresh start loads shows
// pictures with no image host.
func (s *Server) sampleImage(w http.ResponseWriter, r *http.Request) error {
	name, ok := strings.CutSuffix(r.PathValue("image"), ".svg")
	n, err := strconv.Atoi(name)
	if !ok || err != nil {
		return commerce.NotFoundf("no sample image %q", r.PathValue("image"))
	}
	svg, ok := sample.Image(r.PathValue("handle"), n)
	if !ok {
		return commerce.NotFoundf("no sample image %q", r.PathValue("image"))
	}
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("Content-Security-Policy", sampleImagePolicy)
	w.WriteHeader(http.StatusOK)
	w.Write(svg)
	return nil
}
