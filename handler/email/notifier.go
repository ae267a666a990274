package email

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"time"

	"shopfn/handler/events"
)

// Ledger records the emails sent, one per event and recipient
// (sqlstore.EmailLog). recipient is a hash of the address, never the
// address.
type Ledger interface {
	// Claim claims the email for lease, reporting whether the caller holds
	// it, and otherwise its state ("sent", "failed", or "sending" while
	// another claim runs); attempts counts the claims made.
	Claim(ctx context.Context, eventID, recipient string, now time.Time, lease time.Duration) (claimed bool, state string, attempts int, err error)
	// Sent, Release and Fail settle a claim: sent, given back after a
	// temporary failure, or refused for good.
	Sent(ctx context.Context, eventID, recipient string, now time.Time) error
	Release(ctx context.Context, eventID, recipient, reason string, now time.Time) error
	Fail(ctx context.Context, eventID, recipient, reason string, now time.Time) error
}

// Mailer sends one email: *Sender.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// Defaults of a Notifier.
const (
	// DefaultLease is how long a claim keeps other deliveries of the event
	// from sending: longer than a send can take (go-mail's timeout is per
	// command).
	DefaultLease = 2 * time.Minute
	// DefaultMaxAttempts is how many claims an email gets before a run of
	// temporary failures is recorded as a failure for good.
	DefaultMaxAttempts = 10
)

// ErrInProgress is returned while another delivery of the same event holds
// the email's claim: try again later (the claim either ends sent, or runs
// out and may be taken over).
var ErrInProgress = errors.New("email: another delivery of this event is sending its email")

// Notifier sends the buyer's email of order.placed, order.fulfilled,
// order.cancelled and order.refunded: an events.Consumer. Each email is
// sent at most once per event and recipient, claimed in the Ledger before
// the send and marked after it. A temporary SMTP failure is returned as an
// error, so the event is handed over again with a backoff; a permanent one
// is recorded and not tried again. Other events are ignored.
//
// A crash (or a lost database) between the send and its mark leaves the
// claim to run out; the next delivery of the event then sends the email
// again, with the same Message-ID. That window is one SMTP exchange: the
// buyer may get that one email twice, never none.
type Notifier struct {
	Mailer    Mailer
	Templates *Templates
	Ledger    Ledger
	// Shop names the shop in the emails; From is the sender's address,
	// whose domain the Message-IDs take.
	Shop, From string
	Now        func() time.Time
	Log        *slog.Logger
	// Lease and MaxAttempts default to DefaultLease and DefaultMaxAttempts.
	Lease       time.Duration
	MaxAttempts int
}

var _ events.Consumer = (*Notifier)(nil)

// Handle sends e's email to its buyer, once.
func (n *Notifier) Handle(ctx context.Context, e events.Event) error {
	if !slices.Contains(Kinds, e.Type) {
		return nil
	}
	d, err := FromEvent(e, n.Shop)
	if err != nil {
		n.Log.Warn("order email: the event's data is malformed; no email", "event", e.ID, "type", e.Type, "err", err)
		return nil // delivering it again cannot mend it
	}
	to := d.Order.Email
	if to == "" {
		return nil
	}
	rcpt := recipientKey(to)
	lease, most := n.Lease, n.MaxAttempts
	if lease <= 0 {
		lease = DefaultLease
	}
	if most <= 0 {
		most = DefaultMaxAttempts
	}
	claimed, state, attempts, err := n.Ledger.Claim(ctx, e.ID, rcpt, n.Now(), lease)
	if err != nil {
		return fmt.Errorf("order email %s: claim: %w", e.ID, err)
	}
	if !claimed {
		if state == "sending" {
			return ErrInProgress
		}
		return nil // sent, or refused for good
	}
	msg, err := n.Templates.Render(d)
	if err != nil {
		return n.fail(ctx, e, rcpt, "rendering the templates: "+err.Error())
	}
	sendErr := n.Mailer.Send(ctx, Mail{To: to, ToName: d.Order.ShippingAddress.Name, MessageID: n.messageID(e.ID, rcpt), Message: msg})
	// Settle with a context of its own: the send may have used up ctx.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	switch {
	case sendErr == nil:
		if err := n.Ledger.Sent(sctx, e.ID, rcpt, n.Now()); err != nil {
			// Sent, not recorded: the claim runs out and a later delivery
			// sends again (see Notifier).
			return fmt.Errorf("order email %s: sent, but not recorded: %w", e.ID, err)
		}
		n.Log.Info("order email sent", "event", e.ID, "type", e.Type)
		return nil
	case Temporary(sendErr) && attempts < most:
		if err := n.Ledger.Release(sctx, e.ID, rcpt, sendErr.Error(), n.Now()); err != nil {
			return errors.Join(sendErr, err)
		}
		return fmt.Errorf("order email %s (attempt %d of %d): %w", e.ID, attempts, most, sendErr)
	case Temporary(sendErr):
		return n.fail(sctx, e, rcpt, fmt.Sprintf("gave up after %d attempts: %v", attempts, sendErr))
	}
	return n.fail(sctx, e, rcpt, sendErr.Error())
}

// fail records the claimed email as refused for good.
func (n *Notifier) fail(ctx context.Context, e events.Event, rcpt, reason string) error {
	n.Log.Warn("order email failed for good; it is not tried again", "event", e.ID, "type", e.Type, "reason", reason)
	if err := n.Ledger.Fail(ctx, e.ID, rcpt, reason, n.Now()); err != nil {
		return fmt.Errorf("order email %s: record the failure: %w", e.ID, err)
	}
	return nil
}

// messageID returns the Message-ID of an event's email to one recipient:
// the same on every attempt, so that a second copy (see Notifier) can be
// recognised as one message.
func (n *Notifier) messageID(eventID, rcpt string) string {
	domain := "shopfn.invalid"
	if a, err := mail.ParseAddress(n.From); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok && d != "" {
			domain = d
		}
	}
	return eventID + "." + rcpt[:16] + "@" + domain
}

// recipientKey is what the ledger keeps of an address: its SHA-256, of the
// address in lower case.
func recipientKey(addr string) string {
	h := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(addr))))
	return hex.EncodeToString(h[:])
}

// ShopName returns the shop's name for the emails: From's display name, or
// its domain.
func ShopName(from string) string {
	a, err := mail.ParseAddress(from)
	if err != nil {
		return "shop"
	}
	if a.Name != "" {
		return a.Name
	}
	_, d, _ := strings.Cut(a.Address, "@")
	return d
}
