package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shopfn/handler/commerce"
)

// CartStore is the embedded commerce.CartStore: carts as JSON documents with
// a version for optimistic concurrency.
type CartStore struct {
	db *DB
	// Observe, when set, is told of every call.
	Observe Observe
	// The statements of the hot path, prepared once.
	get, replace *sql.Stmt
	// cache holds recent carts when this process alone writes the file
	// (Options.Exclusive); nil otherwise.
	cache *cartCache
}

var _ commerce.CartStore = (*CartStore)(nil)

// NewCartStore returns a CartStore on db.
func NewCartStore(ctx context.Context, db *DB) (*CartStore, error) {
	s := &CartStore{db: db}
	if db.exclusive {
		s.cache = newCartCache()
	}
	var err error
	if s.get, err = db.Read.PrepareContext(ctx, `SELECT doc, version, expires_at FROM carts WHERE id = ?`); err != nil {
		return nil, fmt.Errorf("sqlite: prepare: %w", err)
	}
	if s.replace, err = db.Write.PrepareContext(ctx,
		`UPDATE carts SET version = version + 1, expires_at = ?, doc = ? WHERE id = ? AND version = ?`); err != nil {
		return nil, fmt.Errorf("sqlite: prepare: %w", err)
	}
	return s, nil
}

// CreateCart stores a new cart.
func (s *CartStore) CreateCart(ctx context.Context, c *commerce.Cart) (err error) {
	defer s.Observe.call("sqlite.create cart", time.Now(), &err)
	doc, err := encodeCart(c)
	if err != nil {
		return err
	}
	epoch := s.cache.begin(c.ID)
	err = s.db.Writer.Do(ctx, "sqlite.create cart", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(context.WithoutCancel(ctx), `INSERT INTO carts (id, version, expires_at, doc) VALUES (?, 1, ?, ?)`,
			c.ID, c.ExpiresAt.UnixNano(), doc)
		return err
	})
	if err != nil {
		s.cache.end(c.ID, cartRow{}, epoch)
	} else {
		s.cache.end(c.ID, cartRow{c.ID, doc, 1, c.ExpiresAt.UnixNano()}, epoch)
	}
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE constraint failed") {
			return commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "cart %s exists", c.ID)
		}
		return fmt.Errorf("sqlite: create cart: %w", err)
	}
	c.ETag = etag(1)
	return nil
}

// Cart returns a cart by ID, expired or not.
func (s *CartStore) Cart(ctx context.Context, id string) (_ *commerce.Cart, err error) {
	defer s.Observe.call("sqlite.read cart", time.Now(), &err)
	doc, version, gen, ok := s.cache.get(id)
	if ok {
		return decodeCart(doc, version)
	}
	var expires int64
	err = s.get.QueryRowContext(ctx, id).Scan(&doc, &version, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, commerce.NotFoundf("cart %s not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: read cart: %w", err)
	}
	c, err := decodeCart(doc, version)
	if err != nil {
		return nil, err
	}
	s.cache.put(cartRow{id, doc, version, expires}, gen)
	return c, nil
}

// ReplaceCart stores c if the stored cart's ETag is still ifMatch.
func (s *CartStore) ReplaceCart(ctx context.Context, c *commerce.Cart, ifMatch string) (err error) {
	defer s.Observe.call("sqlite.replace cart", time.Now(), &err)
	version, err := strconv.ParseInt(strings.Trim(ifMatch, `"`), 10, 64)
	if err != nil {
		version = -1 // matches no row; the cart's existence decides the error below
	}
	doc, err := encodeCart(c)
	if err != nil {
		return err
	}
	var n int64
	epoch := s.cache.begin(c.ID)
	err = s.db.Writer.Do(ctx, "sqlite.replace cart", func(tx *sql.Tx) error {
		ctx := context.WithoutCancel(ctx)
		res, err := tx.StmtContext(ctx, s.replace).ExecContext(ctx, c.ExpiresAt.UnixNano(), doc, c.ID, version)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err == nil && n == 1 {
		c.ETag = etag(version + 1)
		s.cache.end(c.ID, cartRow{c.ID, doc, version + 1, c.ExpiresAt.UnixNano()}, epoch)
	} else {
		s.cache.end(c.ID, cartRow{}, epoch)
	}
	if err != nil {
		return fmt.Errorf("sqlite: replace cart: %w", err)
	}
	if n == 1 {
		return nil
	}
	if _, err := s.Cart(ctx, c.ID); err != nil {
		return err
	}
	return commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "cart %s has changed", c.ID)
}

// DeleteCart removes a cart if ifMatch is empty or current.
func (s *CartStore) DeleteCart(ctx context.Context, id, ifMatch string) (err error) {
	defer s.Observe.call("sqlite.delete cart", time.Now(), &err)
	query, args := `DELETE FROM carts WHERE id = ?`, []any{id}
	if ifMatch != "" {
		version, err := strconv.ParseInt(strings.Trim(ifMatch, `"`), 10, 64)
		if err != nil {
			version = -1
		}
		query, args = query+` AND version = ?`, append(args, version)
	}
	var n int64
	epoch := s.cache.begin(id)
	err = s.db.Writer.Do(ctx, "sqlite.delete cart", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(context.WithoutCancel(ctx), query, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	s.cache.end(id, cartRow{}, epoch)
	if err != nil {
		return fmt.Errorf("sqlite: delete cart: %w", err)
	}
	if n == 1 {
		return nil
	}
	if _, err := s.Cart(ctx, id); err != nil {
		return err
	}
	return commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "cart %s has changed", id)
}

// DeleteExpiredCarts removes carts that expired at or before now.
func (s *CartStore) DeleteExpiredCarts(ctx context.Context, now time.Time) (_ int, err error) {
	defer s.Observe.call("sqlite.delete expired carts", time.Now(), &err)
	res, err := s.db.Write.ExecContext(ctx, `DELETE FROM carts WHERE expires_at <= ?`, now.UnixNano())
	s.cache.expired(now)
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired carts: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
