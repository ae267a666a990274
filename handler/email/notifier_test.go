package email

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/mail"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"shopfn/handler/events"
	"shopfn/handler/sqlite"
	"shopfn/handler/sqlstore"
)

// newLedger returns the relational email log on a new SQLite file.
func newLedger(t *testing.T) *sqlstore.EmailLog {
	t.Helper()
	lite, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "shopfn.db"))
	if err != nil {
		t.Fatal(err)
	}
	db := sqlstore.New(lite.Write, lite.Read, sqlite.Dialect)
	t.Cleanup(func() { db.Close(); lite.Close() })
	return sqlstore.NewEmailLog(db)
}

// counting counts the sends that reach the real Sender.
type counting struct {
	Mailer
	n atomic.Int64
}

func (c *counting) Send(ctx context.Context, m Mail) error {
	c.n.Add(1)
	return c.Mailer.Send(ctx, m)
}

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// notifier returns a Notifier sending to d through the real Sender, with
// its log in logs.
func notifier(t *testing.T, d *smtpd, ledger Ledger, logs *bytes.Buffer) (*Notifier, *counting, *clock) {
	t.Helper()
	c := &counting{Mailer: sender(t, d, "smtp://127.0.0.1:%d")}
	clk := &clock{now: at}
	return &Notifier{
		Mailer: c, Templates: mustLoad(t, ""), Ledger: ledger, Shop: "Tees", From: "Tees Shop <orders@shop.example>",
		Now: clk.Now, Log: slog.New(slog.NewTextHandler(logs, nil)),
	}, c, clk
}

// orderEvent returns an event of type k about order(), with a new ID.
func orderEvent(t *testing.T, k events.Type) events.Event {
	t.Helper()
	o := order()
	var data any
	switch k {
	case events.OrderPlaced:
		data = events.OrderPlacedData{Order: o}
	case events.OrderFulfilled:
		data = events.OrderFulfilledData{Order: o, Fulfillment: events.Fulfillment{TrackingNumber: "1Z999AA10123456784", Carrier: "UPS", FulfilledAt: at}}
	case events.OrderCancelled:
		data = events.OrderCancelledData{Order: o, CancelledAt: at}
	case events.OrderRefunded:
		data = events.OrderRefundedData{Order: o, Refund: events.Refund{Amount: o.Total, RefundedAt: at}}
	default:
		t.Fatalf("no order event %s", k)
	}
	e, err := events.New(k, events.DefaultSource, o.ID, at, data)
	if err != nil {
		t.Fatal(err)
	}
	e.Sequence = 1
	return e
}

