package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"shopfn/handler/commerce"
)

// Queue is the embedded commerce.Queue: durable queues in SQLite tables
// with peek-lock delivery, delivery counts, dead letters, scheduled
// delivery and duplicate detection.
type Queue struct {
	db   *DB
	opts commerce.QueueOptions
}

var _ commerce.Queue = (*Queue)(nil)

// NewQueue returns a Queue on db, whose schema Open has created.
func NewQueue(db *DB, opts commerce.QueueOptions) *Queue {
	opts = opts.WithDefaults()
	return &Queue{db: db, opts: opts}
}

// Publish enqueues msgs on queue atomically. A message whose ID the queue
// accepted within the duplicate window is dropped silently. It returns
// KindInvalid when the queue name is empty, and KindInvalid
// "message_rejected" (commerce.IsRejected) when a message ID or Type is.
func (q *Queue) Publish(ctx context.Context, queue string, msgs ...commerce.Message) error {
	if queue == "" {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "queue name is empty")
	}
	for i, m := range msgs {
		if m.ID == "" || m.Type == "" {
			return commerce.Rejectedf("message %d on %s: ID and Type are required", i, queue)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	now := q.opts.Now().UnixNano()
	err := q.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM queue_dedup WHERE accepted_at <= ?`,
			now-int64(q.opts.DuplicateWindow)); err != nil {
			return err
		}
		for _, m := range msgs {
			// The prune above leaves only IDs accepted within the window.
			res, err := tx.ExecContext(ctx, `INSERT INTO queue_dedup (queue, message_id, accepted_at) VALUES (?, ?, ?)
				ON CONFLICT (queue, message_id) DO NOTHING`, queue, m.ID, now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // a duplicate
			}
			var scheduled sql.NullInt64
			visible := now
			if !m.ScheduledAt.IsZero() {
				scheduled = sql.NullInt64{Int64: m.ScheduledAt.UnixNano(), Valid: true}
				visible = scheduled.Int64
			}
			attrs, err := encodeAttributes(m.Attributes)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO queue_messages
				(queue, message_id, type, body, attributes, enqueued_at, scheduled_at, visible_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				queue, m.ID, m.Type, m.Body, attrs, now, scheduled, visible); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: queue publish: %w", err)
	}
	return nil
}

// Receive locks and returns up to max due messages of queue, in the order
// they became due. A due message already delivered MaxDeliveryCount times
// (its last lock expired) is dead-lettered instead, so a call may return
// fewer than max while more are due. It returns KindInvalid when max < 1.
func (q *Queue) Receive(ctx context.Context, queue string, max int) ([]commerce.Message, error) {
	if max < 1 {
		return nil, commerce.Invalidf(commerce.CodeInvalidRequest, "receive: max %d < 1", max)
	}
	now := q.opts.Now()
	var msgs []commerce.Message
	var seqs []int64
	err := q.inTx(ctx, func(tx *sql.Tx) error {
		msgs, seqs = msgs[:0], seqs[:0]
		// Candidates in due order, straight off the index: the cost does not
		// grow with the backlog. Messages due at the same time go in
		// publishing order.
		rows, err := tx.QueryContext(ctx, `SELECT seq, message_id, type, body, attributes, enqueued_at, scheduled_at, delivery_count
			FROM queue_messages WHERE queue = ? AND visible_at <= ? ORDER BY visible_at, seq LIMIT ?`, queue, now.UnixNano(), max)
		if err != nil {
			return err
		}
		defer rows.Close()
		var dead []int64
		for rows.Next() {
			var m commerce.Message
			var seq, enqueued int64
			var scheduled sql.NullInt64
			var attrs sql.NullString
			if err := rows.Scan(&seq, &m.ID, &m.Type, &m.Body, &attrs, &enqueued, &scheduled, &m.DeliveryCount); err != nil {
				return err
			}
			if m.Attributes, err = decodeAttributes(attrs); err != nil {
				return err
			}
			if m.DeliveryCount >= q.opts.MaxDeliveryCount {
				dead = append(dead, seq) // its last lock expired: a consumer died with it each time
				continue
			}
			m.EnqueuedAt = time.Unix(0, enqueued).UTC()
			if scheduled.Valid {
				m.ScheduledAt = time.Unix(0, scheduled.Int64).UTC()
			}
			m.DeliveryCount++
			m.Delivery = newLockToken()
			msgs, seqs = append(msgs, m), append(seqs, seq)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, seq := range dead {
			if _, err := tx.ExecContext(ctx, `INSERT INTO queue_deadletters
				(queue, message_id, type, body, attributes, delivery_count, reason, enqueued_at, dead_lettered_at)
				SELECT queue, message_id, type, body, attributes, delivery_count, ?, enqueued_at, ? FROM queue_messages WHERE seq = ?`,
				commerce.ReasonMaxDeliveryCount, now.UnixNano(), seq); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM queue_messages WHERE seq = ?`, seq); err != nil {
				return err
			}
		}
		until := now.Add(q.opts.LockDuration).UnixNano()
		for i, m := range msgs {
			if _, err := tx.ExecContext(ctx, `UPDATE queue_messages
				SET delivery_count = ?, lock_token = ?, visible_at = ? WHERE seq = ?`,
				m.DeliveryCount, m.Delivery, until, seqs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: queue receive: %w", err)
	}
	return msgs, nil
}

