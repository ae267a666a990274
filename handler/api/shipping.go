package api

import (
	"context"
	"net/http"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/pricing"
)

var errNoCharges = commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "shipping options and tax rates are not available on this server")

// ChargeStore keeps the shipping options and tax rates, and indexes them
// for pricing (cache.Charges: writes through it are seen at once).
type ChargeStore interface {
	commerce.ShippingOptionStore
	commerce.TaxRateStore
	Charges(ctx context.Context) (*pricing.Charges, error)
}

// shippingOptionInput is the body of PUT /api/admin/shipping-options/{id}.
type shippingOptionInput struct {
	Name      string          `json:"name"`
	Currency  string          `json:"currency"`
	Amount    *int64          `json:"amount"`
	Countries []string        `json:"countries"`
	FreeOver  *commerce.Money `json:"freeOver"`
	Status    string          `json:"status"`
}

// parseShippingOption decodes and validates an option body for id. A
// missing status means active.
func parseShippingOption(id string, data []byte, now time.Time) (*commerce.ShippingOption, error) {
	var in shippingOptionInput
	if err := decodeJSON(data, &in); err != nil {
		return nil, err
	}
	if in.Amount == nil {
		return nil, commerce.Invalidf(commerce.CodeInvalidRequest, "amount is required (minor units of currency)")
	}
	o := &commerce.ShippingOption{ID: id, Name: in.Name, Currency: in.Currency, Amount: *in.Amount, Countries: in.Countries,
		FreeOver: in.FreeOver, Status: in.Status, UpdatedAt: now.UTC()}
	if o.Status == "" {
		o.Status = commerce.PricingActive
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return o, nil
}

func (s *Server) listShippingOptions(w http.ResponseWriter, r *http.Request) error {
	if s.Charges == nil {
		return errNoCharges
	}
	all, err := s.Charges.ShippingOptions(r.Context())
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"items": all})
	return nil
}

func (s *Server) getShippingOption(w http.ResponseWriter, r *http.Request) error {
	if s.Charges == nil {
		return errNoCharges
	}
	id := r.PathValue("id")
	if !commerce.ValidSlug(id, 64) {
		return commerce.NotFoundf("shipping option %q not found", id)
	}
	o, err := s.Charges.ShippingOption(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", o.ETag)
	s.writeJSON(w, r, http.StatusOK, o)
	return nil
}

func (s *Server) putShippingOption(w http.ResponseWriter, r *http.Request) error {
	if s.Charges == nil {
		return errNoCharges
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	o, err := parseShippingOption(r.PathValue("id"), body, s.cfg.Now())
	if err != nil {
		return err
	}
	// The bound keeps the index that prices checkouts small; a race past
	// it by a few options costs memory, not money.
	all, err := s.Charges.ShippingOptions(r.Context())
	if err != nil {
		return err
	}
	exists := false
	for _, e := range all {
		exists = exists || e.ID == o.ID
	}
	if !exists && len(all) >= commerce.MaxShippingOptions {
		return commerce.Rulef(commerce.CodeTooManyShippingOptions, "a shop holds at most %d shipping options; delete one first", commerce.MaxShippingOptions)
	}
	if err := s.Charges.PutShippingOption(r.Context(), o, ifMatch(r)); err != nil {
		return err
	}
	w.Header().Set("ETag", o.ETag)
	s.writeJSON(w, r, http.StatusOK, o)
	return nil
}

func (s *Server) deleteShippingOption(w http.ResponseWriter, r *http.Request) error {
	if s.Charges == nil {
		return errNoCharges
	}
	id := r.PathValue("id")
	if !commerce.ValidSlug(id, 64) {
		return commerce.NotFoundf("shipping option %q not found", id)
	}
	if err := s.Charges.DeleteShippingOption(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// cartShippingOption is an option as a cart's buyer sees it: what it
// costs this cart now (nothing once the lines after discounts reach
// freeOver).
type cartShippingOption struct {
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Price    commerce.Money  `json:"price"`
	FreeOver *commerce.Money `json:"freeOver,omitempty"`
}

// cartShippingOptions answers GET /api/carts/{cartId}/shipping-options
// ?country=US: the options that ship to country in the cart's currency.
// An empty list means the checkout takes no shippingOptionId (flat
// shipping).
func (s *Server) cartShippingOptions(w http.ResponseWriter, r *http.Request) error {
	country := r.URL.Query().Get("country")
	if !commerce.ValidCountry(country) {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "country must be an ISO 3166-1 alpha-2 code such as US")
	}
	ctx, err := s.cartContext(w, r)
	if err != nil {
		return err
	}
	c, err := s.Carts.Get(ctx, r.PathValue("cartId"))
	if err != nil {
		return ownerOnly(w, err)
	}
	items := []cartShippingOption{}
	if s.Charges != nil {
		charges, err := s.Charges.Charges(ctx)
		if err != nil {
			return err
		}
		// What the lines come to after the promotions' adjustments.
		var afterDiscounts int64
		for _, l := range c.Items {
			afterDiscounts += l.LineTotal.Amount
			for _, a := range l.Adjustments {
				afterDiscounts -= a.Amount.Amount
			}
		}
		for _, o := range charges.Options(country, c.Currency) {
			items = append(items, cartShippingOption{ID: o.ID, Name: o.Name, FreeOver: o.FreeOver,
				Price: commerce.Money{Amount: pricing.ShippingPrice(&o, afterDiscounts), Currency: c.Currency}})
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, r, http.StatusOK, map[string]any{"items": items})
	return nil
}
