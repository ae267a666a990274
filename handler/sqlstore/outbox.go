package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"shopfn/handler/commerce"
)

// addOutbox stores messages in the outbox within tx, each for the queue
// its type goes to (commerce.QueueFor).
func (db *DB) addOutbox(ctx context.Context, tx *sql.Tx, msgs []commerce.Message) error {
	for _, m := range msgs {
		queue := commerce.QueueFor(m.Type)
		attrs, err := encodeAttributes(m.Attributes)
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		if _, err := db.exec(ctx, tx, `INSERT INTO outbox (queue, message_id, type, body, scheduled_at, attributes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			queue, m.ID, m.Type, m.Body, unix(m.ScheduledAt), attrs, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
	}
	return nil
}

// Unpublished returns messages not yet published and not parked, oldest first.
func (s *CheckoutStore) Unpublished(ctx context.Context, limit int) ([]commerce.OutboxEntry, error) {
	parked, err := s.outbox(ctx, `WHERE parked_at = 0 ORDER BY seq`, limit)
	if err != nil {
		return nil, err
	}
	out := make([]commerce.OutboxEntry, len(parked))
	for i, p := range parked {
		out[i] = p.OutboxEntry
	}
	return out, nil
}

// Parked returns up to limit parked messages of queue, oldest first.
func (s *CheckoutStore) Parked(ctx context.Context, queue string, limit int) ([]commerce.ParkedEntry, error) {
	return s.outbox(ctx, `WHERE parked_at <> 0 AND queue = ? ORDER BY seq`, limit, queue)
}

// outbox reads up to limit outbox rows that where (a WHERE and ORDER BY
// clause, taking args) selects.
func (s *CheckoutStore) outbox(ctx context.Context, where string, limit int, args ...any) ([]commerce.ParkedEntry, error) {
	rows, err := s.db.readRows(ctx, s.db.d.Rebind(s.db.d.Limit(
		`SELECT seq, queue, message_id, type, body, scheduled_at, attributes, created_at, parked_at, park_reason FROM outbox `+where)), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read outbox: %w", err)
	}
	defer rows.Close()
	var out []commerce.ParkedEntry
	for rows.Next() {
		var e commerce.ParkedEntry
		var scheduled, created, parked int64
		var attrs, reason sql.NullString
		if err := rows.Scan(&e.Seq, &e.Queue, &e.Message.ID, &e.Message.Type, &e.Message.Body, &scheduled, &attrs, &created, &parked, &reason); err != nil {
			return nil, fmt.Errorf("sqlstore: read outbox: %w", err)
		}
		if attrs.Valid && attrs.String != "" {
			if err := json.Unmarshal([]byte(attrs.String), &e.Message.Attributes); err != nil {
				return nil, fmt.Errorf("sqlstore: read outbox attributes: %w", err)
			}
		}
		e.Message.ScheduledAt = fromUnix(scheduled)
		e.CreatedAt, e.ParkedAt, e.Reason = fromUnix(created), fromUnix(parked), reason.String
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: read outbox: %w", err)
	}
	return out, nil
}

// Park sets a pending message aside, parked at at because of reason.
func (s *CheckoutStore) Park(ctx context.Context, seq int64, reason string, at time.Time) (bool, error) {
	var n int64
	err := s.db.tx(ctx, "park outbox message", func(tx *sql.Tx) (err error) {
		n, err = s.db.exec(ctx, tx, `UPDATE outbox SET parked_at = ?, park_reason = ? WHERE seq = ? AND parked_at = 0`, max(unix(at), 1), reason, seq)
		return err
	})
	return n == 1, err
}

// Unpark makes a parked message of queue pending again and returns it.
func (s *CheckoutStore) Unpark(ctx context.Context, queue string, seq int64) (commerce.OutboxEntry, bool, error) {
	var e commerce.OutboxEntry
	var n int64
	err := s.db.tx(ctx, "unpark outbox message", func(tx *sql.Tx) (err error) {
		n, err = s.db.exec(ctx, tx, `UPDATE outbox SET parked_at = 0, park_reason = NULL WHERE seq = ? AND queue = ? AND parked_at <> 0`, seq, queue)
		if err != nil || n == 0 {
			return err
		}
		e = commerce.OutboxEntry{Seq: seq, Queue: queue}
		return s.db.queryRow(ctx, tx, `SELECT message_id, type FROM outbox WHERE seq = ?`, seq).Scan(&e.Message.ID, &e.Message.Type)
	})
	if err != nil || n == 0 {
		return commerce.OutboxEntry{}, false, err
	}
	return e, true, nil
}

// MarkPublished deletes published messages from the outbox: the queue has them.
func (s *CheckoutStore) MarkPublished(ctx context.Context, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	args := make([]any, len(seqs))
	for i, seq := range seqs {
		args[i] = seq
	}
	return s.db.tx(ctx, "mark published", func(tx *sql.Tx) error {
		_, err := s.db.exec(ctx, tx, `DELETE FROM outbox WHERE seq IN (`+strings.TrimSuffix(strings.Repeat("?,", len(seqs)), ",")+`)`, args...)
		return err
	})
}

// encodeAttributes stores a message's attributes as a JSON object, or NULL.
func encodeAttributes(attrs map[string]string) (any, error) {
	if len(attrs) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(attrs)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// Backlog returns what the outbox holds: how many messages wait to be
// published and when the oldest was written (zero when none; messages
// written before the outbox recorded times count, but have no age), and
// how many are parked. Parked messages wait for staff, not the relay: they
// are dead letters, not waiting.
func (s *CheckoutStore) Backlog(ctx context.Context) (Backlog, error) {
	var waiting, parked int64
	var oldest sql.NullInt64
	err := s.db.readRow(ctx, `SELECT
		coalesce(sum(CASE WHEN parked_at = 0 THEN 1 ELSE 0 END), 0),
		min(CASE WHEN parked_at = 0 AND created_at > 0 THEN created_at END),
		coalesce(sum(CASE WHEN parked_at <> 0 THEN 1 ELSE 0 END), 0)
		FROM outbox`).Scan(&waiting, &oldest, &parked)
	if err != nil {
		return Backlog{}, fmt.Errorf("sqlstore: outbox backlog: %w", err)
	}
	return Backlog{Waiting: waiting, Oldest: fromUnix(oldest.Int64), Parked: parked}, nil
}

// Backlog is what the outbox holds.
type Backlog struct {
	// Waiting is how many messages wait to be published.
	Waiting int64
	// Oldest is when the oldest waiting message was written (zero when none).
	Oldest time.Time
	// Parked is how many messages wait for staff to re-drive them.
	Parked int64
}
