package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
	"shopfn/handler/sqlite"
	"shopfn/handler/sqlstore"
	"shopfn/handler/storetest"
)

// TestDocumentEvents checks that on the embedded file the catalog and the
// customers write their events in the transaction of the change: a
// refused change writes none.
func TestDocumentEvents(t *testing.T) {
	ctx := context.Background()
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "shopfn.db"))
	if err != nil {
		t.Fatal(err)
	}
	db := sqlstore.New(lite.Write, lite.Read, sqlite.Dialect)
	t.Cleanup(func() { db.Close(); lite.Close() })
	catalog := sqlite.NewCatalogStore(lite)
	catalog.Events = db
	customers := sqlite.NewCustomerStore(lite)
	customers.Events = db

	now := time.Now().UTC().Truncate(time.Second)
	p := storetest.NewProduct(now, "lamp", "home", "LAMP-1")
	if err := catalog.CreateProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	dup := storetest.NewProduct(now, "lamp", "home", "LAMP-2") // the handle is taken
	if err := catalog.CreateProduct(ctx, dup); commerce.ErrorCode(err) != commerce.CodeHandleTaken {
		t.Fatalf("CreateProduct with a taken handle: got %v, want %s", err, commerce.CodeHandleTaken)
	}
	p.Title = "Desk lamp"
	if err := catalog.ReplaceProduct(ctx, p, ""); err != nil {
		t.Fatal(err)
	}
	if err := catalog.ReplaceProduct(ctx, p, `"stale"`); commerce.ErrorCode(err) != commerce.CodePreconditionFailed {
		t.Fatalf("ReplaceProduct with a stale ETag: got %v, want %s", err, commerce.CodePreconditionFailed)
	}
	if err := catalog.DeleteProduct(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	c := &commerce.Customer{ID: "cus_1", Issuer: "https://id.example", Subject: "s1", Email: "ada@example.com", Name: "Ada", CreatedAt: now, UpdatedAt: now}
	if err := customers.CreateCustomer(ctx, c); err != nil {
		t.Fatal(err)
	}
	again := *c
	again.ID = "cus_2"
	if err := customers.CreateCustomer(ctx, &again); commerce.ErrorCode(err) != commerce.CodeConflict {
		t.Fatalf("CreateCustomer for a subject that has one: got %v, want conflict", err)
	}

	recs, err := sqlstore.NewEventStore(db).Events(ctx, events.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, string(r.Event.Type)+" "+r.Event.Subject+" "+r.Event.Sequence.String()[16:])
	}
	want := []string{
		"product.created products/" + p.ID + " 001",
		"product.updated products/" + p.ID + " 002",
		"product.deleted products/" + p.ID + " 003",
		"customer.created customers/cus_1 001",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	var d events.ProductData
	if err := recs[1].Event.Decode(&d); err != nil || d.Title != "Desk lamp" {
		t.Errorf("product.updated data: got %+v, %v; want the title Desk lamp", d, err)
	}
}
