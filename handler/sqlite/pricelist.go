package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shopfn/handler/commerce"
)

// PriceListStore is the embedded commerce.PriceListStore: price lists as
// JSON documents with a version for conditional writes.
type PriceListStore struct {
	db *DB
	// Observe, when set, is told of every call.
	Observe Observe
}

var _ commerce.PriceListStore = (*PriceListStore)(nil)

// NewPriceListStore returns a PriceListStore on db.
func NewPriceListStore(db *DB) *PriceListStore { return &PriceListStore{db: db} }

// priceListDoc is a price list as stored in price_lists.doc.
type priceListDoc struct {
	ID             string         `json:"id"`
	Name           string         `json:"name"`
	Currency       string         `json:"currency"`
	CustomerGroups []string       `json:"customerGroups"`
	StartsAt       *time.Time     `json:"startsAt,omitempty"`
	EndsAt         *time.Time     `json:"endsAt,omitempty"`
	Status         string         `json:"status"`
	Prices         []listPriceDoc `json:"prices"`
	UpdatedAt      time.Time      `json:"updatedAt"`
}

// listPriceDoc is one price of a priceListDoc.
type listPriceDoc struct {
	SKU    string `json:"sku"`
	Amount int64  `json:"amount"`
}

// PutPriceList creates or replaces l; with ifMatch, only the version it names.
func (s *PriceListStore) PutPriceList(ctx context.Context, l *commerce.PriceList, ifMatch string) (err error) {
	defer s.Observe.call("sqlite.put price list", time.Now(), &err)
	d := priceListDoc{ID: l.ID, Name: l.Name, Currency: l.Currency, CustomerGroups: l.CustomerGroups, StartsAt: l.StartsAt, EndsAt: l.EndsAt,
		Status: l.Status, Prices: make([]listPriceDoc, len(l.Prices)), UpdatedAt: l.UpdatedAt}
	for i, p := range l.Prices {
		d.Prices[i] = listPriceDoc(p)
	}
	doc, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("sqlite: encode price list %s: %w", l.ID, err)
	}
	var version int64
	if ifMatch == "" {
		err = s.db.Write.QueryRowContext(ctx, `INSERT INTO price_lists (id, version, doc) VALUES (?, 1, ?)
			ON CONFLICT (id) DO UPDATE SET version = version + 1, doc = excluded.doc RETURNING version`, l.ID, doc).Scan(&version)
	} else {
		want, perr := strconv.ParseInt(strings.Trim(ifMatch, `"`), 10, 64)
		if perr != nil {
			want = -1 // matches no row
		}
		err = s.db.Write.QueryRowContext(ctx, `UPDATE price_lists SET version = version + 1, doc = ? WHERE id = ? AND version = ? RETURNING version`,
			doc, l.ID, want).Scan(&version)
		if errors.Is(err, sql.ErrNoRows) {
			return commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "price list %s has changed or is gone", l.ID)
		}
	}
	if err != nil {
		return fmt.Errorf("sqlite: put price list %s: %w", l.ID, err)
	}
	l.ETag = etag(version)
	return nil
}

// PriceList returns a price list by ID.
func (s *PriceListStore) PriceList(ctx context.Context, id string) (_ *commerce.PriceList, err error) {
	defer s.Observe.call("sqlite.read price list", time.Now(), &err)
	var doc []byte
	var version int64
	err = s.db.Read.QueryRowContext(ctx, `SELECT doc, version FROM price_lists WHERE id = ?`, id).Scan(&doc, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, commerce.NotFoundf("price list %q not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: read price list: %w", err)
	}
	return decodePriceList(doc, version)
}

// PriceLists returns every price list in ID order.
func (s *PriceListStore) PriceLists(ctx context.Context) (_ []commerce.PriceList, err error) {
	defer s.Observe.call("sqlite.list price lists", time.Now(), &err)
	rows, err := s.db.Read.QueryContext(ctx, `SELECT doc, version FROM price_lists ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list price lists: %w", err)
	}
	defer rows.Close()
	out := []commerce.PriceList{}
	for rows.Next() {
		var doc []byte
		var version int64
		if err := rows.Scan(&doc, &version); err != nil {
			return nil, fmt.Errorf("sqlite: list price lists: %w", err)
		}
		l, err := decodePriceList(doc, version)
		if err != nil {
			return nil, err
		}
		out = append(out, *l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list price lists: %w", err)
	}
	return out, nil
}

// DeletePriceList removes a price list.
func (s *PriceListStore) DeletePriceList(ctx context.Context, id string) (err error) {
	defer s.Observe.call("sqlite.delete price list", time.Now(), &err)
	res, err := s.db.Write.ExecContext(ctx, `DELETE FROM price_lists WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete price list: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: delete price list: %w", err)
	} else if n == 0 {
		return commerce.NotFoundf("price list %q not found", id)
	}
	return nil
}

// decodePriceList returns the price list a document holds, at version.
func decodePriceList(doc []byte, version int64) (*commerce.PriceList, error) {
	var d priceListDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("sqlite: decode price list: %w", err)
	}
	l := &commerce.PriceList{ID: d.ID, Name: d.Name, Currency: d.Currency, CustomerGroups: d.CustomerGroups, StartsAt: d.StartsAt, EndsAt: d.EndsAt,
		Status: d.Status, Prices: make([]commerce.ListPrice, len(d.Prices)), UpdatedAt: d.UpdatedAt, ETag: etag(version)}
	for i, p := range d.Prices {
		l.Prices[i] = commerce.ListPrice(p)
	}
	if l.CustomerGroups == nil {
		l.CustomerGroups = []string{}
	}
	return l, nil
}
