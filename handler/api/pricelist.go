package api

import (
	"net/http"
	"time"

	"shopfn/handler/commerce"
)

var errNoPriceLists = commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "price lists are not available on this server")

// priceListInput is the body of PUT /api/admin/price-lists/{id}.
type priceListInput struct {
	Name           string     `json:"name"`
	Currency       string     `json:"currency"`
	CustomerGroups []string   `json:"customerGroups"`
	StartsAt       *time.Time `json:"startsAt"`
	EndsAt         *time.Time `json:"endsAt"`
	Status         string     `json:"status"`
	Prices         []struct {
		SKU    string `json:"sku"`
		Amount *int64 `json:"amount"`
	} `json:"prices"`
}

// parsePriceList decodes and validates a price list body for id. A
// missing status means active; missing groups, everyone.
func parsePriceList(id string, data []byte, now time.Time) (*commerce.PriceList, error) {
	var in priceListInput
	if err := decodeJSON(data, &in); err != nil {
		return nil, err
	}
	l := &commerce.PriceList{ID: id, Name: in.Name, Currency: in.Currency, CustomerGroups: in.CustomerGroups, StartsAt: in.StartsAt, EndsAt: in.EndsAt,
		Status: in.Status, Prices: make([]commerce.ListPrice, len(in.Prices)), UpdatedAt: now.UTC()}
	if l.Status == "" {
		l.Status = commerce.PricingActive
	}
	if l.CustomerGroups == nil {
		l.CustomerGroups = []string{}
	}
	for i, p := range in.Prices {
		if p.Amount == nil {
			return nil, commerce.Invalidf(commerce.CodeInvalidRequest, "every price needs a sku and an amount")
		}
		l.Prices[i] = commerce.ListPrice{SKU: p.SKU, Amount: *p.Amount}
	}
	for _, t := range []*time.Time{l.StartsAt, l.EndsAt} {
		if t != nil {
			*t = t.UTC()
		}
	}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	return l, nil
}

// priceListSummary is a price list in a listing: everything but its prices.
type priceListSummary struct {
	commerce.PriceList
	Prices     []commerce.ListPrice `json:"prices,omitempty"`
	PriceCount int                  `json:"priceCount"`
}

func (s *Server) listPriceLists(w http.ResponseWriter, r *http.Request) error {
	if s.PriceLists == nil {
		return errNoPriceLists
	}
	all, err := s.PriceLists.PriceLists(r.Context())
	if err != nil {
		return err
	}
	items := make([]priceListSummary, len(all))
	for i, l := range all {
		items[i] = priceListSummary{PriceList: l, PriceCount: len(l.Prices)}
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (s *Server) getPriceList(w http.ResponseWriter, r *http.Request) error {
	if s.PriceLists == nil {
		return errNoPriceLists
	}
	id := r.PathValue("id")
	if !commerce.ValidSlug(id, 64) {
		return commerce.NotFoundf("price list %q not found", id)
	}
	l, err := s.PriceLists.PriceList(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", l.ETag)
	s.writeJSON(w, r, http.StatusOK, l)
	return nil
}

func (s *Server) putPriceList(w http.ResponseWriter, r *http.Request) error {
	if s.PriceLists == nil {
		return errNoPriceLists
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	l, err := parsePriceList(r.PathValue("id"), body, s.cfg.Now())
	if err != nil {
		return err
	}
	// The bound on how many lists there are keeps the cache that prices
	// carts small; a race past it by a few lists costs memory, not money.
	all, err := s.PriceLists.PriceLists(r.Context())
	if err != nil {
		return err
	}
	exists := false
	for _, o := range all {
		exists = exists || o.ID == l.ID
	}
	if !exists && len(all) >= commerce.MaxPriceLists {
		return commerce.Rulef(commerce.CodeTooManyPriceLists, "a shop holds at most %d price lists; delete one first", commerce.MaxPriceLists)
	}
	if err := s.PriceLists.PutPriceList(r.Context(), l, ifMatch(r)); err != nil {
		return err
	}
	w.Header().Set("ETag", l.ETag)
	s.writeJSON(w, r, http.StatusOK, l)
	return nil
}

func (s *Server) deletePriceList(w http.ResponseWriter, r *http.Request) error {
	if s.PriceLists == nil {
		return errNoPriceLists
	}
	id := r.PathValue("id")
	if !commerce.ValidSlug(id, 64) {
		return commerce.NotFoundf("price list %q not found", id)
	}
	if err := s.PriceLists.DeletePriceList(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
