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

// Unpublished returns messages not yet published, oldest first.
func (s *CheckoutStore) Unpublished(ctx context.Context, limit int) ([]commerce.OutboxEntry, error) {
	rows, err := s.db.readRows(ctx, s.db.d.Rebind(s.db.d.Limit(
		`SELECT seq, queue, message_id, type, body, scheduled_at, attributes FROM outbox ORDER BY seq`)), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read outbox: %w", err)
	}
	defer rows.Close()
	var out []commerce.OutboxEntry
	for rows.Next() {
		var e commerce.OutboxEntry
		var scheduled int64
		var attrs sql.NullString
		if err := rows.Scan(&e.Seq, &e.Queue, &e.Message.ID, &e.Message.Type, &e.Message.Body, &scheduled, &attrs); err != nil {
			return nil, fmt.Errorf("sqlstore: read outbox: %w", err)
		}
		if attrs.Valid && attrs.String != "" {
			if err := json.Unmarshal([]byte(attrs.String), &e.Message.Attributes); err != nil {
				return nil, fmt.Errorf("sqlstore: read outbox attributes: %w", err)
			}
		}
		e.Message.ScheduledAt = fromUnix(scheduled)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: read outbox: %w", err)
	}
	return out, nil
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

// Backlog returns how many messages wait in the outbox and when the oldest
// was written (zero when none; messages written before the outbox recorded
// times count, but have no age).
func (s *CheckoutStore) Backlog(ctx context.Context) (int64, time.Time, error) {
	var n int64
	var oldest sql.NullInt64
	err := s.db.readRow(ctx, `SELECT count(*), min(CASE WHEN created_at > 0 THEN created_at END) FROM outbox`).Scan(&n, &oldest)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("sqlstore: outbox backlog: %w", err)
	}
	return n, fromUnix(oldest.Int64), nil
}
