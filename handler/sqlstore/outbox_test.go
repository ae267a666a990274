package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
	"shopfn/handler/sqlite"
	"shopfn/handler/sqlstore"
)

// TestOutboxAttributes checks that an outbox message keeps its attributes
// (the traceparent) until the relay reads it, and that a file made before
// the outbox had them still opens, its waiting messages readable.
func TestOutboxAttributes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shopfn.db")
	old, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL, message_id TEXT NOT NULL,
			type TEXT NOT NULL, body BLOB NOT NULL, scheduled_at INTEGER NOT NULL)`,
		`INSERT INTO outbox (queue, message_id, type, body, scheduled_at) VALUES ('orders', 'old-1', 'OrderPlaced', '{}', 0)`,
	} {
		if _, err := old.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	lite, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("open a file made before the outbox had attributes: %v", err)
	}
	defer lite.Close()
	db := sqlstore.New(lite.Write, lite.Read, sqlite.Dialect)
	defer db.Close()
	st := sqlstore.NewCheckoutStore(db)
	c := &commerce.Checkout{ID: "k_tel", IdempotencyKey: "tel", OrderID: "o_tel", Status: commerce.CheckoutPending, CreatedAt: time.Now()}
	attrs := map[string]string{commerce.AttrTraceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
	msg := commerce.Message{ID: "new-1", Type: commerce.MsgReservationExpired, Body: []byte(`{}`), Attributes: attrs}
	if err := st.BeginCheckout(ctx, c, []commerce.Message{msg}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Unpublished(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Message.ID != "old-1" || got[0].Message.Attributes != nil {
		t.Fatalf("unpublished: got %+v, want old-1 without attributes, then new-1", got)
	}
	if diff := cmp.Diff(attrs, got[1].Message.Attributes); diff != "" {
		t.Errorf("new-1 attributes (-want +got):\n%s", diff)
	}
	b, err := st.Backlog(ctx)
	if err != nil || b.Waiting != 2 || b.Parked != 0 {
		t.Fatalf("backlog: got %+v, %v; want 2 waiting, none parked", b, err)
	}
	if age := time.Since(b.Oldest); age < 0 || age > time.Minute {
		t.Errorf("oldest: got %v, want new-1's write time (old-1 has none)", b.Oldest)
	}
	if _, err := lite.Write.ExecContext(ctx, `UPDATE outbox SET parked_at = 1 WHERE message_id = 'old-1'`); err != nil {
		t.Fatal(err)
	}
	if b, err := st.Backlog(ctx); err != nil || b.Waiting != 1 || b.Parked != 1 {
		t.Errorf("backlog with old-1 parked: got %+v, %v; want 1 waiting, 1 parked", b, err)
	}
}
