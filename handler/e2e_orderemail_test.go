package main

import (
	"bytes"
	"context"
	"mime"
	"net/mail"
	"slices"
	"strings"
	"testing"

	"shopfn/handler/events"
)

// This file holds the E2E test of the order emails: the program, its event
// log and its "email" consumer against a real SMTP server on loopback.

// e2eMail is one email the SMTP server received, as the test reads it.
type e2eMail struct {
	To      []string // the envelope's recipients
	EventID string   // from the Message-ID, <event id>.<recipient hash>@domain
	Subject string
	Body    string
}

// String names the email in failure messages, without its body.
func (m e2eMail) String() string { return m.EventID + " " + m.Subject }

// e2eMails parses what the catcher received, in the order it arrived.
func e2eMails(tb testing.TB, c *mailCatcher) []e2eMail {
	tb.Helper()
	c.mu.Lock()
	got, data := append([][]string(nil), c.got...), append([][]byte(nil), c.data...)
	c.mu.Unlock()
	out := make([]e2eMail, len(got))
	for i := range got {
		m, err := mail.ReadMessage(bytes.NewReader(data[i]))
		if err != nil {
			tb.Fatalf("email %d: %v", i, err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if err != nil {
			tb.Fatalf("email %d: subject: %v", i, err)
		}
		id, _, _ := strings.Cut(strings.Trim(m.Header.Get("Message-Id"), "<>"), ".")
		out[i] = e2eMail{To: got[i], EventID: id, Subject: subject, Body: string(data[i])}
	}
	return out
}

// flushEmails hands every committed event to the consumers (the email one
// among them) and fails the test on a consumer's error.
func (s e2eShop) flushEmails(tb testing.TB) {
	tb.Helper()
	if err := s.Events.Flush(context.Background()); err != nil {
		tb.Fatalf("flush the event log: %v", err)
	}
}

// wantEmails checks that the SMTP server received exactly the emails of
// the order events of order, one each to to, with the subject saying what
// happened.
func (s e2eShop) wantEmails(tb testing.TB, what string, got []e2eMail, order, to string, types ...events.Type) {
	tb.Helper()
	subjects := map[events.Type]string{
		events.OrderPlaced: "confirmed", events.OrderFulfilled: "has shipped",
		events.OrderCancelled: "cancelled", events.OrderRefunded: "refund",
	}
	byID := map[string]events.Event{}
	for _, e := range s.feedAll(tb, "0") {
		byID[e.ID] = e
	}
	var gotTypes []events.Type
	for _, m := range got {
		e, ok := byID[m.EventID]
		if !ok || e.Subject != "orders/"+order {
			continue
		}
		gotTypes = append(gotTypes, e.Type)
		if !slices.Equal(m.To, []string{to}) {
			tb.Errorf("%s: %s email to %q, want to %q", what, e.Type, m.To, to)
		}
		if !strings.Contains(m.Subject, order) || !strings.Contains(m.Subject, subjects[e.Type]) {
			tb.Errorf("%s: %s email's subject %q, want one naming order %s and saying %q", what, e.Type, m.Subject, order, subjects[e.Type])
		}
	}
	slices.Sort(gotTypes)
	types = slices.Clone(types)
	slices.Sort(types)
	if !slices.Equal(gotTypes, types) {
		tb.Errorf("%s: emails for order %s: got %q, want one each of %q", what, order, gotTypes, types)
	}
}

// TestE2EOrderEmails: a paid checkout sends the buyer one order.placed
// email; the admin's cancel one cancelled and one refunded; a fulfilment
// one shipped; and the event log handed over again, or each event
// redelivered to the consumer, sends nothing more.
func TestE2EOrderEmails(t *testing.T) {
	t.Parallel()
	catcher, addr := startMailCatcher(t)
	s := startMoney(t, func(m *Main) {
		m.Config.SMTPURL = "smtp://" + addr + "?starttls=none"
		m.Config.EmailFrom = "Tees <orders@shop.example>"
	})
	if s.Notifier == nil {
		t.Fatal("with SHOPFN_SMTP_URL: no email consumer")
	}
	s.mustStockedProduct(t, "mail-tee", "MAIL-TEE", 1500, 10)
	buy := func(t *testing.T, email string) string {
		t.Helper()
		req := moneyNewRequest(s.moneyCart(t, e2eLine{"MAIL-TEE", 1}), "pm_card_visa")
		req.Email = email
		r := moneyWantPaid(t, "checkout", s.moneyCheckout(t, req, ""))
		s.moneyWaitOrder(t, r.OrderID, "placed")
		return r.OrderID
	}

	ada := buy(t, "ada.mail@example.com")
	s.flushEmails(t)
	placed := e2eMails(t, catcher)
	if len(placed) != 1 {
		t.Fatalf("emails after one paid checkout: got %d, want 1: %+v", len(placed), placed)
	}
	s.wantEmails(t, "placed", placed, ada, "ada.mail@example.com", events.OrderPlaced)

	e2eWantStatus(t, "cancel", s.admin(t, "POST", "/api/admin/orders/"+ada+"/cancel", nil), 200)
	s.moneyWaitOrder(t, ada, "cancelled")
	s.flushEmails(t)
	cancelled := e2eMails(t, catcher)
	if len(cancelled) != 3 {
		t.Fatalf("emails after the cancel: got %d, want 3: %+v", len(cancelled), cancelled)
	}
	s.wantEmails(t, "cancelled", cancelled, ada, "ada.mail@example.com", events.OrderPlaced, events.OrderCancelled, events.OrderRefunded)

	grace := buy(t, "grace.mail@example.com")
	e2eWantStatus(t, "fulfil", s.admin(t, "POST", "/api/admin/orders/"+grace+"/fulfil", nil), 200)
	s.moneyWaitOrder(t, grace, "fulfilled")
	s.flushEmails(t)
	all := e2eMails(t, catcher)
	if len(all) != 5 {
		t.Fatalf("emails after a second order shipped: got %d, want 5: %+v", len(all), all)
	}
	s.wantEmails(t, "fulfilled", all, grace, "grace.mail@example.com", events.OrderPlaced, events.OrderFulfilled)

	// Handed over again: the dispatcher's positions, then the ledger.
	s.flushEmails(t)
	s.flushEmails(t)
	for _, e := range s.feedAll(t, "0") {
		if err := s.Notifier.Handle(context.Background(), e); err != nil {
			t.Errorf("redeliver %s %s: %v", e.Type, e.ID, err)
		}
	}
	if got := e2eMails(t, catcher); len(got) != len(all) {
		t.Errorf("emails after flushing twice and redelivering every event: got %d, want still %d: %+v", len(got), len(all), got[len(all):])
	}
}
