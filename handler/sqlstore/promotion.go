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

// promotionColumns are what scanPromotion reads of promotions p. A
// promotion with a usage limit keeps its counters on its row; one without
// keeps none, and they are counted from its redemption rows
// (promotionredeem.go), by the index on (promotion_id, status).
const promotionColumns = `p.doc, p.version,
	CASE WHEN p.usage_limit IS NULL THEN (SELECT COUNT(*) FROM promotion_redemptions r WHERE r.promotion_id = p.id AND r.status = 'used') ELSE p.used END,
	CASE WHEN p.usage_limit IS NULL THEN (SELECT COUNT(*) FROM promotion_redemptions r WHERE r.promotion_id = p.id AND r.status = 'reserved') ELSE p.reserved END`

// promotionsCounted is every promotion, the counters of those without a
// limit counted by one GROUP BY over their redemptions.
const promotionsCounted = `SELECT p.doc, p.version,
	CASE WHEN p.usage_limit IS NULL THEN COALESCE(c.used, 0) ELSE p.used END,
	CASE WHEN p.usage_limit IS NULL THEN COALESCE(c.reserved, 0) ELSE p.reserved END
	FROM promotions p LEFT JOIN (
		SELECT promotion_id, SUM(CASE WHEN status = 'used' THEN 1 ELSE 0 END) AS used, SUM(CASE WHEN status = 'reserved' THEN 1 ELSE 0 END) AS reserved
		FROM promotion_redemptions WHERE status IN ('used', 'reserved') AND promotion_id IN (SELECT id FROM promotions WHERE usage_limit IS NULL)
		GROUP BY promotion_id) c ON c.promotion_id = p.id
	ORDER BY p.id`

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
		if err != nil || n == 0 || p.UsageLimit == nil {
			return err
		}
		// Limited (perhaps only from now on): the counters are counted
		// again from the redemption rows, so that they are exact whatever
		// the checkouts did while the promotion kept none. Its own
		// statement, after the one above: that one took the row's
		// exclusive lock, waiting for every checkout that moved a
		// redemption without counting it (they hold a shared lock on the
		// row to commit, promotionredeem.go), and keeping out the next
		// ones, so this count (a snapshot read on SQL Server, taken when
		// it starts) sees them all. Within the first statement the count
		// would be read under the update lock, which does not wait for
		// them.
		_, err = s.db.exec(ctx, tx, `UPDATE promotions SET
			used = (SELECT COUNT(*) FROM promotion_redemptions WHERE promotion_id = ? AND status = 'used'),
			reserved = (SELECT COUNT(*) FROM promotion_redemptions WHERE promotion_id = ? AND status = 'reserved')
			WHERE id = ?`, p.ID, p.ID, p.ID)
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
	p, err := scanPromotion(s.db.readRow(ctx, `SELECT `+promotionColumns+` FROM promotions p WHERE p.id = ?`, id))
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
	return s.list(ctx, promotionsCounted)
}

// PricingPromotions returns every promotion by ID as Promotions does, but
// the counters of one without a usage limit are 0, not counted: pricing
// (cache.Promotions) reads a promotion's counters only to check its limit,
// and reads the list every few seconds on every instance, where the count
// would read every redemption of every unlimited promotion.
func (s *PromotionStore) PricingPromotions(ctx context.Context) ([]commerce.Promotion, error) {
	return s.list(ctx, `SELECT p.doc, p.version,
		CASE WHEN p.usage_limit IS NULL THEN 0 ELSE p.used END, CASE WHEN p.usage_limit IS NULL THEN 0 ELSE p.reserved END
		FROM promotions p ORDER BY p.id`)
}

// list returns the promotions query reads (promotionColumns' four).
func (s *PromotionStore) list(ctx context.Context, query string) ([]commerce.Promotion, error) {
	rows, err := s.db.readRows(ctx, s.db.d.Rebind(query))
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
