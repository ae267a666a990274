package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"shopfn/handler/commerce"
)

// execer is what indexProduct writes through: a transaction or a pool.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// indexProduct replaces the listing's index rows of p: its lowest price per
// currency, its terms and its title key. The caller writes p in the same
// transaction.
func indexProduct(ctx context.Context, tx execer, p *commerce.Product) error {
	for _, table := range []string{"product_prices", "product_terms", "product_titles", "product_text"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE product_id = ?`, p.ID); err != nil {
			return err
		}
	}
	for currency, amount := range p.Prices() {
		if _, err := tx.ExecContext(ctx, `INSERT INTO product_prices (currency, product_id, amount) VALUES (?, ?, ?)`, currency, p.ID, amount); err != nil {
			return err
		}
	}
	for _, term := range p.Terms() {
		if _, err := tx.ExecContext(ctx, `INSERT INTO product_terms (term, product_id) VALUES (?, ?)`, term, p.ID); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO product_text (product_id, title, description) VALUES (?, ?, ?)`, p.ID, p.Title, p.Description); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO product_titles (product_id, title_key) VALUES (?, ?)`, p.ID, commerce.TitleKey(p.Title))
	return err
}

// ftsQuery returns the FTS5 query that matches every word of q (each a
// quoted string, so that no FTS5 syntax applies), or "" when q has no word.
func ftsQuery(q string) string { return ftsWords(q, "") }

// ftsTitleQuery is ftsQuery restricted to the title column.
func ftsTitleQuery(q string) string { return ftsWords(q, "title : ") }

// ftsWords returns q's words, each quoted after column, joined by spaces
// (FTS5's implicit AND).
func ftsWords(q, column string) string {
	words := strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range words {
		words[i] = column + `"` + w + `"`
	}
	return strings.Join(words, " ")
}

// rankJoin is the join that ranks a relevance listing, and the expression
// it sorts by: 0 (commerce.RankTitle) for the products whose title has q as
// typed or all of its words (as q matches them), 1 (commerce.RankOther) for
// the rest. It reads the title key's index and the FTS5 table, at most one
// row per product (UNION), so the listing stays keyset-paged on (rank, ID).
func rankJoin(q string) (join string, args []any, key string) {
	titles := `SELECT product_id AS id FROM product_titles WHERE instr(title_key, ?) > 0`
	args = []any{strings.ToLower(q)}
	if fts := ftsTitleQuery(q); fts != "" {
		titles += ` UNION SELECT product_id FROM product_text WHERE product_text MATCH ?`
		args = append(args, fts)
	}
	return ` LEFT JOIN (` + titles + `) tm ON tm.id = p.id`, args, "(tm.id IS NULL)"
}

// reindexProducts indexes the products of a file made before the listing's
// indexes existed: those with no product_titles row. It runs at open, before
// the store serves, so nothing writes products meanwhile.
func reindexProducts(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT doc, version FROM products WHERE id NOT IN (SELECT product_id FROM product_titles)`)
	if err != nil {
		return fmt.Errorf("reindex products: %w", err)
	}
	var ps []*commerce.Product
	for rows.Next() {
		var doc []byte
		var version int64
		if err := rows.Scan(&doc, &version); err != nil {
			rows.Close()
			return fmt.Errorf("reindex products: %w", err)
		}
		p, err := decodeProduct(doc, version)
		if err != nil {
			rows.Close()
			return err
		}
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reindex products: %w", err)
	}
	for _, p := range ps {
		if err := indexProduct(ctx, db, p); err != nil {
			return fmt.Errorf("reindex product %s: %w", p.ID, err)
		}
	}
	return nil
}

