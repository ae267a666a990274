package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
	"shopfn/handler/webhook"
)

// WebhookStore is the relational webhook.Store.
type WebhookStore struct {
	db *DB
}

var _ webhook.Store = (*WebhookStore)(nil)

// NewWebhookStore returns a WebhookStore on db.
func NewWebhookStore(db *DB) *WebhookStore { return &WebhookStore{db: db} }

const subscriptionColumns = `id, url, events, description, secret, old_secret, old_until, created_at, failing_since, disabled_at, disabled_reason`

// CreateSubscription stores a new subscription.
func (s *WebhookStore) CreateSubscription(ctx context.Context, sub webhook.Subscription) error {
	evs, err := json.Marshal(sub.Events)
	if err != nil {
		return err
	}
	return s.db.tx(ctx, "create subscription", func(tx *sql.Tx) error {
		_, err := s.db.exec(ctx, tx, `INSERT INTO webhook_subscriptions (`+subscriptionColumns+`) VALUES (?, ?, ?, ?, ?, '', 0, ?, 0, 0, '')`,
			sub.ID, sub.URL, string(evs), sub.Description, sub.Secret, unix(sub.CreatedAt))
		return err
	})
}

func scanSubscription(row interface{ Scan(...any) error }) (webhook.Subscription, error) {
	var sub webhook.Subscription
	var evs string
	var oldUntil, created, failing, disabled int64
	if err := row.Scan(&sub.ID, &sub.URL, &evs, &sub.Description, &sub.Secret, &sub.OldSecret, &oldUntil, &created, &failing, &disabled, &sub.DisabledReason); err != nil {
		return sub, err
	}
	if err := json.Unmarshal([]byte(evs), &sub.Events); err != nil {
		return sub, err
	}
	sub.OldUntil, sub.CreatedAt, sub.FailingSince, sub.DisabledAt = fromUnix(oldUntil), fromUnix(created), fromUnix(failing), fromUnix(disabled)
	return sub, nil
}

