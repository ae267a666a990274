package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/events"
	"shopfn/handler/sqlite"
	"shopfn/handler/sqlstore"
	"shopfn/handler/storetest"
)

// TestDocRelaySQLiteOutbox runs SQLite documents beside a relational store
// in another database (as with SHOPFN_SQL=sqlserver): a product's changes
// keep their events pending in the documents' file, in the transaction of
// the change, until the relay appends them to the log, in order and each
// once however often it runs, and removes them.
func TestDocRelaySQLiteOutbox(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	docs, err := sqlite.Open(ctx, filepath.Join(dir, "documents.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { docs.Close() })
	relFile, err := sqlite.Open(ctx, filepath.Join(dir, "relational.db"))
	if err != nil {
		t.Fatal(err)
	}
	rel := sqlstore.New(relFile.Write, relFile.Read, sqlite.Dialect)
	t.Cleanup(func() { rel.Close(); relFile.Close() })
	log := sqlstore.NewEventStore(rel)
	outbox := sqlite.NewOutbox(docs, rel)
	catalog := sqlite.NewCatalogStore(docs)
	catalog.Events = outbox
	relay := &docRelay{db: rel, log: log, outboxes: []events.Outbox{outbox}, lg: slog.New(slog.NewTextHandler(io.Discard, nil))}

	now := time.Now().UTC().Truncate(time.Second)
	p := storetest.NewProduct(now, "relay", "home", "RELAY-1")
	if err := catalog.CreateProduct(ctx, p); err != nil { // no relay: as if killed right after the change
		t.Fatal(err)
	}
	p.Title = "Renamed"
	if err := catalog.ReplaceProduct(ctx, p, ""); err != nil {
		t.Fatal(err)
	}
	if recs, err := log.Events(ctx, events.Filter{}); err != nil || len(recs) != 0 {
		t.Fatalf("the log before any relay: got %d events, %v; want none", len(recs), err)
	}
	pend, err := outbox.Pending(ctx, "")
	if err != nil || len(pend) != 2 {
		t.Fatalf("pending: got %d, %v; want 2", len(pend), err)
	}
	// A relay that appended the first and died before removing it.
	if ok, err := log.AppendOnce(ctx, pend[0].Event); !ok || err != nil {
		t.Fatalf("AppendOnce: got %v, %v; want it written", ok, err)
	}
	if err := relay.relay(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if err := relay.relay(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if ok, err := log.AppendOnce(ctx, pend[1].Event); ok || err != nil {
		t.Errorf("AppendOnce of an event in the log: got %v, %v; want skipped", ok, err)
	}
	// The wrapper relays right after the change.
	wrapped := eventingCatalog{catalog, relay}
	if err := wrapped.DeleteProduct(ctx, p.ID); err != nil {
		t.Fatal(err)
	}

	recs, err := log.Events(ctx, events.Filter{Limit: 100})
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
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the log (-want +got):\n%s", diff)
	}
	if pend, err := outbox.Pending(ctx, ""); err != nil || len(pend) != 0 {
		t.Errorf("pending after the relay: got %d, %v; want none", len(pend), err)
	}
}
