package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"shopfn/handler/commerce"
)

// PromotionStore is the relational commerce.PromotionStore: each promotion
// a JSON document beside the columns the redemption statements read and
// write (its code key, limits and counters), in the database whose
// checkout transactions reserve its redemptions (promotionredeem.go).
type PromotionStore struct {
	db *DB
}

var _ commerce.PromotionStore = (*PromotionStore)(nil)

// NewPromotionStore returns a PromotionStore on db.
func NewPromotionStore(db *DB) *PromotionStore { return &PromotionStore{db: db} }

const promotionColumns = `doc, version, used, reserved`

// encodePromotion returns p's document: everything but its counters.
func encodePromotion(p *commerce.Promotion) (string, error) {
	d := *p
	d.Used, d.Reserved = 0, 0
	doc, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("sqlstore: encode promotion %s: %w", p.ID, err)
	}
	return string(doc), nil
}

// CreatePromotion stores p; its code key decides a race for one code.
func (s *PromotionStore) CreatePromotion(ctx context.Context, p *commerce.Promotion) error {
	doc, err := encodePromotion(p)
	if err != nil {
		return err
	}
	err = s.db.tx(ctx, "create promotion", func(tx *sql.Tx) error {
		_, err := s.db.exec(ctx, tx, `INSERT INTO promotions (id, code_key, version, usage_limit, per_customer_limit, refundable, used, reserved, doc)
			VALUES (?, ?, 1, ?, ?, ?, 0, 0, ?)`, p.ID, p.CodeKey(), p.UsageLimit, p.PerCustomerLimit, boolInt(p.Refundable), doc)
		if s.db.d.IsUnique(err) {
			return commerce.Errorf(commerce.KindConflict, commerce.CodeCodeTaken, "another promotion has the code %q", p.Code)
		}
		return err
	})
	if err != nil {
		return err
	}
	p.ETag, p.Used, p.Reserved = versionTag(1), 0, 0
	return nil
}

// UpdatePromotion replaces p's document and limits when its version is
// still ifMatch's; the code key and the counters are never written here.
func (s *PromotionStore) UpdatePromotion(ctx context.Context, p *commerce.Promotion, ifMatch string) error {
	want, err := strconv.ParseInt(strings.Trim(ifMatch, `"`), 10, 64)
	if err != nil {
		want = -1 // matches no row
	}
	stored, err := s.Promotion(ctx, p.ID)
	if err != nil {
		return err
	}
	p.Code = stored.Code // a code never changes: it is the key redemptions name
	doc, err := encodePromotion(p)
	if err != nil {
		return err
	}
	var n int64
	err = s.db.tx(ctx, "update promotion", func(tx *sql.Tx) (err error) {
		n, err = s.db.exec(ctx, tx, `UPDATE promotions SET version = version + 1, usage_limit = ?, per_customer_limit = ?, refundable = ?, doc = ?
			WHERE id = ? AND version = ?`, p.UsageLimit, p.PerCustomerLimit, boolInt(p.Refundable), doc, p.ID, want)
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "promotion %s has changed", p.ID)
	}
	got, err := s.Promotion(ctx, p.ID)
	if err != nil {
		return err
	}
	p.ETag, p.Used, p.Reserved = got.ETag, got.Used, got.Reserved
	return nil
}

// Promotion returns a promotion by ID with its counters.
func (s *PromotionStore) Promotion(ctx context.Context, id string) (*commerce.Promotion, error) {
	p, err := scanPromotion(s.db.readRow(ctx, `SELECT `+promotionColumns+` FROM promotions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, commerce.NotFoundf("promotion %q not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read promotion: %w", err)
	}
	return p, nil
}

// Promotions returns every promotion by ID, with its counters.
func (s *PromotionStore) Promotions(ctx context.Context) ([]commerce.Promotion, error) {
	rows, err := s.db.readRows(ctx, s.db.d.Rebind(`SELECT `+promotionColumns+` FROM promotions ORDER BY id`))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list promotions: %w", err)
	}
	defer rows.Close()
	out := []commerce.Promotion{}
	for rows.Next() {
		p, err := scanPromotion(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: list promotions: %w", err)
		}
		out = append(out, *p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: list promotions: %w", err)
	}
	return out, nil
}

func scanPromotion(row rowScanner) (*commerce.Promotion, error) {
	var doc string
	var version, used, reserved int64
	if err := row.Scan(&doc, &version, &used, &reserved); err != nil {
		return nil, err
	}
	var p commerce.Promotion
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, fmt.Errorf("decode promotion: %w", err)
	}
	p.Used, p.Reserved, p.ETag = used, reserved, versionTag(version)
	return &p, nil
}

// versionTag is the ETag of a row's version.
func versionTag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }
