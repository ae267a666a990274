package sqlstore

import (
	"context"
	"fmt"
	"time"

	"shopfn/handler/commerce"
)

var _ commerce.ShopifyOrders = (*InventoryStore)(nil)

// ShopifyOrders lists the recorded Shopify orders f selects, newest first
// (by creation, then ID), with their lines.
func (s *InventoryStore) ShopifyOrders(ctx context.Context, f commerce.ShopifyOrderFilter) ([]commerce.ShopifyOrder, []commerce.ShopifyOrderCursor, error) {
	q, args := `SELECT order_id, status, created_at, updated_at FROM shopify_orders o WHERE 1 = 1`, []any{}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, f.Status)
	}
	if f.Shortfall {
		q += ` AND EXISTS (SELECT 1 FROM shopify_order_lines l WHERE l.order_id = o.order_id AND (l.shortfall > 0 OR l.unknown <> 0))`
	}
	if f.Before != nil {
		q += ` AND (created_at < ? OR (created_at = ? AND order_id < ?))`
		args = append(args, f.Before.CreatedAt, f.Before.CreatedAt, f.Before.ID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.readRows(ctx, s.db.d.Rebind(s.db.d.Limit(q+` ORDER BY created_at DESC, order_id DESC`)), append(args, limit)...)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlstore: list shopify orders: %w", err)
	}
	var out []commerce.ShopifyOrder
	var pos []commerce.ShopifyOrderCursor
	byID := map[string]int{}
	for rows.Next() {
		var o commerce.ShopifyOrder
		var created, updated int64
		if err := rows.Scan(&o.ID, &o.Status, &created, &updated); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("sqlstore: list shopify orders: %w", err)
		}
		o.CreatedAt, o.UpdatedAt = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
		o.Lines = []commerce.ShopifyLineResult{}
		byID[o.ID] = len(out)
		out = append(out, o)
		pos = append(pos, commerce.ShopifyOrderCursor{CreatedAt: created, ID: o.ID})
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, nil, fmt.Errorf("sqlstore: list shopify orders: %w", err)
	}
	rows.Close()
	if len(out) == 0 {
		return out, pos, nil
	}
	ids := make([]any, len(out))
	for i, o := range out {
		ids[i] = o.ID
	}
	lines, err := s.db.readRows(ctx, s.db.d.Rebind(`SELECT order_id, sku, ordered, committed, shortfall, unknown FROM shopify_order_lines
		WHERE order_id IN (`+placeholders(len(ids))+`) ORDER BY order_id, sku`), ids...)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlstore: shopify order lines: %w", err)
	}
	defer lines.Close()
	for lines.Next() {
		var id string
		var l commerce.ShopifyLineResult
		if err := lines.Scan(&id, &l.SKU, &l.Ordered, &l.Committed, &l.Shortfall, &l.Unknown); err != nil { // unknown: 0/1 or a BIT
			return nil, nil, fmt.Errorf("sqlstore: shopify order lines: %w", err)
		}
		out[byID[id]].Lines = append(out[byID[id]].Lines, l)
	}
	return out, pos, lines.Err()
}
