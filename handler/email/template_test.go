package email

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
)

var at = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

func order() events.Order {
	eur := func(n int64) commerce.Money { return commerce.Money{Amount: n, Currency: "EUR"} }
	return events.Order{
		ID: "o123", Status: commerce.OrderPlaced, Email: "buyer@example.com",
		Items: []commerce.OrderLine{
			{SKU: "TEE-M", Title: "Tee <script>alert(1)</script>", Quantity: 2, UnitPrice: eur(1000), LineTotal: eur(2000)},
			{SKU: "CAP", Title: "Cap", Quantity: 1, UnitPrice: eur(550), LineTotal: eur(550)},
		},
		Subtotal: eur(2550), Shipping: eur(500), Tax: eur(0), Total: eur(3050),
		ShippingAddress: commerce.Address{Name: "Ann Lee", Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "DE"},
		CreatedAt:       at,
	}
}

func mustLoad(t *testing.T, dir string) *Templates {
	t.Helper()
	tm, err := LoadTemplates(dir)
	if err != nil {
		t.Fatalf("LoadTemplates(%q): %v", dir, err)
	}
	return tm
}

func TestRenderDefaults(t *testing.T) {
	tm := mustLoad(t, "")
	tests := []struct {
		name                  string
		data                  Data
		subject               string
		text, html, notInText []string
	}{
		{"placed", Data{Type: events.OrderPlaced, Shop: "Tees", Order: order()}, "Tees: order o123 confirmed",
			[]string{"Order o123, placed 4 March 2025", "2 x Tee <script>alert(1)</script> (TEE-M)  20.00 EUR", "Total     30.50 EUR", "Ann Lee\n1 Main St\n12345 Springfield\nDE"},
			[]string{"Tee &lt;script&gt;alert(1)&lt;/script&gt;", "<strong>30.50 EUR</strong>"}, nil},
		{"fulfilled with tracking", Data{Type: events.OrderFulfilled, Shop: "Tees", Order: order(),
			Fulfillment: &events.Fulfillment{TrackingNumber: "1Z999", Carrier: "UPS", TrackingURL: "https://track.example/1Z999", FulfilledAt: at}},
			"Tees: order o123 has shipped",
			[]string{"has shipped (4 March 2025)", "Tracking number: 1Z999 (UPS)", "Track it: https://track.example/1Z999"},
			[]string{"<strong>1Z999</strong>", `href="https://track.example/1Z999"`}, nil},
		{"fulfilled without tracking", Data{Type: events.OrderFulfilled, Shop: "Tees", Order: order(), Fulfillment: &events.Fulfillment{FulfilledAt: at}},
			"Tees: order o123 has shipped", []string{"has shipped"}, []string{"has shipped"}, []string{"Tracking", "Track it"}},
		{"fulfilled with a script URL", Data{Type: events.OrderFulfilled, Shop: "Tees", Order: order(), Fulfillment: &events.Fulfillment{TrackingURL: "javascript:alert(1)", FulfilledAt: at}},
			"Tees: order o123 has shipped", nil, []string{`href="#ZgotmplZ"`}, nil},
		{"cancelled", Data{Type: events.OrderCancelled, Shop: "Tees", Order: order(), CancelledAt: at}, "Tees: order o123 cancelled",
			[]string{"cancelled on 4 March 2025", "Total 30.50 EUR"}, []string{"cancelled on 4 March 2025"}, []string{"shipped", "Refund for them"}},
		{"cancelled after part of it shipped", Data{Type: events.OrderCancelled, Shop: "Tees", Order: order(), CancelledAt: at, UnshippedRefund: &commerce.Money{Amount: 2200, Currency: "EUR"}},
			"Tees: order o123 cancelled",
			[]string{"cancelled on 4 March 2025", "already shipped", "Refund for them: 22.00 EUR."}, []string{"Refund for them: <strong>22.00 EUR</strong>"},
			[]string{"30.50 EUR", "Nothing was charged"}},
		{"cancelled after part of it shipped, unpaid", Data{Type: events.OrderCancelled, Shop: "Tees", Order: order(), CancelledAt: at, UnshippedRefund: &commerce.Money{Currency: "EUR"}},
			"Tees: order o123 cancelled",
			[]string{"already shipped", "Nothing was charged, so nothing is refunded."}, []string{"Nothing was charged"}, []string{"30.50 EUR", "Refund for them"}},
		{"refunded", Data{Type: events.OrderRefunded, Shop: "Tees", Order: order(), Refund: &events.Refund{Amount: commerce.Money{Amount: 550, Currency: "EUR"}, RefundedAt: at}},
			"Tees: refund for order o123", []string{"We refunded 5.50 EUR on your order o123"}, []string{"<strong>5.50 EUR</strong>"}, nil},
		{"shop name with a line break", Data{Type: events.OrderPlaced, Shop: "Tees\r\nBcc: eve@example.com", Order: order()},
			"Tees Bcc: eve@example.com: order o123 confirmed", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := tm.Render(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != tt.subject {
				t.Errorf("subject: got %q, want %q", m.Subject, tt.subject)
			}
			for _, s := range tt.text {
				if !strings.Contains(m.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, m.Text)
				}
			}
			for _, s := range tt.html {
				if !strings.Contains(m.HTML, s) {
					t.Errorf("html lacks %q:\n%s", s, m.HTML)
				}
			}
			for _, s := range tt.notInText {
				if strings.Contains(m.Text, s) || strings.Contains(m.HTML, s) {
					t.Errorf("email holds %q:\n%s\n%s", s, m.Text, m.HTML)
				}
			}
			if strings.Contains(m.HTML, "<script>") {
				t.Errorf("html holds an unescaped script:\n%s", m.HTML)
			}
		})
	}
	if _, err := tm.Render(Data{Type: events.ProductCreated}); err == nil {
		t.Errorf("Render(product.created): got no error")
	}
}

