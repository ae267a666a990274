package memstore

import (
	"context"

	"shopfn/handler/commerce"
)

// ShippingOptionStore is the in-memory commerce.ShippingOptionStore.
type ShippingOptionStore struct {
	v *versioned[commerce.ShippingOption]
}

var _ commerce.ShippingOptionStore = (*ShippingOptionStore)(nil)

// NewShippingOptionStore returns an empty ShippingOptionStore.
func NewShippingOptionStore() *ShippingOptionStore {
	return &ShippingOptionStore{v: newVersioned[commerce.ShippingOption]("shipping option")}
}

// PutShippingOption creates or replaces o; with ifMatch, only the version it names.
func (s *ShippingOptionStore) PutShippingOption(ctx context.Context, o *commerce.ShippingOption, ifMatch string) error {
	etag, err := s.v.put(o.ID, o, ifMatch)
	if err == nil {
		o.ETag = etag
	}
	return err
}

// ShippingOption returns an option by ID.
func (s *ShippingOptionStore) ShippingOption(ctx context.Context, id string) (*commerce.ShippingOption, error) {
	o, etag, err := s.v.get(id)
	if err != nil {
		return nil, err
	}
	o.ETag = etag
	return o, nil
}

// ShippingOptions returns every option in ID order.
func (s *ShippingOptionStore) ShippingOptions(ctx context.Context) ([]commerce.ShippingOption, error) {
	return s.v.all(func(o *commerce.ShippingOption, etag string) { o.ETag = etag })
}

// DeleteShippingOption removes an option.
func (s *ShippingOptionStore) DeleteShippingOption(ctx context.Context, id string) error {
	return s.v.delete(id)
}

// TaxRateStore is the in-memory commerce.TaxRateStore.
type TaxRateStore struct{ v *versioned[commerce.TaxRate] }

var _ commerce.TaxRateStore = (*TaxRateStore)(nil)

// NewTaxRateStore returns an empty TaxRateStore.
func NewTaxRateStore() *TaxRateStore {
	return &TaxRateStore{v: newVersioned[commerce.TaxRate]("tax rate")}
}

// PutTaxRate creates or replaces t; with ifMatch, only the version it names.
func (s *TaxRateStore) PutTaxRate(ctx context.Context, t *commerce.TaxRate, ifMatch string) error {
	etag, err := s.v.put(t.Country, t, ifMatch)
	if err == nil {
		t.ETag = etag
	}
	return err
}

// TaxRate returns a country's rate.
func (s *TaxRateStore) TaxRate(ctx context.Context, country string) (*commerce.TaxRate, error) {
	t, etag, err := s.v.get(country)
	if err != nil {
		return nil, err
	}
	t.ETag = etag
	return t, nil
}

// TaxRates returns every rate in country order.
func (s *TaxRateStore) TaxRates(ctx context.Context) ([]commerce.TaxRate, error) {
	return s.v.all(func(t *commerce.TaxRate, etag string) { t.ETag = etag })
}

// DeleteTaxRate removes a country's rate.
func (s *TaxRateStore) DeleteTaxRate(ctx context.Context, country string) error {
	return s.v.delete(country)
}
