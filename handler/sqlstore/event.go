package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
)

// The event log. Every change that tells the outside world writes its
// events in its own transaction (appendEvents): a rolled-back change writes
// none, a committed one keeps them. Each event takes the next sequence of
// its subject from event_subjects and the next global position from the one
// event_head row, both by one upsert; event_head is written last, and its
// row lock (on SQL Server; SQLite has one writer) is held until commit, so
// positions become visible in order with no gap, and a reader past position
// p never misses a later commit below p.
var (
	upsertSubject = Upsert{
		Table: "event_subjects", Key: []string{"subject"},
		Columns: []string{"subject", "sequence"}, Increment: []string{"sequence"},
		Returning: []string{"sequence"},
	}
	upsertHead = Upsert{
		Table: "event_head", Key: []string{"id"},
		Columns: []string{"id", "position"}, Increment: []string{"position"},
		Returning: []string{"position"},
	}
)

// NewEvent returns a new event of type t about id, from db's source, to
// write with AppendEvents.
func (db *DB) NewEvent(t events.Type, id string, now time.Time, data any) (events.Event, error) {
	src := db.EventSource
	if src == "" {
		src = events.DefaultSource
	}
	e, err := events.New(t, src, id, now, data)
	if err != nil {
		return events.Event{}, fmt.Errorf("sqlstore: %w", err)
	}
	return e, nil
}

// now returns the time events are stamped with.
func (db *DB) now() time.Time {
	if db.Now != nil {
		return db.Now().UTC()
	}
	return time.Now().UTC()
}

// AppendEvents writes evs, made by events.New, to the event log within tx:
// it assigns each its subject's next sequence and the next global
// positions. Call it last in the transaction, so the head's lock is held
// only until commit. The document store calls it too, to write product and
// customer events in the transaction of their change when it shares the
// database (the embedded SQLite file).
func (db *DB) AppendEvents(ctx context.Context, tx *sql.Tx, evs ...events.Event) error {
	if len(evs) == 0 {
		return nil
	}
	for i := range evs {
		var seq int64
		if err := db.queryRow(ctx, tx, db.d.Upsert(upsertSubject), evs[i].Subject, 1).Scan(&seq); err != nil {
			return fmt.Errorf("event sequence: %w", err)
		}
		evs[i].Sequence = events.Sequence(seq)
	}
	var head int64
	if err := db.queryRow(ctx, tx, db.d.Upsert(upsertHead), 1, len(evs)).Scan(&head); err != nil {
		return fmt.Errorf("event position: %w", err)
	}
	first := head - int64(len(evs)) + 1
	for i, e := range evs {
		body, err := e.Marshal()
		if err != nil {
			return fmt.Errorf("sqlstore: %w", err)
		}
		if _, err := db.exec(ctx, tx, `INSERT INTO events (position, id, type, subject, sequence, created_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			first+int64(i), e.ID, string(e.Type), e.Subject, int64(e.Sequence), unix(e.Time), string(body)); err != nil {
			return fmt.Errorf("event log: %w", err)
		}
	}
	return nil
}

// stockEvents returns inventory.level_changed for each of skus as the
// transaction left it (a SKU with no row is skipped), and
// inventory.low_stock for each whose available count fell to or below its
// threshold since it was last above it. The crossing is decided by one
// conditional update of the SKU's low_stock flag, which also re-arms it
// once the count rises above the threshold again.
func (db *DB) stockEvents(ctx context.Context, tx *sql.Tx, skus []string) ([]events.Event, error) {
	skus = slices.Clone(skus)
	slices.Sort(skus)
	skus = slices.Compact(skus)
	now := db.now()
	var out []events.Event
	for _, sku := range skus {
		var threshold, low int64
		err := db.queryRow(ctx, tx, `SELECT low_stock_threshold, low_stock FROM inventory WHERE sku = ?`, sku).Scan(&threshold, &low)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("stock events: %w", err)
		}
		total, err := db.activeTotal(ctx, tx, sku)
		if err != nil {
			return nil, fmt.Errorf("stock events: %w", err)
		}
		level := events.LevelFrom(total)
		e, err := db.NewEvent(events.InventoryLevelChanged, sku, now, level)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		switch {
		case threshold >= 0 && level.Available <= threshold:
			n, err := db.exec(ctx, tx, `UPDATE inventory SET low_stock = 1 WHERE sku = ? AND low_stock = 0`, sku)
			if err != nil {
				return nil, fmt.Errorf("stock events: %w", err)
			}
			if n == 1 {
				e, err := db.NewEvent(events.InventoryLowStock, sku, now, events.LowStockData{SKU: sku, Available: level.Available, Threshold: threshold})
				if err != nil {
					return nil, err
				}
				out = append(out, e)
			}
		case low != 0:
			if _, err := db.exec(ctx, tx, `UPDATE inventory SET low_stock = 0 WHERE sku = ? AND low_stock = 1`, sku); err != nil {
				return nil, fmt.Errorf("stock events: %w", err)
			}
		}
	}
	return out, nil
}

// appendStockEvents writes stockEvents(skus) and more within tx.
func (db *DB) appendStockEvents(ctx context.Context, tx *sql.Tx, skus []string, more ...events.Event) error {
	evs, err := db.stockEvents(ctx, tx, skus)
	if err != nil {
		return err
	}
	return db.AppendEvents(ctx, tx, append(more, evs...)...)
}

// heldSKUs returns the SKUs a checkout holds units of.
func (db *DB) heldSKUs(ctx context.Context, tx *sql.Tx, checkoutID string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, db.d.Rebind(`SELECT sku FROM reservations WHERE checkout_id = ? AND status = 'held' ORDER BY sku`), checkoutID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var skus []string
	for rows.Next() {
		var sku string
		if err := rows.Scan(&sku); err != nil {
			return nil, err
		}
		skus = append(skus, sku)
	}
	return skus, rows.Err()
}

// placeholders returns n comma-separated '?'.
func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

// activeTotal returns sku's level summed over the active locations, as
// StockLevels reads it, within tx.
func (db *DB) activeTotal(ctx context.Context, tx *sql.Tx, sku string) (commerce.StockLevel, error) {
	rows, err := db.queryRows(ctx, tx, activeLevels("= ?"), sku, sku)
	if err != nil {
		return commerce.StockLevel{}, err
	}
	defer rows.Close()
	out := map[string]commerce.StockLevel{sku: {SKU: sku}}
	var t totals
	for rows.Next() {
		var l commerce.StockLevel
		if err := rows.Scan(&l.SKU, &l.OnHand, &l.Committed, &l.Reserved); err != nil {
			return commerce.StockLevel{}, err
		}
		t.add(out, l)
	}
	return out[sku], rows.Err()
}