// TestNotifierOnce: each order event's email reaches the SMTP server once,
// to the buyer, however often and however concurrently it is handled.
func TestNotifierOnce(t *testing.T) {
	d := startSMTPD(t, smtpdOptions{tls: true})
	var logs bytes.Buffer
	n, sends, _ := notifier(t, d, newLedger(t), &logs)
	want := map[string]string{} // Message-ID -> what it must hold
	for _, k := range Kinds {
		e := orderEvent(t, k)
		if err := n.Handle(context.Background(), e); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if err := n.Handle(context.Background(), e); err != nil && !errors.Is(err, ErrInProgress) {
					t.Errorf("%s again: %v", k, err)
				}
			})
		}
		wg.Wait()
		want[e.ID] = string(k)
	}
	// Concurrent first deliveries of one event.
	e := orderEvent(t, events.OrderPlaced)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := n.Handle(context.Background(), e); err != nil && !errors.Is(err, ErrInProgress) {
				t.Errorf("concurrent: %v", err)
			}
		})
	}
	wg.Wait()
	if err := n.Handle(context.Background(), e); err != nil {
		t.Errorf("after the concurrent deliveries: %v", err)
	}
	want[e.ID] = string(events.OrderPlaced)

	msgs := d.messages()
	if len(msgs) != len(want) || sends.n.Load() != int64(len(want)) {
		t.Fatalf("the server got %d messages from %d sends, want %d (one per event)", len(msgs), sends.n.Load(), len(want))
	}
	seen := map[string]bool{}
	for _, r := range msgs {
		if len(r.To) != 1 || r.To[0] != buyer {
			t.Errorf("recipients %q, want only the buyer", r.To)
		}
		m, err := mail.ReadMessage(bytes.NewReader(r.Data))
		if err != nil {
			t.Fatal(err)
		}
		id := strings.Trim(m.Header.Get("Message-Id"), "<>")
		eventID, _, _ := strings.Cut(id, ".")
		if _, ok := want[eventID]; !ok || seen[eventID] || !strings.HasSuffix(id, "@shop.example") {
			t.Errorf("Message-ID %q: want one per event, of an event sent, at the sender's domain", id)
		}
		seen[eventID] = true
		if want[eventID] == string(events.OrderFulfilled) {
			if text, _ := parts(t, m); !strings.Contains(text, "1Z999AA10123456784") {
				t.Errorf("order.fulfilled text holds no tracking number:\n%s", text)
			}
		}
	}
	if strings.Contains(logs.String(), "@example.com") {
		t.Errorf("the log holds the buyer's address:\n%s", logs.String())
	}
	// Events without an email are ignored.
	inv, err := events.New(events.ProductDeleted, events.DefaultSource, "p1", at, events.ProductDeletedData{ID: "p1", DeletedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Handle(context.Background(), inv); err != nil || len(d.messages()) != len(want) {
		t.Errorf("product.deleted: got %v and %d messages, want nothing sent", err, len(d.messages()))
	}
}

// TestNotifierFailures: a temporary SMTP failure is returned for a retry
// and sends once the server takes mail; a permanent one is recorded and
// never tried again; temporary failures end after MaxAttempts.
func TestNotifierFailures(t *testing.T) {
	busy := &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "mailbox busy"}
	unknown := &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	ctx := context.Background()

	t.Run("Temporary", func(t *testing.T) {
		ledger := newLedger(t)
		var logs bytes.Buffer
		down, _ := notifierOn(t, smtpdOptions{tls: true, rcptErr: busy}, ledger, &logs)
		e := orderEvent(t, events.OrderPlaced)
		if err := down.Handle(ctx, e); err == nil || !Temporary(err) {
			t.Fatalf("a 451: got %v, want a temporary error", err)
		}
		d := startSMTPD(t, smtpdOptions{tls: true})
		up, _, _ := notifier(t, d, ledger, &logs)
		for range 2 {
			if err := up.Handle(ctx, e); err != nil {
				t.Fatalf("once the server takes mail: %v", err)
			}
		}
		if got := len(d.messages()); got != 1 {
			t.Errorf("the server got %d messages, want 1", got)
		}
	})

	t.Run("Permanent", func(t *testing.T) {
		var logs bytes.Buffer
		n, sends := notifierOn(t, smtpdOptions{tls: true, rcptErr: unknown}, newLedger(t), &logs)
		e := orderEvent(t, events.OrderCancelled)
		for i := range 3 {
			if err := n.Handle(ctx, e); err != nil {
				t.Fatalf("a 550, delivery %d: got %v, want it recorded (nil)", i+1, err)
			}
		}
		if got := sends.n.Load(); got != 1 {
			t.Errorf("sends: got %d, want 1 (a permanent failure is not tried again)", got)
		}
		if strings.Contains(logs.String(), buyer) {
			t.Errorf("the log holds the buyer's address:\n%s", logs.String())
		}
	})

	t.Run("GivesUp", func(t *testing.T) {
		var logs bytes.Buffer
		n, sends := notifierOn(t, smtpdOptions{tls: true, rcptErr: busy}, newLedger(t), &logs)
		n.MaxAttempts = 3
		e := orderEvent(t, events.OrderRefunded)
		var errs []bool
		for range 5 {
			errs = append(errs, n.Handle(ctx, e) != nil)
		}
		if want := []bool{true, true, false, false, false}; !slices.Equal(errs, want) || sends.n.Load() != 3 {
			t.Errorf("errors %v after %d sends; want %v after 3", errs, sends.n.Load(), want)
		}
	})
}

// TestNotifierCrashAfterSend: a send whose mark is lost (a crash, a
// database gone) keeps other deliveries off while its claim runs, then
// the email is sent again with the same Message-ID: at least once, never
// none.
func TestNotifierCrashAfterSend(t *testing.T) {
	d := startSMTPD(t, smtpdOptions{tls: true})
	var logs bytes.Buffer
	n, _, clk := notifier(t, d, &lostMark{Ledger: newLedger(t)}, &logs)
	e := orderEvent(t, events.OrderFulfilled)
	if err := n.Handle(context.Background(), e); err == nil {
		t.Fatal("a lost mark: got no error, want one (the event is delivered again)")
	}
	if err := n.Handle(context.Background(), e); !errors.Is(err, ErrInProgress) {
		t.Errorf("during the claim: got %v, want ErrInProgress", err)
	}
	if got := len(d.messages()); got != 1 {
		t.Fatalf("during the claim: %d messages, want 1", got)
	}
	clk.Add(DefaultLease)
	n.Ledger = n.Ledger.(*lostMark).Ledger
	if err := n.Handle(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	msgs := d.messages()
	if len(msgs) != 2 {
		t.Fatalf("after the claim ran out: %d messages, want 2", len(msgs))
	}
	ids := make([]string, 2)
	for i, r := range msgs {
		m, err := mail.ReadMessage(bytes.NewReader(r.Data))
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = m.Header.Get("Message-Id")
	}
	if ids[0] != ids[1] {
		t.Errorf("Message-IDs %q and %q, want the same", ids[0], ids[1])
	}
}

// lostMark is a Ledger whose Sent fails, as a crash after the send would.
type lostMark struct{ Ledger }

func (l *lostMark) Sent(context.Context, string, string, time.Time) error {
	return errors.New("the database is gone")
}

func notifierOn(t *testing.T, o smtpdOptions, ledger Ledger, logs *bytes.Buffer) (*Notifier, *counting) {
	t.Helper()
	n, c, _ := notifier(t, startSMTPD(t, o), ledger, logs)
	return n, c
}
