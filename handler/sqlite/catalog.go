package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
)

// CatalogStore is the embedded commerce.CatalogStore: products as JSON
// documents, with their handle, category, status and SKUs indexed.
type CatalogStore struct {
	db *DB
	// Observe, when set, is told of every call.
	Observe Observe
	// Events, when set, writes product.* events in the transaction of
	// each change.
	Events EventWriter
}

var _ commerce.CatalogStore = (*CatalogStore)(nil)

// NewCatalogStore returns a CatalogStore on db.
func NewCatalogStore(db *DB) *CatalogStore { return &CatalogStore{db: db} }

// CreateProduct stores a new product.
func (s *CatalogStore) CreateProduct(ctx context.Context, p *commerce.Product) (err error) {
	defer s.Observe.call("sqlite.create product", time.Now(), &err)
	return s.write(ctx, p, events.ProductCreated, func(tx *sql.Tx, doc []byte) (int64, error) {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO products (id, handle, category, status, search, version, doc) VALUES (?, ?, ?, ?, ?, 1, ?)`,
			p.ID, p.Handle, p.Category, p.Status, searchText(p), doc)
		return 1, err
	})
}

// ReplaceProduct replaces a stored product, if ifMatch is empty or current.
func (s *CatalogStore) ReplaceProduct(ctx context.Context, p *commerce.Product, ifMatch string) (err error) {
	defer s.Observe.call("sqlite.replace product", time.Now(), &err)
	return s.write(ctx, p, events.ProductUpdated, func(tx *sql.Tx, doc []byte) (int64, error) {
		var version int64
		err := tx.QueryRowContext(ctx, `SELECT version FROM products WHERE id = ?`, p.ID).Scan(&version)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, commerce.NotFoundf("product %s not found", p.ID)
		}
		if err != nil {
			return 0, err
		}
		if ifMatch != "" && ifMatch != productETag(p.ID, version) {
			return 0, commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "product %s has changed", p.ID)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM variants WHERE product_id = ?`, p.ID); err != nil {
			return 0, err
		}
		_, err = tx.ExecContext(ctx,
			`UPDATE products SET handle = ?, category = ?, status = ?, search = ?, version = ?, doc = ? WHERE id = ?`,
			p.Handle, p.Category, p.Status, searchText(p), version+1, doc, p.ID)
		return version + 1, err
	})
}

// write runs store (which writes the products row and returns its new
// version) and indexes p's SKUs, in one transaction, after checking that
// p's handle and SKUs belong to no other product; with s.Events, it writes
// the change's event of type t in the same transaction.
func (s *CatalogStore) write(ctx context.Context, p *commerce.Product, t events.Type, store func(*sql.Tx, []byte) (int64, error)) error {
	doc, err := encodeProduct(p)
	if err != nil {
		return err
	}
	tx, err := s.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: write product %s: %w", p.ID, err)
	}
	defer tx.Rollback()
	var other string
	err = tx.QueryRowContext(ctx, `SELECT id FROM products WHERE handle = ? AND id <> ?`, p.Handle, p.ID).Scan(&other)
	if err == nil {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeHandleTaken, "handle %q belongs to another product", p.Handle)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: write product %s: %w", p.ID, err)
	}
	skus := make([]any, len(p.Variants))
	for i, v := range p.Variants {
		skus[i] = v.SKU
	}
	err = tx.QueryRowContext(ctx, `SELECT sku FROM variants WHERE product_id <> ? AND sku IN (`+params(len(skus))+`) LIMIT 1`,
		append([]any{p.ID}, skus...)...).Scan(&other)
	if err == nil {
		e := commerce.Errorf(commerce.KindConflict, commerce.CodeSKUTaken, "sku %q belongs to another product", other)
		e.SKUs = []string{other}
		return e
	} else if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: write product %s: %w", p.ID, err)
	}
	version, err := store(tx, doc)
	if err != nil {
		var ce *commerce.Error
		if errors.As(err, &ce) {
			return err
		}
		if strings.Contains(err.Error(), "UNIQUE constraint failed: products.id") {
			return commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "product %s exists", p.ID)
		}
		return fmt.Errorf("sqlite: write product %s: %w", p.ID, err)
	}
	for _, v := range p.Variants {
		if _, err := tx.ExecContext(ctx, `INSERT INTO variants (sku, product_id) VALUES (?, ?)`, v.SKU, p.ID); err != nil {
			return fmt.Errorf("sqlite: index sku %s: %w", v.SKU, err)
		}
	}
	if err := indexProduct(ctx, tx, p); err != nil {
		return fmt.Errorf("sqlite: index product %s: %w", p.ID, err)
	}
	if err := writeEvent(ctx, s.Events, tx, t, p.ID, events.ProductFrom(*p)); err != nil {
		return fmt.Errorf("sqlite: write product %s: %w", p.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: write product %s: %w", p.ID, err)
	}
	p.ETag = productETag(p.ID, version)
	return nil
}