// ReleaseLocks makes every locked message deliverable again at once, as if
// its lock had expired (the delivery still counts). Only the process that
// alone owns the embedded queue may call it, when it starts: the locks it
// finds belonged to a process that is gone, and would otherwise hold their
// messages back for a whole lock duration.
func (q *Queue) ReleaseLocks(ctx context.Context) error {
	_, err := q.db.Write.ExecContext(ctx, `UPDATE queue_messages SET lock_token = NULL, visible_at = ? WHERE lock_token IS NOT NULL`,
		q.opts.Now().UnixNano())
	if err != nil {
		return fmt.Errorf("sqlite: queue release locks: %w", err)
	}
	return nil
}

// Complete removes a delivered message. It returns KindConflict
// "lock_lost" when m's lock expired or m was completed or abandoned.
func (q *Queue) Complete(ctx context.Context, queue string, m commerce.Message) error {
	res, err := q.db.Write.ExecContext(ctx, `DELETE FROM queue_messages
		WHERE queue = ? AND message_id = ? AND lock_token = ? AND visible_at > ?`,
		queue, m.ID, lockToken(m), q.opts.Now().UnixNano())
	if err != nil {
		return fmt.Errorf("sqlite: queue complete: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return lockLost(queue, m)
	}
	return nil
}

// Abandon releases a delivered message for redelivery no sooner than delay
// from now or, when it has been delivered MaxDeliveryCount times,
// dead-letters it with reason (or commerce.ReasonMaxDeliveryCount when reason is
// empty). It returns "lock_lost" as Complete does.
func (q *Queue) Abandon(ctx context.Context, queue string, m commerce.Message, reason string, delay time.Duration) error {
	if reason == "" {
		reason = commerce.ReasonMaxDeliveryCount
	}
	now := q.opts.Now().UnixNano()
	err := q.inTx(ctx, func(tx *sql.Tx) error {
		var seq int64
		var count int
		err := tx.QueryRowContext(ctx, `SELECT seq, delivery_count FROM queue_messages
			WHERE queue = ? AND message_id = ? AND lock_token = ? AND visible_at > ?`,
			queue, m.ID, lockToken(m), now).Scan(&seq, &count)
		if errors.Is(err, sql.ErrNoRows) {
			return lockLost(queue, m)
		}
		if err != nil {
			return err
		}
		if count < q.opts.MaxDeliveryCount {
			_, err := tx.ExecContext(ctx, `UPDATE queue_messages SET visible_at = ?, lock_token = NULL WHERE seq = ?`, now+max(delay, 0).Nanoseconds(), seq)
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO queue_deadletters
			(queue, message_id, type, body, attributes, delivery_count, reason, enqueued_at, dead_lettered_at)
			SELECT queue, message_id, type, body, attributes, delivery_count, ?, enqueued_at, ? FROM queue_messages WHERE seq = ?`,
			reason, now, seq); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM queue_messages WHERE seq = ?`, seq)
		return err
	})
	var ce *commerce.Error
	if err != nil && !errors.As(err, &ce) {
		return fmt.Errorf("sqlite: queue abandon: %w", err)
	}
	return err
}

// DeadLetters lists up to limit dead-lettered messages of queue, oldest
// first. It returns KindInvalid when limit < 1.
func (q *Queue) DeadLetters(ctx context.Context, queue string, limit int) ([]commerce.DeadLetter, error) {
	if limit < 1 {
		return nil, commerce.Invalidf(commerce.CodeInvalidRequest, "dead letters: limit %d < 1", limit)
	}
	rows, err := q.db.Read.QueryContext(ctx, `SELECT `+deadLetterColumns+` FROM queue_deadletters WHERE queue = ? ORDER BY seq LIMIT ?`, queue, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: queue dead letters: %w", err)
	}
	defer rows.Close()
	var dls []commerce.DeadLetter
	for rows.Next() {
		d, err := scanDeadLetter(rows, queue)
		if err != nil {
			return nil, fmt.Errorf("sqlite: queue dead letters: %w", err)
		}
		dls = append(dls, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: queue dead letters: %w", err)
	}
	return dls, nil
}

// Pending counts the messages of queue that are neither completed nor
// dead-lettered: due, locked and scheduled ones alike.
func (q *Queue) Pending(ctx context.Context, queue string) (int, error) {
	var n int
	if err := q.db.Read.QueryRowContext(ctx, `SELECT count(*) FROM queue_messages WHERE queue = ?`, queue).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: queue pending: %w", err)
	}
	return n, nil
}

// inTx runs fn in a write transaction, committed with other writers'
// (Writer.Do): fn must set its results afresh each time it runs.
func (q *Queue) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	return q.db.Writer.Do(ctx, "sqlite.queue", fn)
}

func lockLost(queue string, m commerce.Message) error {
	return commerce.Errorf(commerce.KindConflict, commerce.CodeLockLost, "message %s on %s: lock expired or released", m.ID, queue)
}

// newLockToken returns 128 random bits in hex.
func newLockToken() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return hex.EncodeToString(b)
}

// lockToken returns the lock token a Receive of this queue put in m.Delivery,
// or "" when m was not received here (which matches no lock).
func lockToken(m commerce.Message) string {
	t, _ := m.Delivery.(string)
	return t
}

// encodeAttributes stores a message's attributes as a JSON object, or NULL
// when it has none.
func encodeAttributes(a map[string]string) (sql.NullString, error) {
	if len(a) == 0 {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(a)
	if err != nil {
		return sql.NullString{}, fmt.Errorf("attributes: %w", err)
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

// decodeAttributes reads what encodeAttributes stored.
func decodeAttributes(s sql.NullString) (map[string]string, error) {
	if !s.Valid || s.String == "" {
		return nil, nil
	}
	var a map[string]string
	if err := json.Unmarshal([]byte(s.String), &a); err != nil {
		return nil, fmt.Errorf("attributes: %w", err)
	}
	return a, nil
}