func TestOverride(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "order.placed.subject.txt"), []byte("Danke, {{.Order.ID}}!"), 0o644)
	os.WriteFile(filepath.Join(dir, "order.refunded.html"), []byte("<p>{{.Shop}} gave back {{money .Refund.Amount}}</p>"), 0o644)
	tm := mustLoad(t, dir)
	m, err := tm.Render(Data{Type: events.OrderPlaced, Shop: "Tees", Order: order()})
	if err != nil || m.Subject != "Danke, o123!" || !strings.Contains(m.Text, "Thank you for your order") {
		t.Errorf("placed: got %q / %q, %v; want the overridden subject and the default text", m.Subject, m.Text, err)
	}
	m, err = tm.Render(Data{Type: events.OrderRefunded, Shop: "<b>Tees</b>", Order: order(), Refund: &events.Refund{Amount: commerce.Money{Amount: 1200, Currency: "JPY"}}})
	if err != nil || m.HTML != "<p>&lt;b&gt;Tees&lt;/b&gt; gave back 1200 JPY</p>" {
		t.Errorf("refunded: got %q, %v", m.HTML, err)
	}

	for name, src := range map[string]string{
		"order.placed.txt":            "{{.Order.ID",
		"order.cancelled.html":        "{{.Order.Nope}}",
		"order.fulfilled.subject.txt": "{{nofunc .Order.ID}}",
		"order.placed.html":           "{{.Refund.Amount}}",
	} {
		bad := t.TempDir()
		os.WriteFile(filepath.Join(bad, name), []byte(src), 0o644)
		if _, err := LoadTemplates(bad); err == nil {
			t.Errorf("LoadTemplates with a broken %s (%q): got no error", name, src)
		}
	}
	if _, err := LoadTemplates(filepath.Join(dir, "order.placed.subject.txt")); err == nil {
		t.Errorf("LoadTemplates of a file, not a directory: got no error")
	}
}

func TestFromEvent(t *testing.T) {
	tm := mustLoad(t, "")
	e, err := events.New(events.OrderFulfilled, events.DefaultSource, "o123", at,
		events.OrderFulfilledData{Order: order(), Fulfillment: events.Fulfillment{TrackingNumber: "1Z999", FulfilledAt: at}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := FromEvent(e, "Tees")
	if err != nil {
		t.Fatal(err)
	}
	m, err := tm.Render(d)
	if err != nil || !strings.Contains(m.Text, "Tracking number: 1Z999") || d.Order.Email != "buyer@example.com" {
		t.Errorf("got %+v, %v", m, err)
	}
	refund := commerce.Money{Amount: 2200, Currency: "EUR"}
	e, err = events.New(events.OrderCancelled, events.DefaultSource, "o123", at,
		events.OrderCancelledData{Order: order(), CancelledAt: at, UnshippedRefund: &refund})
	if err != nil {
		t.Fatal(err)
	}
	if d, err = FromEvent(e, "Tees"); err != nil || d.UnshippedRefund == nil || *d.UnshippedRefund != refund {
		t.Errorf("FromEvent(order.cancelled of a remainder): got unshipped refund %v, %v; want %v", d.UnshippedRefund, err, refund)
	}
	p, _ := events.New(events.ProductDeleted, events.DefaultSource, "p1", at, events.ProductDeletedData{ID: "p1"})
	if _, err := FromEvent(p, "Tees"); err == nil {
		t.Errorf("FromEvent(product.deleted): got no error")
	}
}

func TestFormatMoney(t *testing.T) {
	tests := []struct {
		m    commerce.Money
		want string
	}{
		{commerce.Money{Amount: 1234, Currency: "USD"}, "12.34 USD"},
		{commerce.Money{Amount: 5, Currency: "EUR"}, "0.05 EUR"},
		{commerce.Money{Amount: 0, Currency: "GBP"}, "0.00 GBP"},
		{commerce.Money{Amount: -250, Currency: "USD"}, "-2.50 USD"},
		{commerce.Money{Amount: 1200, Currency: "JPY"}, "1200 JPY"},
		{commerce.Money{Amount: 1500, Currency: "KWD"}, "1.500 KWD"},
		{commerce.Money{Amount: 100000000000, Currency: "USD"}, "1000000000.00 USD"},
	}
	for _, tt := range tests {
		if got := FormatMoney(tt.m); got != tt.want {
			t.Errorf("FormatMoney(%v): got %q, want %q", tt.m, got, tt.want)
		}
	}
}
