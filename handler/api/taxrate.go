package api

import (
	"net/http"
	"time"

	"shopfn/handler/commerce"
)

// taxRateInput is the body of PUT /api/admin/tax-rates/{country}.
type taxRateInput struct {
	Rate          *int64           `json:"rate"`
	ShippingTaxed bool             `json:"shippingTaxed"`
	Subdivisions  map[string]int64 `json:"subdivisions"`
}

// parseTaxRate decodes and validates a tax rate body for country.
func parseTaxRate(country string, data []byte, now time.Time) (*commerce.TaxRate, error) {
	var in taxRateInput
	if err := decodeJSON(data, &in); err != nil {
		return nil, err
	}
	if in.Rate == nil {
		return nil, commerce.Invalidf(commerce.CodeInvalidRequest, "rate is required (basis points: 2000 is 20%%)")
	}
	t := &commerce.TaxRate{Country: country, Rate: *in.Rate, ShippingTaxed: in.ShippingTaxed, Subdivisions: in.Subdivisions, UpdatedAt: now.UTC()}
	if len(t.Subdivisions) == 0 {
		t.Subdivisions = nil
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return t, nil
}

func (s *Server) listTaxRates(w http.ResponseWriter, r *http.Request) error {
	if s.Charges == nil {
		return errNoCharges
	}
	all, err := s.Charges.TaxRates(r.Context())
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"items": all})
	return nil
}

func (s *Server) getTaxRate(w http.ResponseWriter, r *http.Request) error {
	if s.Charges == nil {
		return errNoCharges
	}
	country := r.PathValue("country")
	if !commerce.ValidCountry(country) {
		return commerce.NotFoundf("no tax rate for %q", country)
	}
	t, err := s.Charges.TaxRate(r.Context(), country)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", t.ETag)
	s.writeJSON(w, r, http.StatusOK, t)
	return nil
}

func (s *Server) putTaxRate(w http.ResponseWriter, r *http.Request) error {
	if s.Charges == nil {
		return errNoCharges
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	t, err := parseTaxRate(r.PathValue("country"), body, s.cfg.Now())
	if err != nil {
		return err
	}
	if err := s.Charges.PutTaxRate(r.Context(), t, ifMatch(r)); err != nil {
		return err
	}
	w.Header().Set("ETag", t.ETag)
	s.writeJSON(w, r, http.StatusOK, t)
	return nil
}

func (s *Server) deleteTaxRate(w http.ResponseWriter, r *http.Request) error {
	if s.Charges == nil {
		return errNoCharges
	}
	country := r.PathValue("country")
	if !commerce.ValidCountry(country) {
		return commerce.NotFoundf("no tax rate for %q", country)
	}
	if err := s.Charges.DeleteTaxRate(r.Context(), country); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
