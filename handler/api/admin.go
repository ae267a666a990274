package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"shopfn/handler/commerce"
)

// productInput is the body of product writes: a Product without the
// server's fields. id, createdAt and updatedAt are accepted so that a client
// can send back what it read, but only id is checked (it must match).
type productInput struct {
	ID          string                 `json:"id"`
	Handle      string                 `json:"handle"`
	Title       string                 `json:"title"`
	Description string                 `json:"description"`
	Category    string                 `json:"category"`
	Attributes  map[string]any         `json:"attributes"`
	Images      []string               `json:"images"`
	Status      commerce.ProductStatus `json:"status"`
	Variants    []variantInput         `json:"variants"`
	CreatedAt   *time.Time             `json:"createdAt"`
	UpdatedAt   *time.Time             `json:"updatedAt"`
}

// variantInput is a variant as written: its price's amount is required,
// since an omitted amount would otherwise read as 0.
type variantInput struct {
	SKU     string            `json:"sku"`
	Title   string            `json:"title"`
	Options map[string]string `json:"options"`
	Price   *struct {
		Amount   *int64 `json:"amount"`
		Currency string `json:"currency"`
	} `json:"price"`
	Prices []struct {
		Amount   *int64 `json:"amount"`
		Currency string `json:"currency"`
	} `json:"prices"`
}

// parseProduct decodes and validates a product body. A missing status means
// active; missing attributes, images and options mean none.
func parseProduct(data []byte) (*commerce.Product, error) {
	var in productInput
	if err := decodeJSON(data, &in); err != nil {
		return nil, err
	}
	p := &commerce.Product{
		ID: in.ID, Handle: in.Handle, Title: in.Title, Description: in.Description, Category: in.Category,
		Attributes: in.Attributes, Images: in.Images, Status: in.Status,
	}
	for _, v := range in.Variants {
		if v.Price == nil || v.Price.Amount == nil {
			return nil, commerce.Invalidf(commerce.CodeInvalidRequest, "variant %q: price with amount and currency is required", v.SKU)
		}
		pv := commerce.Variant{SKU: v.SKU, Title: v.Title, Options: v.Options,
			Price: commerce.Money{Amount: *v.Price.Amount, Currency: v.Price.Currency}}
		for _, m := range v.Prices {
			if m.Amount == nil {
				return nil, commerce.Invalidf(commerce.CodeInvalidRequest, "variant %q: every price needs an amount and a currency", v.SKU)
			}
			pv.Prices = append(pv.Prices, commerce.Money{Amount: *m.Amount, Currency: m.Currency})
		}
		p.Variants = append(p.Variants, pv)
	}
	if p.Status == "" {
		p.Status = commerce.StatusActive
	}
	if p.Attributes == nil {
		p.Attributes = map[string]any{}
	}
	if p.Images == nil {
		p.Images = []string{}
	}
	for i := range p.Variants {
		if p.Variants[i].Options == nil {
			p.Variants[i].Options = map[string]string{}
		}
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) createProduct(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	p, err := parseProduct(body)
	if err != nil {
		return err
	}
	if p.ID != "" {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "id is assigned by the server; leave it out")
	}
	now := s.cfg.Now().UTC()
	p.ID, p.CreatedAt, p.UpdatedAt = commerce.NewProductID(now), now, now
	if err := s.Catalog.CreateProduct(r.Context(), p); err != nil {
		return err
	}
	s.cache.invalidate()
	w.Header().Set("Location", "/api/products/"+p.ID)
	w.Header().Set("ETag", p.ETag)
	s.writeJSON(w, r, http.StatusCreated, p)
	return nil
}

func (s *Server) replaceProduct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", 'p', "product")
	if err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	p, err := parseProduct(body)
	if err != nil {
		return err
	}
	if p.ID != "" && p.ID != id {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "the body's id %q is not the URL's %q", p.ID, id)
	}
	old, err := s.Catalog.Product(r.Context(), id)
	if err != nil {
		return err
	}
	p.ID, p.CreatedAt, p.UpdatedAt = id, old.CreatedAt, s.cfg.Now().UTC()
	if err := s.Catalog.ReplaceProduct(r.Context(), p, ifMatch(r)); err != nil {
		return err
	}
	s.cache.invalidate()
	w.Header().Set("ETag", p.ETag)
	s.writeJSON(w, r, http.StatusOK, p)
	return nil
}

