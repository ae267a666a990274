package cosmos

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"shopfn/handler/commerce"
)

// PriceListStore is the Cosmos DB commerce.PriceListStore on the pricing
// container: one document per list, alone in its logical partition, with
// id "pricelist:" + the list's ID.
type PriceListStore struct {
	c *azcosmos.ContainerClient
}

var _ commerce.PriceListStore = (*PriceListStore)(nil)

// NewPriceListStore returns a PriceListStore on db's pricing container.
func NewPriceListStore(db *DB) *PriceListStore { return &PriceListStore{c: db.pricing} }

// typePriceList marks price list documents in the pricing container.
const typePriceList = "priceList"

// priceListDoc is a price list as stored.
type priceListDoc struct {
	ID             string         `json:"id"`
	Type           string         `json:"type"`
	ListID         string         `json:"listId"`
	Name           string         `json:"name"`
	Currency       string         `json:"currency"`
	CustomerGroups []string       `json:"customerGroups"`
	StartsAt       string         `json:"startsAt,omitempty"`
	EndsAt         string         `json:"endsAt,omitempty"`
	Status         string         `json:"status"`
	Prices         []listPriceDoc `json:"prices"`
	UpdatedAt      string         `json:"updatedAt"`
	ETag           string         `json:"_etag,omitempty"`
}

// listPriceDoc is one price of a priceListDoc.
type listPriceDoc struct {
	SKU    string `json:"sku"`
	Amount int64  `json:"amount"`
}

func priceListKey(id string) string { return "pricelist:" + id }

func optTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return formatTime(*t)
}

// PutPriceList upserts l, or with ifMatch replaces the version it names.
func (s *PriceListStore) PutPriceList(ctx context.Context, l *commerce.PriceList, ifMatch string) error {
	key := priceListKey(l.ID)
	d := priceListDoc{ID: key, Type: typePriceList, ListID: l.ID, Name: l.Name, Currency: l.Currency, CustomerGroups: l.CustomerGroups,
		StartsAt: optTime(l.StartsAt), EndsAt: optTime(l.EndsAt), Status: l.Status, Prices: make([]listPriceDoc, len(l.Prices)), UpdatedAt: formatTime(l.UpdatedAt)}
	for i, p := range l.Prices {
		d.Prices[i] = listPriceDoc(p)
	}
	body, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("cosmos: encode price list: %w", err)
	}
	if ifMatch == "" {
		resp, err := s.c.UpsertItem(ctx, azcosmos.NewPartitionKeyString(key), body, nil)
		if err != nil {
			return translate(err, "price list "+l.ID)
		}
		l.ETag = string(resp.ETag)
		return nil
	}
	etag, err := replaceItem(ctx, s.c, key, key, body, ifMatch)
	if notFound(err) {
		return commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "price list %s is gone", l.ID)
	}
	if err != nil {
		return translate(err, "price list "+l.ID)
	}
	l.ETag = string(etag)
	return nil
}

// PriceList returns a price list by ID.
func (s *PriceListStore) PriceList(ctx context.Context, id string) (*commerce.PriceList, error) {
	var d priceListDoc
	if err := readItem(ctx, s.c, priceListKey(id), priceListKey(id), &d); err != nil {
		return nil, translate(err, "price list "+id)
	}
	return d.list()
}

// PriceLists returns every price list, with one cross-partition query,
// sorted here.
func (s *PriceListStore) PriceLists(ctx context.Context) ([]commerce.PriceList, error) {
	docs, err := query[priceListDoc](ctx, s.c, "", "SELECT * FROM c WHERE c.type = @type",
		[]azcosmos.QueryParameter{{Name: "@type", Value: typePriceList}}, 0)
	if err != nil {
		return nil, translate(err, "list price lists")
	}
	slices.SortFunc(docs, func(a, b priceListDoc) int { return strings.Compare(a.ListID, b.ListID) })
	out := make([]commerce.PriceList, len(docs))
	for i := range docs {
		l, err := docs[i].list()
		if err != nil {
			return nil, err
		}
		out[i] = *l
	}
	return out, nil
}

// DeletePriceList removes a price list.
func (s *PriceListStore) DeletePriceList(ctx context.Context, id string) error {
	if _, err := s.c.DeleteItem(ctx, azcosmos.NewPartitionKeyString(priceListKey(id)), priceListKey(id), nil); err != nil {
		return translate(err, "price list "+id)
	}
	return nil
}

func (d *priceListDoc) list() (*commerce.PriceList, error) {
	l := &commerce.PriceList{ID: d.ListID, Name: d.Name, Currency: d.Currency, CustomerGroups: d.CustomerGroups, Status: d.Status,
		Prices: make([]commerce.ListPrice, len(d.Prices)), ETag: d.ETag}
	if l.CustomerGroups == nil {
		l.CustomerGroups = []string{}
	}
	for i, p := range d.Prices {
		l.Prices[i] = commerce.ListPrice(p)
	}
	var err error
	if l.UpdatedAt, err = parseTime(d.UpdatedAt); err != nil {
		return nil, fmt.Errorf("cosmos: price list %s: %w", d.ListID, err)
	}
	for _, t := range []struct {
		dst **time.Time
		src string
	}{{&l.StartsAt, d.StartsAt}, {&l.EndsAt, d.EndsAt}} {
		if t.src == "" {
			continue
		}
		v, err := parseTime(t.src)
		if err != nil {
			return nil, fmt.Errorf("cosmos: price list %s: %w", d.ListID, err)
		}
		*t.dst = &v
	}
	return l, nil
}
