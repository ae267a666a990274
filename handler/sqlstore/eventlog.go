package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"shopfn/handler/events"
)

// EventStore reads the event log the other stores write, and keeps its
// consumers' positions: the relational events.Log.
type EventStore struct {
	db *DB
}

var (
	_ events.Log    = (*EventStore)(nil)
	_ events.Leaser = (*EventStore)(nil)
)

// NewEventStore returns an EventStore on db.
func NewEventStore(db *DB) *EventStore { return &EventStore{db: db} }

// Append writes evs to the log in a transaction of their own: for changes
// made outside this database (a Cosmos DB document), after they are made.
func (s *EventStore) Append(ctx context.Context, evs ...events.Event) error {
	return s.db.tx(ctx, "append events", func(tx *sql.Tx) error { return s.db.AppendEvents(ctx, tx, evs...) })
}

// AppendOnce writes e, a pending event a document store kept beside its
// change, to the log in a transaction of its own unless an event with its
// ID is there already (a relay that ran before, or runs at the same time:
// the unique ID decides). It reports whether it wrote e.
func (s *EventStore) AppendOnce(ctx context.Context, e events.Event) (bool, error) {
	var wrote bool
	err := s.db.tx(ctx, "append pending event", func(tx *sql.Tx) error {
		wrote = false
		var one int
		err := s.db.queryRow(ctx, tx, `SELECT 1 FROM events WHERE id = ?`, e.ID).Scan(&one)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		e.Sequence = 0
		if err := s.db.AppendEvents(ctx, tx, e); err != nil {
			return err
		}
		wrote = true
		return nil
	})
	if err != nil && s.db.d.IsUnique(err) {
		return false, nil
	}
	return wrote, err
}

// Events returns the events f selects, oldest first.
func (s *EventStore) Events(ctx context.Context, f events.Filter) ([]events.Record, error) {
	q, args := `SELECT position, body FROM events WHERE position > ?`, []any{f.After}
	if len(f.Types) > 0 {
		q += ` AND type IN (` + placeholders(len(f.Types)) + `)`
		for _, t := range f.Types {
			args = append(args, string(t))
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.readRows(ctx, s.db.d.Rebind(s.db.d.Limit(q+` ORDER BY position`)), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read events: %w", err)
	}
	defer rows.Close()
	var out []events.Record
	for rows.Next() {
		var r events.Record
		var body string
		if err := rows.Scan(&r.Position, &body); err != nil {
			return nil, fmt.Errorf("sqlstore: read events: %w", err)
		}
		if r.Event, err = events.Parse([]byte(body)); err != nil {
			return nil, fmt.Errorf("sqlstore: event at %d: %w", r.Position, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: read events: %w", err)
	}
	return out, nil
}

// Head returns the position of the last event written (0: none).
func (s *EventStore) Head(ctx context.Context) (int64, error) {
	var head sql.NullInt64
	if err := s.db.readRow(ctx, `SELECT MAX(position) FROM event_head`).Scan(&head); err != nil {
		return 0, fmt.Errorf("sqlstore: event head: %w", err)
	}
	return head.Int64, nil
}

// Oldest returns the position of the oldest event kept, or the head + 1
// when none is.
func (s *EventStore) Oldest(ctx context.Context) (int64, error) {
	var first, head sql.NullInt64
	if err := s.db.readRow(ctx, `SELECT (SELECT MIN(position) FROM events), (SELECT MAX(position) FROM event_head)`).Scan(&first, &head); err != nil {
		return 0, fmt.Errorf("sqlstore: oldest event: %w", err)
	}
	if first.Valid {
		return first.Int64, nil
	}
	return head.Int64 + 1, nil
}

// Position returns a consumer's position, starting a new consumer at the
// head: one conditional insert decides against a concurrent start.
func (s *EventStore) Position(ctx context.Context, consumer string) (int64, error) {
	var pos int64
	err := s.db.readRow(ctx, `SELECT position FROM event_consumers WHERE name = ?`, consumer).Scan(&pos)
	if !errors.Is(err, sql.ErrNoRows) {
		return pos, err
	}
	err = s.db.tx(ctx, "event consumer position", func(tx *sql.Tx) error {
		err := s.db.queryRow(ctx, tx, `SELECT position FROM event_consumers WHERE name = ?`, consumer).Scan(&pos)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = s.db.exec(ctx, tx, `INSERT INTO event_consumers (name, position, updated_at)
			SELECT ?, COALESCE((SELECT MAX(position) FROM event_head), 0), ? WHERE NOT EXISTS (SELECT 1 FROM event_consumers WHERE name = ?)`,
			consumer, unix(s.db.now()), consumer)
		if err != nil && !s.db.d.IsUnique(err) {
			return err
		}
		return s.db.queryRow(ctx, tx, `SELECT position FROM event_consumers WHERE name = ?`, consumer).Scan(&pos)
	})
	return pos, err
}

// SetPosition moves a consumer's position forward; never back.
func (s *EventStore) SetPosition(ctx context.Context, consumer string, position int64) error {
	return s.db.tx(ctx, "event consumer advance", func(tx *sql.Tx) error {
		_, err := s.db.exec(ctx, tx, `UPDATE event_consumers SET position = ?, updated_at = ? WHERE name = ? AND position < ?`,
			position, unix(s.db.now()), consumer, position)
		return err
	})
}

// Lease gives a consumer to owner until until unless another owner's lease
// holds at now: one conditional update decides between instances.
func (s *EventStore) Lease(ctx context.Context, consumer, owner string, now, until time.Time) (bool, error) {
	if _, err := s.Position(ctx, consumer); err != nil { // the row exists from here on
		return false, err
	}
	var n int64
	err := s.db.tx(ctx, "lease event consumer", func(tx *sql.Tx) (err error) {
		n, err = s.db.exec(ctx, tx, `UPDATE event_consumers SET lease_owner = ?, lease_until = ? WHERE name = ? AND (lease_owner = ? OR lease_until < ?)`,
			owner, unix(until), consumer, owner, unix(now))
		return err
	})
	return n == 1, err
}

// ReleaseLeases drops every consumer's lease. Only a store with a single
// process, the embedded one, may call it, when that process starts: the
// leases it finds belonged to a process that is gone.
func (s *EventStore) ReleaseLeases(ctx context.Context) error {
	return s.db.tx(ctx, "release event leases", func(tx *sql.Tx) error {
		_, err := s.db.exec(ctx, tx, `UPDATE event_consumers SET lease_until = 0 WHERE lease_until <> 0`)
		return err
	})
}

// Purge deletes up to limit events written before before that every
// consumer has handled: the oldest ones, from the first kept position.
func (s *EventStore) Purge(ctx context.Context, before time.Time, limit int) (int64, error) {
	var first sql.NullInt64
	if err := s.db.readRow(ctx, `SELECT MIN(position) FROM events`).Scan(&first); err != nil {
		return 0, fmt.Errorf("sqlstore: purge events: %w", err)
	}
	if !first.Valid {
		return 0, nil
	}
	var n int64
	err := s.db.tx(ctx, "purge events", func(tx *sql.Tx) (err error) {
		n, err = s.db.exec(ctx, tx, `DELETE FROM events WHERE position < ? AND created_at < ?
			AND position <= COALESCE((SELECT MIN(position) FROM event_consumers), position)`, first.Int64+int64(limit), unix(before))
		return err
	})
	return n, err
}
