package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"shopfn/handler/events"
)

// EventWriter writes events to the event log within a transaction on this
// file: the relational store (sqlstore.DB) when it is this same SQLite
// file, so that a product or customer change and its event commit or roll
// back together.
type EventWriter interface {
	NewEvent(t events.Type, id string, now time.Time, data any) (events.Event, error)
	AppendEvents(ctx context.Context, tx *sql.Tx, evs ...events.Event) error
}

// writeEvent writes one event of type t about id within tx through w;
// nothing when w is nil.
func writeEvent(ctx context.Context, w EventWriter, tx *sql.Tx, t events.Type, id string, data any) error {
	if w == nil {
		return nil
	}
	e, err := w.NewEvent(t, id, time.Now().UTC(), data)
	if err != nil {
		return err
	}
	return w.AppendEvents(ctx, tx, e)
}

// Outbox is the EventWriter of the catalog and the customers when the
// event log is in another database (Azure SQL): it keeps their events in
// this file, written in the transaction of the change, as pending events
// (events.Outbox) for a relay to append to the log and delete.
type Outbox struct {
	db *DB
	events.Maker
}

var (
	_ EventWriter   = (*Outbox)(nil)
	_ events.Outbox = (*Outbox)(nil)
)

// NewOutbox returns the Outbox in db of the events m makes.
func NewOutbox(db *DB, m events.Maker) *Outbox { return &Outbox{db: db, Maker: m} }

// AppendEvents writes evs as pending events within tx.
func (o *Outbox) AppendEvents(ctx context.Context, tx *sql.Tx, evs ...events.Event) error {
	for _, e := range evs {
		body, err := events.MarshalPending(e)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO document_events (id, subject, body) VALUES (?, ?, ?)`, e.ID, e.Subject, string(body)); err != nil {
			return fmt.Errorf("sqlite: pending event: %w", err)
		}
	}
	return nil
}

// Pending returns the pending events about subject, or all of them when
// subject is "", in the order they were written.
func (o *Outbox) Pending(ctx context.Context, subject string) ([]events.Pending, error) {
	q, args := `SELECT seq, body FROM document_events ORDER BY seq`, []any{}
	if subject != "" {
		q, args = `SELECT seq, body FROM document_events WHERE subject = ? ORDER BY seq`, []any{subject}
	}
	rows, err := o.db.Read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: pending events: %w", err)
	}
	defer rows.Close()
	var out []events.Pending
	for rows.Next() {
		var seq int64
		var body string
		if err := rows.Scan(&seq, &body); err != nil {
			return nil, fmt.Errorf("sqlite: pending events: %w", err)
		}
		e, err := events.ParsePending([]byte(body))
		if err != nil {
			return nil, fmt.Errorf("sqlite: pending event %d: %w", seq, err)
		}
		out = append(out, events.Pending{Event: e, Order: seq, Done: func(ctx context.Context) error {
			if _, err := o.db.Write.ExecContext(ctx, `DELETE FROM document_events WHERE seq = ?`, seq); err != nil {
				return fmt.Errorf("sqlite: delete pending event: %w", err)
			}
			return nil
		}})
	}
	return out, rows.Err()
}
