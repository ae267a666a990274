package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"shopfn/handler/commerce"
)

// addOutbox stores messages in the outbox within tx, each for the queue
// its type goes to (commerce.QueueFor).
func (db *DB) addOutbox(ctx context.Context, tx *sql.Tx, msgs []commerce.Message) error {
	for _, m := range msgs {
		queue := commerce.QueueFor(m.Type)
		if _, err := db.exec(ctx, tx, `INSERT INTO outbox (queue, message_id, type, body, scheduled_at) VALUES (?, ?, ?, ?, ?)`,
			queue, m.ID, m.Type, m.Body, unix(m.ScheduledAt)); err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
	}
	return nil
}

// Unpublished returns messages not yet published, oldest first.
func (s *CheckoutStore) Unpublished(ctx context.Context, limit int) ([]commerce.OutboxEntry, error) {
	rows, err := s.db.read.QueryContext(ctx, s.db.d.Rebind(s.db.d.Limit(
		`SELECT seq, queue, message_id, type, body, scheduled_at FROM outbox ORDER BY seq`)), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read outbox: %w", err)
	}
	defer rows.Close()
	var out []commerce.OutboxEntry
	for rows.Next() {
		var e commerce.OutboxEntry
		var scheduled int64
		if err := rows.Scan(&e.Seq, &e.Queue, &e.Message.ID, &e.Message.Type, &e.Message.Body, &scheduled); err != nil {
			return nil, fmt.Errorf("sqlstore: read outbox: %w", err)
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
