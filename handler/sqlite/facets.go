package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"shopfn/handler/commerce"
)

// Facets counts req's facets over the products f selects: one GROUP BY
// query per facet over the listing's indexes.
func (s *CatalogStore) Facets(ctx context.Context, f commerce.ProductFilter, req commerce.FacetRequest) (_ *commerce.Facets, err error) {
	defer s.Observe.call("sqlite.facets", time.Now(), &err)
	from, where, args, _ := listQuery(f)
	if len(where) == 0 {
		where = []string{"1"}
	}
	cond := strings.Join(where, " AND ")
	out := &commerce.Facets{Terms: map[string][]commerce.FacetCount{}}
	if req.Category {
		if out.Categories, err = s.facetCounts(ctx, `SELECT p.category, COUNT(*) FROM `+from+` WHERE `+cond+` GROUP BY p.category ORDER BY p.category`, args, ""); err != nil {
			return nil, err
		}
	}
	for _, name := range req.Terms {
		// Terms of one name are those from "name=" up to "name>", the
		// character after '='.
		q := `SELECT t.term, COUNT(*) FROM ` + from + ` JOIN product_terms t ON t.product_id = p.id WHERE ` + cond +
			` AND t.term >= ? AND t.term < ? GROUP BY t.term ORDER BY t.term`
		if out.Terms[name], err = s.facetCounts(ctx, q, append(args[:len(args):len(args)], name+"=", name+">"), name+"="); err != nil {
			return nil, err
		}
	}
	if req.Price {
		var low, high sql.NullInt64
		err := s.db.Read.QueryRowContext(ctx, `SELECT MIN(x.amount), MAX(x.amount) FROM `+from+
			` JOIN product_prices x ON x.product_id = p.id WHERE `+cond+` AND x.currency = ?`, append(args[:len(args):len(args)], f.Currency)...).Scan(&low, &high)
		if err != nil {
			return nil, fmt.Errorf("sqlite: price facet: %w", err)
		}
		out.MinPrice, out.MaxPrice, out.Priced = low.Int64, high.Int64, low.Valid
	}
	return out, nil
}

// facetCounts runs a query of (value, count) rows, trimming prefix from
// each value.
func (s *CatalogStore) facetCounts(ctx context.Context, q string, args []any, prefix string) ([]commerce.FacetCount, error) {
	rows, err := s.db.Read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: facets: %w", err)
	}
	defer rows.Close()
	out := []commerce.FacetCount{}
	for rows.Next() {
		var c commerce.FacetCount
		if err := rows.Scan(&c.Value, &c.Count); err != nil {
			return nil, fmt.Errorf("sqlite: facets: %w", err)
		}
		c.Value = strings.TrimPrefix(c.Value, prefix)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: facets: %w", err)
	}
	return out, nil
}
