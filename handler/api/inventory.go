package api

import (
	"net/http"
	"slices"

	"shopfn/handler/commerce"
)

// maxInventorySKUs bounds the SKUs of one GET /api/inventory.
const maxInventorySKUs = 100

// availability is one SKU's availability.
type availability struct {
	SKU       string `json:"sku"`
	Available int64  `json:"available"`
}

// getInventories answers GET /api/inventory?sku=A&sku=B: the availability
// of up to maxInventorySKUs SKUs in one variant read and one stock read.
// SKUs of no active product are left out, as GET /api/inventory/{sku}
// answers 404 for them.
func (s *Server) getInventories(w http.ResponseWriter, r *http.Request) error {
	skus := slices.Clone(r.URL.Query()["sku"])
	slices.Sort(skus)
	skus = slices.Compact(skus)
	if len(skus) == 0 || len(skus) > maxInventorySKUs {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "give 1 to %d sku parameters", maxInventorySKUs)
	}
	for _, sku := range skus {
		if !commerce.ValidSKU(sku) {
			return commerce.Invalidf(commerce.CodeInvalidRequest, "sku %q is not a SKU", sku)
		}
	}
	refs, err := s.Catalog.Variants(r.Context(), skus)
	if err != nil {
		return err
	}
	var active []string
	for _, sku := range skus {
		if ref, ok := refs[sku]; ok && ref.Status == commerce.StatusActive {
			active = append(active, sku)
		}
	}
	items := []availability{}
	if len(active) > 0 {
		levels, err := s.Inventory.StockLevels(r.Context(), active)
		if err != nil {
			return err
		}
		for _, sku := range active {
			items = append(items, availability{SKU: sku, Available: levels[sku].Available()})
		}
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"items": items})
	return nil
}