// listQuery is the FROM and WHERE of the listing f asks for, without its
// cursor, and the expression f sorts by ("" for the ID).
func listQuery(f commerce.ProductFilter) (from string, where []string, args []any, key string) {
	from = `products p`
	if f.Priced() {
		from += ` JOIN product_prices pp ON pp.product_id = p.id AND pp.currency = ?`
		args = append(args, f.Currency)
		if f.Sort.ByPrice() {
			key = "pp.amount"
		}
	}
	if f.Sort == commerce.SortTitle {
		from += ` JOIN product_titles pt ON pt.product_id = p.id`
		key = "pt.title_key"
	}
	if f.Sort == commerce.SortRelevance && f.Query != "" {
		join, joinArgs, rank := rankJoin(f.Query)
		from, args, key = from+join, append(args, joinArgs...), rank
	}
	if f.Status != "" {
		where, args = append(where, "p.status = ?"), append(args, f.Status)
	}
	if f.Category != "" {
		where, args = append(where, "p.category = ?"), append(args, f.Category)
	}
	if f.Query != "" {
		// The text as typed, anywhere; or its words, stemmed and folded.
		if fts := ftsQuery(f.Query); fts != "" {
			where = append(where, "(instr(p.search, ?) > 0 OR p.id IN (SELECT product_id FROM product_text WHERE product_text MATCH ?))")
			args = append(args, strings.ToLower(f.Query), fts)
		} else {
			where, args = append(where, "instr(p.search, ?) > 0"), append(args, strings.ToLower(f.Query))
		}
	}
	if f.MinPrice > 0 {
		where, args = append(where, "pp.amount >= ?"), append(args, f.MinPrice)
	}
	if f.MaxPrice > 0 {
		where, args = append(where, "pp.amount <= ?"), append(args, f.MaxPrice)
	}
	for _, set := range f.TermSets() {
		where = append(where, `p.id IN (SELECT product_id FROM product_terms WHERE term IN (`+params(len(set))+`))`)
		for _, t := range set {
			args = append(args, t)
		}
	}
	return from, where, args, key
}

// ListProducts returns the products f selects, in f's order: keyset paging
// on (sort key, ID) over the listing's indexes.
func (s *CatalogStore) ListProducts(ctx context.Context, f commerce.ProductFilter) (_ []commerce.Product, err error) {
	defer s.Observe.call("sqlite.list products", time.Now(), &err)
	from, where, args, key := listQuery(f)
	dir, cmp := "ASC", ">"
	if f.Sort.Descending() {
		dir, cmp = "DESC", "<"
	}
	order := "p.id " + dir
	if f.After != "" {
		if key == "" {
			where, args = append(where, "p.id "+cmp+" ?"), append(args, f.After)
		} else {
			var k any = f.AfterKey
			if f.Sort.ByPrice() || f.Sort == commerce.SortRelevance {
				n, err := strconv.ParseInt(f.AfterKey, 10, 64)
				if err != nil {
					return nil, fmt.Errorf("sqlite: list products: price cursor %q: %w", f.AfterKey, err)
				}
				k = n
			}
			where, args = append(where, "("+key+", p.id) "+cmp+" (?, ?)"), append(args, k, f.After)
		}
	}
	if key != "" {
		order = key + " " + dir + ", " + order
	}
	if len(where) == 0 {
		where = []string{"1"}
	}
	args = append(args, f.Limit)
	rank := "0" // a relevance listing's rank; 0 in the others, which do not read it
	if f.Sort == commerce.SortRelevance && key != "" {
		rank = key
	}
	rows, err := s.db.Read.QueryContext(ctx,
		`SELECT p.doc, p.version, `+rank+` FROM `+from+` WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+` LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list products: %w", err)
	}
	defer rows.Close()
	var out []commerce.Product
	for rows.Next() {
		var doc []byte
		var version int64
		var rank int
		if err := rows.Scan(&doc, &version, &rank); err != nil {
			return nil, fmt.Errorf("sqlite: list products: %w", err)
		}
		p, err := decodeProduct(doc, version)
		if err != nil {
			return nil, err
		}
		p.Rank = rank
		out = append(out, *p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list products: %w", err)
	}
	return out, nil
}

// CountMatching returns how many products f selects, up to max: a count of
// at most max rows, so that a broad filter costs no more than max index
// entries.
func (s *CatalogStore) CountMatching(ctx context.Context, f commerce.ProductFilter, max int) (_ int, err error) {
	defer s.Observe.call("sqlite.count matching", time.Now(), &err)
	from, where, args, _ := listQuery(f)
	if len(where) == 0 {
		where = []string{"1"}
	}
	var n int
	err = s.db.Read.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM (SELECT 1 FROM `+from+` WHERE `+strings.Join(where, " AND ")+` LIMIT ?)`, append(args, max)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlite: count matching products: %w", err)
	}
	return n, nil
}
