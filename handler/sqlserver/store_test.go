package sqlserver_test

import (
	"context"
	"database/sql"
	"os"
	"sync"
	"testing"

	"shopfn/handler/commerce"
	"shopfn/handler/sqlserver"
	"shopfn/handler/sqlstore"
	"shopfn/handler/storetest"
)

// mustOpenServer returns the SQL Server at SHOPFN_TEST_SQLSERVER_DSN,
// migrated, or skips: no SQL Server is installable on the build machines.
func mustOpenServer(t *testing.T) *sql.DB {
	t.Helper()
	dsn := os.Getenv("SHOPFN_TEST_SQLSERVER_DSN")
	if dsn == "" {
		t.Skip("SHOPFN_TEST_SQLSERVER_DSN is not set: the relational suites run on SQL Server only against a real server " +
			"(e.g. sqlserver://sa:pw@127.0.0.1:1433?database=shopfn_test, a database the tests may empty); " +
			"T-SQL syntax is still checked by TestTSQL")
	}
	db, err := sqlserver.Open(context.Background(), dsn, sqlserver.Pool{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := sqlserver.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return db
}

// emptyTables deletes every row the suites write, so that each suite's
// store starts empty. The suites share one database, so they run in turn.
func emptyTables(t *testing.T, db *sql.DB) {
	t.Helper()
	for _, table := range []string{"inventory", "stock_sources", "checkouts", "reservations", "outbox", "orders", "shopify_orders", "shopify_order_lines", "location_stock", "location_sources", "allocations",
		"fulfilments", "shipped_units", "refunds",
		"events", "event_head", "event_subjects", "event_consumers", "promotions", "promotion_redemptions", "promotion_customers"} {
		if _, err := db.Exec("DELETE FROM " + table); err != nil {
			t.Fatal(err)
		}
	}
	// The default location always exists: it is put back as migrated.
	if _, err := db.Exec("DELETE FROM locations WHERE id <> 'default'"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE locations SET name = 'Default', priority = 0, countries = '', status = 'active' WHERE id = 'default'"); err != nil {
		t.Fatal(err)
	}
}

func TestStoresOnSQLServer(t *testing.T) {
	db := mustOpenServer(t)
	money := func(t *testing.T) storetest.MoneyStores {
		emptyTables(t, db)
		rel := sqlstore.New(db, db, sqlserver.Dialect)
		t.Cleanup(func() { rel.Close() })
		inv, err := sqlstore.NewInventoryStore(context.Background(), rel)
		if err != nil {
			t.Fatal(err)
		}
		c := sqlstore.NewCheckoutStore(rel)
		return storetest.MoneyStores{Checkouts: c, Outbox: c, Orders: sqlstore.NewOrderStore(rel), Inventory: inv}
	}
	t.Run("InventoryStore", func(t *testing.T) {
		storetest.TestInventoryStore(t, func(t *testing.T) commerce.InventoryStore { return money(t).Inventory })
	})
	t.Run("CheckoutStore", func(t *testing.T) { storetest.TestCheckoutStore(t, money) })
	t.Run("OrderStore", func(t *testing.T) { storetest.TestOrderStore(t, money) })
	t.Run("CustomerOrders", func(t *testing.T) { storetest.TestCustomerOrders(t, money) })
	t.Run("Stock", func(t *testing.T) { storetest.TestStock(t, money) })
	t.Run("ShopifyStock", func(t *testing.T) { storetest.TestShopifyStock(t, money) })
	t.Run("Allocation", func(t *testing.T) { storetest.TestAllocation(t, money) })
	t.Run("Fulfilment", func(t *testing.T) { storetest.TestFulfilment(t, money) })
	t.Run("AllocationMove", func(t *testing.T) { storetest.TestAllocationMove(t, money) })
	t.Run("Refunds", func(t *testing.T) { storetest.TestRefunds(t, money) })
	t.Run("Locations", func(t *testing.T) {
		storetest.TestLocations(t, func(t *testing.T) storetest.LocationInventory {
			return money(t).Inventory.(storetest.LocationInventory)
		})
	})
	t.Run("PromotionStore", func(t *testing.T) {
		storetest.TestPromotionStore(t, func(t *testing.T) commerce.PromotionStore {
			emptyTables(t, db)
			rel := sqlstore.New(db, db, sqlserver.Dialect)
			t.Cleanup(func() { rel.Close() })
			return sqlstore.NewPromotionStore(rel)
		})
	})
	t.Run("Redemptions", func(t *testing.T) {
		storetest.TestRedemptions(t, func(t *testing.T) storetest.RedemptionStores {
			st := money(t)
			rel := sqlstore.New(db, db, sqlserver.Dialect)
			t.Cleanup(func() { rel.Close() })
			return storetest.RedemptionStores{MoneyStores: st, Promotions: sqlstore.NewPromotionStore(rel)}
		})
	})
	t.Run("EventLog", func(t *testing.T) {
		storetest.TestEventLog(t, func(t *testing.T) storetest.EventStores {
			emptyTables(t, db)
			rel := sqlstore.New(db, db, sqlserver.Dialect)
			t.Cleanup(func() { rel.Close() })
			return eventStores(t, rel)
		})
	})
}

// eventStores returns the money-path stores and the event log on db.
func eventStores(t *testing.T, db *sqlstore.DB) storetest.EventStores {
	inv, err := sqlstore.NewInventoryStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	c := sqlstore.NewCheckoutStore(db)
	return storetest.EventStores{
		MoneyStores: storetest.MoneyStores{Checkouts: c, Outbox: c, Orders: sqlstore.NewOrderStore(db), Inventory: inv},
		Log:         sqlstore.NewEventStore(db),
		LowStock:    func(sku string, n int64) error { return inv.SetLowStockThreshold(context.Background(), sku, n) },
	}
}

// Instances starting together all migrate; the application lock makes
// them take turns, and every one succeeds.
func TestMigrateConcurrently(t *testing.T) {
	db := mustOpenServer(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { _, errs[i] = sqlserver.Migrate(context.Background(), db) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Migrate %d: %v", i, err)
		}
	}
}
