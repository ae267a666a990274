package cosmos

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"shopfn/handler/commerce"
)

// TaxRateStore is the Cosmos DB commerce.TaxRateStore on the pricing
// container: one document per country, alone in its logical partition,
// with id "taxrate:" + the country.
type TaxRateStore struct {
	c *azcosmos.ContainerClient
}

var _ commerce.TaxRateStore = (*TaxRateStore)(nil)

// NewTaxRateStore returns a TaxRateStore on db's pricing container.
func NewTaxRateStore(db *DB) *TaxRateStore { return &TaxRateStore{c: db.pricing} }

// typeTaxRate marks tax rate documents in the pricing container.
const typeTaxRate = "taxRate"

// taxRateDoc is a tax rate as stored.
type taxRateDoc struct {
	ID            string           `json:"id"`
	Type          string           `json:"type"`
	Country       string           `json:"country"`
	Rate          int64            `json:"rate"`
	ShippingTaxed bool             `json:"shippingTaxed"`
	Subdivisions  map[string]int64 `json:"subdivisions,omitempty"`
	UpdatedAt     string           `json:"updatedAt"`
	ETag          string           `json:"_etag,omitempty"`
}

func taxRateKey(country string) string { return "taxrate:" + country }

// PutTaxRate upserts t, or with ifMatch replaces the version it names.
func (s *TaxRateStore) PutTaxRate(ctx context.Context, t *commerce.TaxRate, ifMatch string) error {
	key := taxRateKey(t.Country)
	body, err := json.Marshal(taxRateDoc{ID: key, Type: typeTaxRate, Country: t.Country, Rate: t.Rate, ShippingTaxed: t.ShippingTaxed,
		Subdivisions: t.Subdivisions, UpdatedAt: formatTime(t.UpdatedAt)})
	if err != nil {
		return fmt.Errorf("cosmos: encode tax rate: %w", err)
	}
	etag, err := putPricingDoc(ctx, s.c, key, body, ifMatch, "tax rate "+t.Country)
	if err == nil {
		t.ETag = etag
	}
	return err
}

// TaxRate returns a country's rate.
func (s *TaxRateStore) TaxRate(ctx context.Context, country string) (*commerce.TaxRate, error) {
	var d taxRateDoc
	if err := readItem(ctx, s.c, taxRateKey(country), taxRateKey(country), &d); err != nil {
		return nil, translate(err, "tax rate "+country)
	}
	return d.rate()
}

// TaxRates returns every rate, with one cross-partition query, sorted here.
func (s *TaxRateStore) TaxRates(ctx context.Context) ([]commerce.TaxRate, error) {
	docs, err := query[taxRateDoc](ctx, s.c, "", "SELECT * FROM c WHERE c.type = @type",
		[]azcosmos.QueryParameter{{Name: "@type", Value: typeTaxRate}}, 0)
	if err != nil {
		return nil, translate(err, "list tax rates")
	}
	slices.SortFunc(docs, func(a, b taxRateDoc) int { return strings.Compare(a.Country, b.Country) })
	out := make([]commerce.TaxRate, len(docs))
	for i := range docs {
		t, err := docs[i].rate()
		if err != nil {
			return nil, err
		}
		out[i] = *t
	}
	return out, nil
}

// DeleteTaxRate removes a country's rate.
func (s *TaxRateStore) DeleteTaxRate(ctx context.Context, country string) error {
	key := taxRateKey(country)
	if _, err := s.c.DeleteItem(ctx, azcosmos.NewPartitionKeyString(key), key, nil); err != nil {
		return translate(err, "tax rate "+country)
	}
	return nil
}

func (d *taxRateDoc) rate() (*commerce.TaxRate, error) {
	t := &commerce.TaxRate{Country: d.Country, Rate: d.Rate, ShippingTaxed: d.ShippingTaxed, Subdivisions: d.Subdivisions, ETag: d.ETag}
	var err error
	if t.UpdatedAt, err = parseTime(d.UpdatedAt); err != nil {
		return nil, fmt.Errorf("cosmos: tax rate %s: %w", d.Country, err)
	}
	return t, nil
}
