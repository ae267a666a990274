package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// EmailLog records the order emails sent, one row per event and recipient
// in email_sends, so that each is sent at most once however often its
// event is delivered (email.Notifier). The recipient is stored as the
// caller gives it: the notifier gives a hash, never the address.
type EmailLog struct{ db *DB }

// NewEmailLog returns an EmailLog on db.
func NewEmailLog(db *DB) *EmailLog { return &EmailLog{db: db} }

// The states of an email in email_sends.
const (
	EmailSending = "sending" // claimed: a send is under way, or was cut off
	EmailSent    = "sent"
	EmailFailed  = "failed" // refused for good; never tried again
)

// Claim claims the email of one event to one recipient for lease from now:
// the insert of its row, or the conditional takeover of a row whose claim
// ran out (a sender that crashed or failed temporarily), decides, so two
// callers never both hold it. It reports whether the caller holds it, and
// otherwise the email's state: EmailSent, EmailFailed, or EmailSending
// while another caller's claim runs. attempts counts the claims made.
func (l *EmailLog) Claim(ctx context.Context, eventID, recipient string, now time.Time, lease time.Duration) (claimed bool, state string, attempts int, err error) {
	err = l.db.tx(ctx, "claim email", func(tx *sql.Tx) error {
		claimed, state, attempts = false, "", 0
		_, err := l.db.exec(ctx, tx, `INSERT INTO email_sends (event_id, recipient, status, claimed_until, attempts, reason, updated_at) VALUES (?, ?, ?, ?, 1, '', ?)`,
			eventID, recipient, EmailSending, unix(now.Add(lease)), unix(now))
		if err == nil {
			claimed, state, attempts = true, EmailSending, 1
			return nil
		}
		if !l.db.d.IsUnique(err) {
			return err
		}
		n, err := l.db.exec(ctx, tx, `UPDATE email_sends SET claimed_until = ?, attempts = attempts + 1, updated_at = ?
			WHERE event_id = ? AND recipient = ? AND status = ? AND claimed_until <= ?`,
			unix(now.Add(lease)), unix(now), eventID, recipient, EmailSending, unix(now))
		if err != nil {
			return err
		}
		claimed = n == 1
		return l.db.queryRow(ctx, tx, `SELECT status, attempts FROM email_sends WHERE event_id = ? AND recipient = ?`, eventID, recipient).Scan(&state, &attempts)
	})
	return claimed, state, attempts, err
}

// Sent records that the claimed email was sent.
func (l *EmailLog) Sent(ctx context.Context, eventID, recipient string, now time.Time) error {
	return l.settle(ctx, "email sent", eventID, recipient, EmailSent, 0, "", now)
}

// Release gives a claim back after a temporary failure, with its reason
// (never an address), so that the next delivery of the event may claim it
// at once.
func (l *EmailLog) Release(ctx context.Context, eventID, recipient, reason string, now time.Time) error {
	return l.settle(ctx, "release email", eventID, recipient, EmailSending, 0, reason, now)
}

// Fail records that the claimed email was refused for good, with the
// reason (never an address): it is not tried again.
func (l *EmailLog) Fail(ctx context.Context, eventID, recipient, reason string, now time.Time) error {
	return l.settle(ctx, "fail email", eventID, recipient, EmailFailed, 0, reason, now)
}

// settle moves a claimed email (state sending) to state.
func (l *EmailLog) settle(ctx context.Context, what, eventID, recipient, state string, until int64, reason string, now time.Time) error {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	return l.db.tx(ctx, what, func(tx *sql.Tx) error {
		n, err := l.db.exec(ctx, tx, `UPDATE email_sends SET status = ?, claimed_until = ?, reason = ?, updated_at = ? WHERE event_id = ? AND recipient = ? AND status = ?`,
			state, until, reason, unix(now), eventID, recipient, EmailSending)
		if err == nil && n == 0 {
			return errors.New("sqlstore: the email is not claimed")
		}
		return err
	})
}
