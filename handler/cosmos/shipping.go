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

// ShippingOptionStore is the Cosmos DB commerce.ShippingOptionStore on the
// pricing container: one document per option, alone in its logical
// partition, with id "shipping:" + the option's ID.
type ShippingOptionStore struct {
	c *azcosmos.ContainerClient
}

var _ commerce.ShippingOptionStore = (*ShippingOptionStore)(nil)

// NewShippingOptionStore returns a ShippingOptionStore on db's pricing container.
func NewShippingOptionStore(db *DB) *ShippingOptionStore { return &ShippingOptionStore{c: db.pricing} }

// typeShippingOption marks shipping option documents in the pricing container.
const typeShippingOption = "shippingOption"

// shippingOptionDoc is a shipping option as stored.
type shippingOptionDoc struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	OptionID  string          `json:"optionId"`
	Name      string          `json:"name"`
	Currency  string          `json:"currency"`
	Amount    int64           `json:"amount"`
	Countries []string        `json:"countries"`
	FreeOver  *commerce.Money `json:"freeOver,omitempty"`
	Status    string          `json:"status"`
	UpdatedAt string          `json:"updatedAt"`
	ETag      string          `json:"_etag,omitempty"`
}

func shippingOptionKey(id string) string { return "shipping:" + id }

// PutShippingOption upserts o, or with ifMatch replaces the version it names.
func (s *ShippingOptionStore) PutShippingOption(ctx context.Context, o *commerce.ShippingOption, ifMatch string) error {
	key := shippingOptionKey(o.ID)
	body, err := json.Marshal(shippingOptionDoc{ID: key, Type: typeShippingOption, OptionID: o.ID, Name: o.Name, Currency: o.Currency, Amount: o.Amount,
		Countries: o.Countries, FreeOver: o.FreeOver, Status: o.Status, UpdatedAt: formatTime(o.UpdatedAt)})
	if err != nil {
		return fmt.Errorf("cosmos: encode shipping option: %w", err)
	}
	etag, err := putPricingDoc(ctx, s.c, key, body, ifMatch, "shipping option "+o.ID)
	if err == nil {
		o.ETag = etag
	}
	return err
}

// ShippingOption returns an option by ID.
func (s *ShippingOptionStore) ShippingOption(ctx context.Context, id string) (*commerce.ShippingOption, error) {
	var d shippingOptionDoc
	if err := readItem(ctx, s.c, shippingOptionKey(id), shippingOptionKey(id), &d); err != nil {
		return nil, translate(err, "shipping option "+id)
	}
	return d.option()
}

// ShippingOptions returns every option, with one cross-partition query,
// sorted here.
func (s *ShippingOptionStore) ShippingOptions(ctx context.Context) ([]commerce.ShippingOption, error) {
	docs, err := query[shippingOptionDoc](ctx, s.c, "", "SELECT * FROM c WHERE c.type = @type",
		[]azcosmos.QueryParameter{{Name: "@type", Value: typeShippingOption}}, 0)
	if err != nil {
		return nil, translate(err, "list shipping options")
	}
	slices.SortFunc(docs, func(a, b shippingOptionDoc) int { return strings.Compare(a.OptionID, b.OptionID) })
	out := make([]commerce.ShippingOption, len(docs))
	for i := range docs {
		o, err := docs[i].option()
		if err != nil {
			return nil, err
		}
		out[i] = *o
	}
	return out, nil
}

// DeleteShippingOption removes an option.
func (s *ShippingOptionStore) DeleteShippingOption(ctx context.Context, id string) error {
	key := shippingOptionKey(id)
	if _, err := s.c.DeleteItem(ctx, azcosmos.NewPartitionKeyString(key), key, nil); err != nil {
		return translate(err, "shipping option "+id)
	}
	return nil
}

func (d *shippingOptionDoc) option() (*commerce.ShippingOption, error) {
	o := &commerce.ShippingOption{ID: d.OptionID, Name: d.Name, Currency: d.Currency, Amount: d.Amount, Countries: d.Countries,
		FreeOver: d.FreeOver, Status: d.Status, ETag: d.ETag}
	if o.Countries == nil {
		o.Countries = []string{}
	}
	var err error
	if o.UpdatedAt, err = parseTime(d.UpdatedAt); err != nil {
		return nil, fmt.Errorf("cosmos: shipping option %s: %w", d.OptionID, err)
	}
	return o, nil
}

// putPricingDoc upserts a pricing container document alone in its
// partition (key is its id and partition key), or with ifMatch replaces
// the version it names; it returns the new ETag.
func putPricingDoc(ctx context.Context, c *azcosmos.ContainerClient, key string, body []byte, ifMatch, what string) (string, error) {
	if ifMatch == "" {
		resp, err := c.UpsertItem(ctx, azcosmos.NewPartitionKeyString(key), body, nil)
		if err != nil {
			return "", translate(err, what)
		}
		return string(resp.ETag), nil
	}
	etag, err := replaceItem(ctx, c, key, key, body, ifMatch)
	if notFound(err) {
		return "", commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "%s is gone", what)
	}
	if err != nil {
		return "", translate(err, what)
	}
	return string(etag), nil
}
