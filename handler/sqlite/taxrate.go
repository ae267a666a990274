package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"shopfn/handler/commerce"
)

// TaxRateStore is the embedded commerce.TaxRateStore: one JSON document
// per country with a version for conditional writes.
type TaxRateStore struct {
	v versioned
	// Observe, when set, is told of every call.
	Observe Observe
}

var _ commerce.TaxRateStore = (*TaxRateStore)(nil)

// NewTaxRateStore returns a TaxRateStore on db.
func NewTaxRateStore(db *DB) *TaxRateStore {
	return &TaxRateStore{v: versioned{db: db, table: "tax_rates", what: "tax rate"}}
}

// taxRateDoc is a rate as stored in tax_rates.doc.
type taxRateDoc struct {
	Country       string           `json:"country"`
	Rate          int64            `json:"rate"`
	ShippingTaxed bool             `json:"shippingTaxed"`
	Subdivisions  map[string]int64 `json:"subdivisions,omitempty"`
	UpdatedAt     time.Time        `json:"updatedAt"`
}

// PutTaxRate creates or replaces t; with ifMatch, only the version it names.
func (s *TaxRateStore) PutTaxRate(ctx context.Context, t *commerce.TaxRate, ifMatch string) (err error) {
	defer s.Observe.call("sqlite.put tax rate", time.Now(), &err)
	doc, err := json.Marshal(taxRateDoc{Country: t.Country, Rate: t.Rate, ShippingTaxed: t.ShippingTaxed, Subdivisions: t.Subdivisions, UpdatedAt: t.UpdatedAt})
	if err != nil {
		return fmt.Errorf("sqlite: encode tax rate %s: %w", t.Country, err)
	}
	etag, err := s.v.put(ctx, t.Country, doc, ifMatch)
	if err == nil {
		t.ETag = etag
	}
	return err
}

// TaxRate returns a country's rate.
func (s *TaxRateStore) TaxRate(ctx context.Context, country string) (_ *commerce.TaxRate, err error) {
	defer s.Observe.call("sqlite.read tax rate", time.Now(), &err)
	doc, etag, err := s.v.get(ctx, country)
	if err != nil {
		return nil, err
	}
	return decodeTaxRate(doc, etag)
}

// TaxRates returns every rate in country order.
func (s *TaxRateStore) TaxRates(ctx context.Context) (_ []commerce.TaxRate, err error) {
	defer s.Observe.call("sqlite.list tax rates", time.Now(), &err)
	out := []commerce.TaxRate{}
	err = s.v.all(ctx, func(doc []byte, etag string) error {
		t, err := decodeTaxRate(doc, etag)
		if err == nil {
			out = append(out, *t)
		}
		return err
	})
	return out, err
}

// DeleteTaxRate removes a country's rate.
func (s *TaxRateStore) DeleteTaxRate(ctx context.Context, country string) (err error) {
	defer s.Observe.call("sqlite.delete tax rate", time.Now(), &err)
	return s.v.delete(ctx, country)
}

func decodeTaxRate(doc []byte, etag string) (*commerce.TaxRate, error) {
	var d taxRateDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("sqlite: decode tax rate: %w", err)
	}
	return &commerce.TaxRate{Country: d.Country, Rate: d.Rate, ShippingTaxed: d.ShippingTaxed, Subdivisions: d.Subdivisions, UpdatedAt: d.UpdatedAt, ETag: etag}, nil
}
