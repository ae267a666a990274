package sqlite

import (
	"context"
	"database/sql"
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