// Subscription returns a subscription, or "not_found".
func (s *WebhookStore) Subscription(ctx context.Context, id string) (webhook.Subscription, error) {
	sub, err := scanSubscription(s.db.readRow(ctx, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sub, commerce.NotFoundf("subscription %s not found", id)
	}
	if err != nil {
		return sub, fmt.Errorf("sqlstore: read subscription: %w", err)
	}
	return sub, nil
}

// Subscriptions returns every subscription, oldest first.
func (s *WebhookStore) Subscriptions(ctx context.Context) ([]webhook.Subscription, error) {
	rows, err := s.db.readRows(ctx, s.db.d.Rebind(`SELECT `+subscriptionColumns+` FROM webhook_subscriptions ORDER BY created_at, id`))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list subscriptions: %w", err)
	}
	defer rows.Close()
	var out []webhook.Subscription
	for rows.Next() {
		sub, err := scanSubscription(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: list subscriptions: %w", err)
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}

// DeleteSubscription deletes a subscription and its deliveries.
func (s *WebhookStore) DeleteSubscription(ctx context.Context, id string) error {
	return s.db.tx(ctx, "delete subscription", func(tx *sql.Tx) error {
		n, err := s.db.exec(ctx, tx, `DELETE FROM webhook_subscriptions WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return commerce.NotFoundf("subscription %s not found", id)
		}
		_, err = s.db.exec(ctx, tx, `DELETE FROM webhook_deliveries WHERE subscription_id = ?`, id)
		return err
	})
}

// RotateSecret makes secret current and keeps the current one until oldUntil.
func (s *WebhookStore) RotateSecret(ctx context.Context, id, secret string, oldUntil time.Time) error {
	return s.db.tx(ctx, "rotate secret", func(tx *sql.Tx) error {
		n, err := s.db.exec(ctx, tx, `UPDATE webhook_subscriptions SET old_secret = secret, old_until = ?, secret = ? WHERE id = ?`, unix(oldUntil), secret, id)
		if err == nil && n == 0 {
			return commerce.NotFoundf("subscription %s not found", id)
		}
		return err
	})
}

// Enqueue adds a pending delivery of e to each of subs, once: the
// (subscription, event) key refuses a second.
func (s *WebhookStore) Enqueue(ctx context.Context, e events.Event, body []byte, subs []string, now time.Time) error {
	if len(subs) == 0 {
		return nil
	}
	return s.db.tx(ctx, "enqueue deliveries", func(tx *sql.Tx) error {
		for _, sub := range subs {
			_, err := s.db.exec(ctx, tx, `INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, body, status, next_attempt_at, created_at)
				SELECT ?, ?, ?, ?, ?, 'pending', ?, ? WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries WHERE subscription_id = ? AND event_id = ?)`,
				webhook.NewDeliveryID(now), sub, e.ID, string(e.Type), string(body), unix(now), unix(now), sub, e.ID)
			if err != nil && !s.db.d.IsUnique(err) {
				return err
			}
		}
		return nil
	})
}

const deliveryColumns = `id, subscription_id, event_id, event_type, body, status, attempts, first_attempt_at, next_attempt_at, last_status, last_error, last_duration_ms, created_at`

func scanDelivery(row interface{ Scan(...any) error }) (webhook.Delivery, error) {
	var d webhook.Delivery
	var body string
	var first, next, dur, created int64
	if err := row.Scan(&d.ID, &d.SubscriptionID, &d.EventID, &d.EventType, &body, &d.Status, &d.Attempts, &first, &next, &d.LastStatus, &d.LastError, &dur, &created); err != nil {
		return d, err
	}
	d.Body = []byte(body)
	d.FirstAttemptAt, d.NextAttemptAt, d.CreatedAt = fromUnix(first), fromUnix(next), fromUnix(created)
	d.LastDuration = time.Duration(dur) * time.Millisecond
	return d, nil
}

// Due leases up to limit due pending deliveries: each by one conditional
// update, so that two instances never send one delivery at once.
func (s *WebhookStore) Due(ctx context.Context, now, until time.Time, skip []string, limit int) ([]webhook.Delivery, error) {
	q, args := `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? AND lease_until < ?`, []any{unix(now), unix(now)}
	if len(skip) > 0 {
		q += ` AND subscription_id NOT IN (` + placeholders(len(skip)) + `)`
		for _, id := range skip {
			args = append(args, id)
		}
	}
	rows, err := s.db.readRows(ctx, s.db.d.Rebind(s.db.d.Limit(q+` ORDER BY next_attempt_at`)), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: due deliveries: %w", err)
	}
	var due []webhook.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: due deliveries: %w", err)
		}
		due = append(due, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: due deliveries: %w", err)
	}
	var leased []webhook.Delivery
	for _, d := range due {
		var n int64
		err := s.db.tx(ctx, "lease delivery", func(tx *sql.Tx) (err error) {
			n, err = s.db.exec(ctx, tx, `UPDATE webhook_deliveries SET lease_until = ? WHERE id = ? AND status = 'pending' AND lease_until < ?`, unix(until), d.ID, unix(now))
			return err
		})
		if err != nil {
			return leased, err
		}
		if n == 1 {
			leased = append(leased, d)
		}
	}
	return leased, nil
}

// ReleaseLeases drops every delivery's lease: for the embedded store's one
// process, when it starts (see EventStore.ReleaseLeases).
func (s *WebhookStore) ReleaseLeases(ctx context.Context) error {
	return s.db.tx(ctx, "release delivery leases", func(tx *sql.Tx) error {
		_, err := s.db.exec(ctx, tx, `UPDATE webhook_deliveries SET lease_until = 0 WHERE lease_until <> 0`)
		return err
	})
}

// Release gives up the lease on a delivery not sent after all.
func (s *WebhookStore) Release(ctx context.Context, id string) error {
	return s.db.tx(ctx, "release delivery", func(tx *sql.Tx) error {
		_, err := s.db.exec(ctx, tx, `UPDATE webhook_deliveries SET lease_until = 0 WHERE id = ? AND status = 'pending'`, id)
		return err
	})
}

// Record stores an attempt's outcome and the subscription's health.
func (s *WebhookStore) Record(ctx context.Context, d webhook.Delivery, a webhook.Attempt) error {
	first := d.FirstAttemptAt
	if first.IsZero() {
		first = a.At
	}
	return s.db.tx(ctx, "record delivery", func(tx *sql.Tx) error {
		if _, err := s.db.exec(ctx, tx, `UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, first_attempt_at = ?, next_attempt_at = ?,
			lease_until = 0, last_status = ?, last_error = ?, last_duration_ms = ? WHERE id = ?`,
			string(a.Status), unix(first), unix(a.Next), a.Result.StatusCode, a.Result.Error, a.Result.Duration.Milliseconds(), d.ID); err != nil {
			return err
		}
		if a.Result.Outcome == webhook.Succeeded {
			_, err := s.db.exec(ctx, tx, `UPDATE webhook_subscriptions SET failing_since = 0 WHERE id = ? AND failing_since <> 0`, d.SubscriptionID)
			return err
		}
		if _, err := s.db.exec(ctx, tx, `UPDATE webhook_subscriptions SET failing_since = ? WHERE id = ? AND failing_since = 0`, unix(a.At), d.SubscriptionID); err != nil {
			return err
		}
		if a.Disabled != "" {
			_, err := s.db.exec(ctx, tx, `UPDATE webhook_subscriptions SET disabled_at = ?, disabled_reason = ? WHERE id = ? AND disabled_at = 0`, unix(a.At), a.Disabled, d.SubscriptionID)
			return err
		}
		return nil
	})
}

// Deliveries lists a subscription's deliveries, newest first.
func (s *WebhookStore) Deliveries(ctx context.Context, subID string, status webhook.Status, limit int) ([]webhook.Delivery, error) {
	q, args := `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE subscription_id = ?`, []any{subID}
	if status != "" {
		q, args = q+` AND status = ?`, append(args, string(status))
	}
	rows, err := s.db.readRows(ctx, s.db.d.Rebind(s.db.d.Limit(q+` ORDER BY created_at DESC, id DESC`)), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list deliveries: %w", err)
	}
	defer rows.Close()
	var out []webhook.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: list deliveries: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Redeliver makes a delivery pending again, due at now, with a new window.
func (s *WebhookStore) Redeliver(ctx context.Context, subID, deliveryID string, now time.Time) (webhook.Delivery, error) {
	var d webhook.Delivery
	err := s.db.tx(ctx, "redeliver", func(tx *sql.Tx) error {
		n, err := s.db.exec(ctx, tx, `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, first_attempt_at = 0, lease_until = 0
			WHERE id = ? AND subscription_id = ?`, unix(now), deliveryID, subID)
		if err != nil {
			return err
		}
		if n == 0 {
			return commerce.NotFoundf("delivery %s not found", deliveryID)
		}
		d, err = scanDelivery(s.db.queryRow(ctx, tx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE id = ?`, deliveryID))
		return err
	})
	return d, err
}
