package api

import (
	"net/http"

	"shopfn/handler/commerce"
)

// listAdminProducts answers GET /api/admin/products: every product, drafts
// and archived included (status= narrows it), read from the store on every
// call (never the storefront's response cache), cursor-paged like the
// storefront listing.
func (s *Server) listAdminProducts(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	lq, err := s.parseListQuery(v, true)
	if err != nil {
		return err
	}
	page, err := s.readListing(r, lq)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, page)
	return nil
}

// parseAdminStatus validates the status of GET /api/admin/products.
func parseAdminStatus(status string) (commerce.ProductStatus, error) {
	switch st := commerce.ProductStatus(status); st {
	case "", commerce.StatusActive, commerce.StatusDraft, commerce.StatusArchived:
		return st, nil
	}
	return "", commerce.Invalidf(commerce.CodeInvalidRequest, "status must be active, draft or archived")
}

// getAdminProduct answers GET /api/admin/products/{id}: the product in any
// status, with the ETag a PUT's If-Match takes.
func (s *Server) getAdminProduct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", 'p', "product")
	if err != nil {
		return err
	}
	p, err := s.Catalog.Product(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", p.ETag)
	s.writeJSON(w, r, http.StatusOK, p)
	return nil
}
