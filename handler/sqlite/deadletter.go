package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"shopfn/handler/commerce"
)

var _ commerce.DeadLetterQueue = (*Queue)(nil)

const deadLetterColumns = `message_id, type, body, attributes, delivery_count, reason, enqueued_at, dead_lettered_at`

// scanDeadLetter reads a row of deadLetterColumns.
func scanDeadLetter(row interface{ Scan(...any) error }, queue string) (commerce.DeadLetter, error) {
	d := commerce.DeadLetter{Queue: queue}
	var enqueued, dead int64
	var attrs sql.NullString
	if err := row.Scan(&d.ID, &d.Type, &d.Body, &attrs, &d.DeliveryCount, &d.Reason, &enqueued, &dead); err != nil {
		return d, err
	}
	var err error
	if d.Attributes, err = decodeAttributes(attrs); err != nil {
		return d, err
	}
	d.EnqueuedAt, d.DeadLetteredAt = time.Unix(0, enqueued).UTC(), time.Unix(0, dead).UTC()
	return d, nil
}

// DeadLetter returns the oldest dead letter of queue with the given message
// ID, or "not_found".
func (q *Queue) DeadLetter(ctx context.Context, queue, messageID string) (commerce.DeadLetter, error) {
	row := q.db.Read.QueryRowContext(ctx, `SELECT `+deadLetterColumns+` FROM queue_deadletters
		WHERE queue = ? AND message_id = ? ORDER BY seq LIMIT 1`, queue, messageID)
	d, err := scanDeadLetter(row, queue)
	if errors.Is(err, sql.ErrNoRows) {
		return d, commerce.NotFoundf("no dead letter %q in queue %s", messageID, queue)
	}
	if err != nil {
		return d, fmt.Errorf("sqlite: queue dead letter: %w", err)
	}
	return d, nil
}

// RemoveDeadLetter removes the oldest dead letter of queue with the given
// message ID. It reports false when there is none.
func (q *Queue) RemoveDeadLetter(ctx context.Context, queue, messageID string) (bool, error) {
	var n int64
	err := q.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM queue_deadletters WHERE seq = (
			SELECT seq FROM queue_deadletters WHERE queue = ? AND message_id = ? ORDER BY seq LIMIT 1)`, queue, messageID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("sqlite: remove dead letter: %w", err)
	}
	return n == 1, nil
}
