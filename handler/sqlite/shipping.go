package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"shopfn/handler/commerce"
)

// ShippingOptionStore is the embedded commerce.ShippingOptionStore: options
// as JSON documents with a version for conditional writes.
type ShippingOptionStore struct {
	v versioned
	// Observe, when set, is told of every call.
	Observe Observe
}

var _ commerce.ShippingOptionStore = (*ShippingOptionStore)(nil)

// NewShippingOptionStore returns a ShippingOptionStore on db.
func NewShippingOptionStore(db *DB) *ShippingOptionStore {
	return &ShippingOptionStore{v: versioned{db: db, table: "shipping_options", what: "shipping option"}}
}

// shippingOptionDoc is an option as stored in shipping_options.doc.
type shippingOptionDoc struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Currency  string    `json:"currency"`
	Amount    int64     `json:"amount"`
	Countries []string  `json:"countries"`
	FreeOver  *moneyDoc `json:"freeOver,omitempty"`
	Status    string    `json:"status"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// PutShippingOption creates or replaces o; with ifMatch, only the version it names.
func (s *ShippingOptionStore) PutShippingOption(ctx context.Context, o *commerce.ShippingOption, ifMatch string) (err error) {
	defer s.Observe.call("sqlite.put shipping option", time.Now(), &err)
	d := shippingOptionDoc{ID: o.ID, Name: o.Name, Currency: o.Currency, Amount: o.Amount, Countries: o.Countries, Status: o.Status, UpdatedAt: o.UpdatedAt}
	if o.FreeOver != nil {
		m := moneyDoc(*o.FreeOver)
		d.FreeOver = &m
	}
	doc, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("sqlite: encode shipping option %s: %w", o.ID, err)
	}
	etag, err := s.v.put(ctx, o.ID, doc, ifMatch)
	if err == nil {
		o.ETag = etag
	}
	return err
}

// ShippingOption returns an option by ID.
func (s *ShippingOptionStore) ShippingOption(ctx context.Context, id string) (_ *commerce.ShippingOption, err error) {
	defer s.Observe.call("sqlite.read shipping option", time.Now(), &err)
	doc, etag, err := s.v.get(ctx, id)
	if err != nil {
		return nil, err
	}
	return decodeShippingOption(doc, etag)
}

// ShippingOptions returns every option in ID order.
func (s *ShippingOptionStore) ShippingOptions(ctx context.Context) (_ []commerce.ShippingOption, err error) {
	defer s.Observe.call("sqlite.list shipping options", time.Now(), &err)
	out := []commerce.ShippingOption{}
	err = s.v.all(ctx, func(doc []byte, etag string) error {
		o, err := decodeShippingOption(doc, etag)
		if err == nil {
			out = append(out, *o)
		}
		return err
	})
	return out, err
}

// DeleteShippingOption removes an option.
func (s *ShippingOptionStore) DeleteShippingOption(ctx context.Context, id string) (err error) {
	defer s.Observe.call("sqlite.delete shipping option", time.Now(), &err)
	return s.v.delete(ctx, id)
}

func decodeShippingOption(doc []byte, etag string) (*commerce.ShippingOption, error) {
	var d shippingOptionDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("sqlite: decode shipping option: %w", err)
	}
	o := &commerce.ShippingOption{ID: d.ID, Name: d.Name, Currency: d.Currency, Amount: d.Amount, Countries: d.Countries,
		Status: d.Status, UpdatedAt: d.UpdatedAt, ETag: etag}
	if d.FreeOver != nil {
		m := commerce.Money(*d.FreeOver)
		o.FreeOver = &m
	}
	if o.Countries == nil {
		o.Countries = []string{}
	}
	return o, nil
}
