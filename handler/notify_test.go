package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
)

// mailCatcher is a real SMTP server on loopback (go-smtp) that keeps the
// recipients and the data of what it receives.
type mailCatcher struct {
	mu   sync.Mutex
	got  [][]string
	data [][]byte // got[i]'s message
}

type catcherSession struct {
	c  *mailCatcher
	to []string
}

func (s *catcherSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *catcherSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *catcherSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.c.mu.Lock()
	s.c.got = append(s.c.got, s.to)
	s.c.data = append(s.c.data, data)
	s.c.mu.Unlock()
	return nil
}
func (s *catcherSession) Reset()        { s.to = nil }
func (s *catcherSession) Logout() error { return nil }

func startMailCatcher(t *testing.T) (*mailCatcher, string) {
	t.Helper()
	c := &mailCatcher{}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &catcherSession{c: c}, nil }))
	s.Domain = "localhost"
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return c, ln.Addr().String()
}

func (c *mailCatcher) messages() [][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]string(nil), c.got...)
}

// TestNotifierWiring: with SHOPFN_SMTP_URL the program builds the order
// email consumer, which sends an event's email once however often it is
// handled; without it there is none, and the start says so once.
func TestNotifierWiring(t *testing.T) {
	catcher, addr := startMailCatcher(t)
	var logs bytes.Buffer
	s := MustRunMainWith(t, false, func(m *Main) {
		m.Config.SMTPURL = "smtp://" + addr + "?starttls=none"
		m.Config.EmailFrom = "Tees <orders@shop.example>"
		m.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	if s.Notifier == nil {
		t.Fatal("with SHOPFN_SMTP_URL: no Notifier")
	}
	o := events.Order{ID: "o1", Status: commerce.OrderPlaced, Email: "buyer@example.com",
		Items:    []commerce.OrderLine{{SKU: "A", Title: "A", Quantity: 1, UnitPrice: commerce.Money{Amount: 100, Currency: "USD"}, LineTotal: commerce.Money{Amount: 100, Currency: "USD"}}},
		Subtotal: commerce.Money{Amount: 100, Currency: "USD"}, Shipping: commerce.Money{Currency: "USD"}, Tax: commerce.Money{Currency: "USD"},
		Total: commerce.Money{Amount: 100, Currency: "USD"}, CreatedAt: time.Now().UTC()}
	e, err := events.New(events.OrderPlaced, events.DefaultSource, o.ID, time.Now(), events.OrderPlacedData{Order: o})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := s.Notifier.Handle(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	if got := catcher.messages(); len(got) != 1 || len(got[0]) != 1 || got[0][0] != o.Email {
		t.Errorf("the SMTP server got %q, want one email to the buyer", got)
	}
	if strings.Contains(logs.String(), "buyer@") {
		t.Errorf("the log holds the buyer's address:\n%s", logs.String())
	}

	var offLogs bytes.Buffer
	off := MustRunMainWith(t, false, func(m *Main) { m.Logger = slog.New(slog.NewTextHandler(&offLogs, nil)) })
	if off.Notifier != nil {
		t.Errorf("without SHOPFN_SMTP_URL: got a Notifier %T, want nil", off.Notifier)
	}
	if n := strings.Count(offLogs.String(), "order emails are off"); n != 1 {
		t.Errorf("the start said %d times that emails are off, want once:\n%s", n, offLogs.String())
	}
}
