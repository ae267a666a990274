package cosmos_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
	"shopfn/handler/cosmos"
	"shopfn/handler/events"
	"shopfn/handler/storetest"
)

// maker makes events from the default source.
type maker struct{}

func (maker) NewEvent(t events.Type, id string, now time.Time, data any) (events.Event, error) {
	return events.New(t, events.DefaultSource, id, now, data)
}

// pending returns the store's pending events as "type subject order", in
// the order to append them.
func pending(t *testing.T, o events.Outbox, subject string) ([]events.Pending, []string) {
	t.Helper()
	ps, err := o.Pending(context.Background(), subject)
	if err != nil {
		t.Fatal(err)
	}
	events.SortPending(ps)
	var out []string
	for _, p := range ps {
		out = append(out, string(p.Event.Type)+" "+p.Event.Subject+" "+strings.Repeat("v", int(p.Order)))
	}
	return ps, out
}

// TestPendingProductEvents checks that each product write leaves its event
// as a pending event written with it (a refused write leaves none), in
// the order of the product's versions across a move between categories,
// until Done removes it.
func TestPendingProductEvents(t *testing.T) {
	ctx := context.Background()
	s := cosmos.NewCatalogStore(peerDB(t))
	s.Events = maker{}
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	p := storetest.NewProduct(now, "pending", "home", "PEND-1")
	if err := s.CreateProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateProduct(ctx, storetest.NewProduct(now, "pending", "home", "PEND-2")); commerce.ErrorCode(err) != commerce.CodeHandleTaken {
		t.Fatalf("a taken handle: got %v, want handle_taken", err)
	}
	p.Title = "Renamed"
	if err := s.ReplaceProduct(ctx, p, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceProduct(ctx, p, `"stale"`); commerce.ErrorCode(err) != commerce.CodePreconditionFailed {
		t.Fatalf("a stale If-Match: got %v, want precondition_failed", err)
	}
	p.Category = "garden" // a move: its event is in the old category's partition
	if err := s.ReplaceProduct(ctx, p, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteProduct(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	subject := "products/" + p.ID
	want := []string{"product.created " + subject + " v", "product.updated " + subject + " vv",
		"product.updated " + subject + " vvv", "product.deleted " + subject + " vvvv"}
	ps, got := pending(t, s, "")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("pending events (-want +got):\n%s", diff)
	}
	var d events.ProductData
	if err := ps[2].Event.Decode(&d); err != nil || d.Category != "garden" || d.Title != "Renamed" {
		t.Errorf("the move's event: got %+v, %v; want the product in garden", d, err)
	}
	if _, got := pending(t, s, "products/other"); len(got) != 0 {
		t.Errorf("pending events of another subject: got %q, want none", got)
	}
	for _, p := range ps {
		if err := p.Done(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := ps[0].Done(ctx); err != nil {
		t.Errorf("Done twice: %v, want nil", err)
	}
	if _, got := pending(t, s, ""); len(got) != 0 {
		t.Errorf("pending events after Done: got %q, want none", got)
	}
}

// TestPendingCustomerEvent checks that customer.created rides in the new
// customer's document, survives a change of the customer, and is cleared
// by Done without touching the customer.
func TestPendingCustomerEvent(t *testing.T) {
	ctx := context.Background()
	s := cosmos.NewCustomerStore(peerDB(t))
	s.Events = maker{}
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	c := &commerce.Customer{ID: commerce.NewCustomerID(now), Issuer: "https://issuer.example", Subject: "pending",
		Email: "ada@example.com", Name: "Ada", Groups: []string{}, Addresses: []commerce.CustomerAddress{}, CreatedAt: now, UpdatedAt: now}
	if err := s.CreateCustomer(ctx, c); err != nil {
		t.Fatal(err)
	}
	c.Name = "Ada L."
	if err := s.ReplaceCustomer(ctx, c, c.ETag); err != nil {
		t.Fatal(err)
	}
	subject := "customers/" + c.ID
	for _, q := range []string{"", subject} {
		if _, got := pending(t, s, q); !cmp.Equal(got, []string{"customer.created " + subject + " "}) {
			t.Errorf("Pending(%q) after a change: got %q, want customer.created", q, got)
		}
	}
	ps, _ := pending(t, s, subject)
	var d events.CustomerData
	if err := ps[0].Event.Decode(&d); err != nil || d.Name != "Ada" {
		t.Errorf("customer.created data: got %+v, %v; want the customer as created", d, err)
	}
	if err := ps[0].Done(ctx); err != nil {
		t.Fatal(err)
	}
	if _, got := pending(t, s, ""); len(got) != 0 {
		t.Errorf("pending after Done: got %q, want none", got)
	}
	got, err := s.Customer(ctx, c.ID)
	if err != nil || got.Name != "Ada L." || got.Email != c.Email {
		t.Errorf("the customer after Done: got %+v, %v; want it unchanged", got, err)
	}
}
