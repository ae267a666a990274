package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"shopfn/handler/commerce"
	"shopfn/handler/sqlite"
	"shopfn/handler/sqlstore"
	"shopfn/handler/storetest"
)

// mustOpenOnePool returns a sqlstore.DB whose reads and writes share one
// pool of one connection (SQLite's write pool): SQL Server's single pool,
// at its limit. A transaction that reads through the pool instead of
// itself waits for a connection it holds; the suites' call deadline turns
// that into a failure instead of a hang.
func mustOpenOnePool(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	lite, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "shopfn.db"))
	if err != nil {
		tb.Fatal(err)
	}
	if got := lite.Write.Stats().MaxOpenConnections; got != 1 {
		tb.Fatalf("SQLite write pool: got MaxOpenConns %d, want 1", got)
	}
	db := sqlstore.New(lite.Write, lite.Write, sqlite.Dialect)
	tb.Cleanup(func() { db.Close(); lite.Close() })
	return db
}

// TestOnePool runs every transactional path of the store (the checkout,
// order, stock and inventory suites, Resume retries racing among them) on
// one pool of one connection, so that no query may leave its transaction.
func TestOnePool(t *testing.T) {
	stores := func(t *testing.T) storetest.MoneyStores {
		db := mustOpenOnePool(t)
		inv, err := sqlstore.NewInventoryStore(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		checkouts := sqlstore.NewCheckoutStore(db)
		return storetest.MoneyStores{Checkouts: checkouts, Outbox: checkouts, Orders: sqlstore.NewOrderStore(db), Inventory: inv}
	}
	t.Run("Inventory", func(t *testing.T) {
		storetest.TestInventoryStore(t, func(t *testing.T) commerce.InventoryStore { return stores(t).Inventory })
	})
	t.Run("Checkout", func(t *testing.T) { storetest.TestCheckoutStore(t, stores) })
	t.Run("Order", func(t *testing.T) { storetest.TestOrderStore(t, stores) })
	t.Run("Stock", func(t *testing.T) { storetest.TestStock(t, stores) })
}