// DeleteProduct removes a product, its SKUs and its listing index rows
// (ON DELETE CASCADE, and explicitly for the search words' virtual table),
// in one transaction.
func (s *CatalogStore) DeleteProduct(ctx context.Context, id string) (err error) {
	defer s.Observe.call("sqlite.delete product", time.Now(), &err)
	tx, err := s.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: delete product %s: %w", id, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM products WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete product %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return commerce.NotFoundf("product %s not found", id)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM product_text WHERE product_id = ?`, id); err != nil {
		return fmt.Errorf("sqlite: delete product %s: search words: %w", id, err)
	}
	if err := writeEvent(ctx, s.Events, tx, events.ProductDeleted, id, events.ProductDeletedData{ID: id, DeletedAt: time.Now().UTC()}); err != nil {
		return fmt.Errorf("sqlite: delete product %s: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: delete product %s: %w", id, err)
	}
	return nil
}

// Product returns a product by ID.
func (s *CatalogStore) Product(ctx context.Context, id string) (_ *commerce.Product, err error) {
	defer s.Observe.call("sqlite.read product", time.Now(), &err)
	return s.one(ctx, `SELECT doc, version FROM products WHERE id = ?`, id)
}

// ProductByHandle returns a product by handle.
func (s *CatalogStore) ProductByHandle(ctx context.Context, handle string) (_ *commerce.Product, err error) {
	defer s.Observe.call("sqlite.read product by handle", time.Now(), &err)
	return s.one(ctx, `SELECT doc, version FROM products WHERE handle = ?`, handle)
}

func (s *CatalogStore) one(ctx context.Context, query, key string) (*commerce.Product, error) {
	var doc []byte
	var version int64
	err := s.db.Read.QueryRowContext(ctx, query, key).Scan(&doc, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, commerce.NotFoundf("product %s not found", key)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: read product %s: %w", key, err)
	}
	return decodeProduct(doc, version)
}

// Categories returns the categories of active products with their counts.
func (s *CatalogStore) Categories(ctx context.Context) (_ []commerce.CategoryCount, err error) {
	defer s.Observe.call("sqlite.categories", time.Now(), &err)
	rows, err := s.db.Read.QueryContext(ctx,
		`SELECT category, COUNT(*) FROM products WHERE status = ? GROUP BY category ORDER BY category`, commerce.StatusActive)
	if err != nil {
		return nil, fmt.Errorf("sqlite: categories: %w", err)
	}
	defer rows.Close()
	var out []commerce.CategoryCount
	for rows.Next() {
		var c commerce.CategoryCount
		if err := rows.Scan(&c.ID, &c.Count); err != nil {
			return nil, fmt.Errorf("sqlite: categories: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: categories: %w", err)
	}
	return out, nil
}

// Variants returns the variants with the given SKUs.
func (s *CatalogStore) Variants(ctx context.Context, skus []string) (_ map[string]commerce.VariantRef, err error) {
	defer s.Observe.call("sqlite.variants", time.Now(), &err)
	out := make(map[string]commerce.VariantRef, len(skus))
	if len(skus) == 0 {
		return out, nil
	}
	args := make([]any, len(skus))
	for i, sku := range skus {
		args[i] = sku
	}
	rows, err := s.db.Read.QueryContext(ctx,
		`SELECT DISTINCT p.doc, p.version FROM variants v JOIN products p ON p.id = v.product_id WHERE v.sku IN (`+params(len(skus))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: variants: %w", err)
	}
	defer rows.Close()
	want := make(map[string]bool, len(skus))
	for _, sku := range skus {
		want[sku] = true
	}
	for rows.Next() {
		var doc []byte
		var version int64
		if err := rows.Scan(&doc, &version); err != nil {
			return nil, fmt.Errorf("sqlite: variants: %w", err)
		}
		p, err := decodeProduct(doc, version)
		if err != nil {
			return nil, err
		}
		for _, v := range p.Variants {
			if want[v.SKU] {
				out[v.SKU] = commerce.VariantRef{ProductID: p.ID, ProductTitle: p.Title, Status: p.Status, Variants: len(p.Variants), Variant: v}
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: variants: %w", err)
	}
	return out, nil
}

// CountProducts returns how many products there are.
func (s *CatalogStore) CountProducts(ctx context.Context) (_ int, err error) {
	defer s.Observe.call("sqlite.count products", time.Now(), &err)
	var n int
	if err := s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM products`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count products: %w", err)
	}
	return n, nil
}

// productETag is a product's entity tag: its ID and version, so that a
// product deleted and created again (a new ID, version 1 again) never
// answers 304 or passes If-Match with the old product's tag.
func productETag(id string, version int64) string { return fmt.Sprintf(`"%s.%d"`, id, version) }

// searchText is what a text query is matched against.
func searchText(p *commerce.Product) string {
	return strings.ToLower(p.Title + "\n" + p.Description)
}

// params returns n comma-separated placeholders.
func params(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