func (s *Server) deleteProduct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", 'p', "product")
	if err != nil {
		return err
	}
	// Its stock is written off first: a new product reusing one of its
	// SKUs starts with nothing to sell. Units that orders and checkouts
	// hold stay until they ship or are released.
	p, err := s.Catalog.Product(r.Context(), id)
	if err != nil {
		return err
	}
	for _, v := range p.Variants {
		if _, err := s.Inventory.WriteOff(r.Context(), v.SKU); err != nil {
			return err
		}
	}
	if err := s.Catalog.DeleteProduct(r.Context(), id); err != nil {
		return err
	}
	s.cache.invalidate()
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// stockInput is the body of PUT /api/admin/inventory/{sku}.
type stockInput struct {
	OnHand *int64 `json:"onHand"`
	// LowStockThreshold, when present, sets the available count at or
	// below which inventory.low_stock fires; null clears it.
	LowStockThreshold json.RawMessage `json:"lowStockThreshold"`
}

// noThreshold stands for "no low-stock threshold" (null).
const noThreshold = -1

// parseStock decodes and validates a stock level body: the on-hand count,
// and the low-stock threshold to set (nil: leave it; noThreshold: clear).
func parseStock(data []byte) (int64, *int64, error) {
	var in stockInput
	if err := decodeJSON(data, &in); err != nil {
		return 0, nil, err
	}
	if in.OnHand == nil || *in.OnHand < 0 || *in.OnHand > commerce.MaxOnHand {
		return 0, nil, commerce.Invalidf(commerce.CodeInvalidRequest, "onHand must be an integer from 0 to %d", commerce.MaxOnHand)
	}
	if in.LowStockThreshold == nil {
		return *in.OnHand, nil, nil
	}
	t := int64(noThreshold)
	if string(in.LowStockThreshold) != "null" {
		if err := json.Unmarshal(in.LowStockThreshold, &t); err != nil || t < 0 || t > commerce.MaxOnHand {
			return 0, nil, commerce.Invalidf(commerce.CodeInvalidRequest, "lowStockThreshold must be null or an integer from 0 to %d", commerce.MaxOnHand)
		}
	}
	return *in.OnHand, &t, nil
}

// lowStocker keeps per-SKU low-stock thresholds (sqlstore.InventoryStore).
type lowStocker interface {
	SetLowStockThreshold(ctx context.Context, sku string, threshold int64) error
	LowStockThreshold(ctx context.Context, sku string) (int64, error)
}

// stockLevel is a SKU's stock as staff read it.
type stockLevel struct {
	SKU       string `json:"sku"`
	OnHand    int64  `json:"onHand"`
	Committed int64  `json:"committed"`
	Reserved  int64  `json:"reserved"`
	Available int64  `json:"available"`
	// LowStockThreshold is the SKU's threshold; absent when it has none.
	LowStockThreshold *int64 `json:"lowStockThreshold,omitempty"`
}

// withThreshold adds the SKU's low-stock threshold to l, when it has one.
func (s *Server) withThreshold(r *http.Request, l stockLevel) (stockLevel, error) {
	ls, ok := s.Inventory.(lowStocker)
	if !ok {
		return l, nil
	}
	t, err := ls.LowStockThreshold(r.Context(), l.SKU)
	if err != nil || t < 0 {
		return l, err
	}
	l.LowStockThreshold = &t
	return l, nil
}

func newStockLevel(l commerce.StockLevel) stockLevel {
	return stockLevel{SKU: l.SKU, OnHand: l.OnHand, Committed: l.Committed, Reserved: l.Reserved, Available: l.Available()}
}

func (s *Server) getAdminInventory(w http.ResponseWriter, r *http.Request) error {
	sku := r.PathValue("sku")
	if !commerce.ValidSKU(sku) {
		return commerce.NotFoundf("sku %q not found", sku)
	}
	levels, err := s.Inventory.StockLevels(r.Context(), []string{sku})
	if err != nil {
		return err
	}
	body, err := s.withLocations(r, levels[sku])
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, r, http.StatusOK, body)
	return nil
}

func (s *Server) setInventory(w http.ResponseWriter, r *http.Request) error {
	sku := r.PathValue("sku")
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	onHand, threshold, err := parseStock(body)
	if err != nil {
		return err
	}
	if !commerce.ValidSKU(sku) {
		return commerce.NotFoundf("sku %q not found", sku)
	}
	refs, err := s.Catalog.Variants(r.Context(), []string{sku})
	if err != nil {
		return err
	}
	if _, ok := refs[sku]; !ok {
		return commerce.NotFoundf("sku %q is in no product; create the product first", sku)
	}
	l, err := s.Inventory.SetOnHand(r.Context(), sku, onHand)
	if err != nil {
		return err
	}
	if threshold != nil {
		ls, ok := s.Inventory.(lowStocker)
		if !ok {
			return commerce.Invalidf(commerce.CodeInvalidRequest, "this store keeps no low-stock thresholds")
		}
		if err := ls.SetLowStockThreshold(r.Context(), sku, *threshold); err != nil {
			return err
		}
	}
	out, err := s.withThreshold(r, newStockLevel(l))
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

// ifMatch returns the request's If-Match header ("" when absent).
func ifMatch(r *http.Request) string { return r.Header.Get("If-Match") }
