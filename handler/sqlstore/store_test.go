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

// MustOpenSQLite returns a sqlstore.DB on a new SQLite file.
func MustOpenSQLite(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	ctx := context.Background()
	lite, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "shopfn.db"))
	if err != nil {
		tb.Fatal(err)
	}
	db := sqlstore.New(lite.Write, lite.Read, sqlite.Dialect)
	tb.Cleanup(func() { db.Close(); lite.Close() })
	return db
}

func TestInventoryStore(t *testing.T) {
	storetest.TestInventoryStore(t, func(t *testing.T) commerce.InventoryStore {
		s, err := sqlstore.NewInventoryStore(context.Background(), MustOpenSQLite(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestLocations(t *testing.T) {
	storetest.TestLocations(t, func(t *testing.T) storetest.LocationInventory {
		s, err := sqlstore.NewInventoryStore(context.Background(), MustOpenSQLite(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// newMoneyStores returns the money-path stores on a new SQLite file.
func newMoneyStores(t *testing.T) storetest.MoneyStores {
	db := MustOpenSQLite(t)
	inv, err := sqlstore.NewInventoryStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	checkouts := sqlstore.NewCheckoutStore(db)
	return storetest.MoneyStores{Checkouts: checkouts, Outbox: checkouts, Orders: sqlstore.NewOrderStore(db), Inventory: inv}
}

func TestCheckoutStore(t *testing.T) { storetest.TestCheckoutStore(t, newMoneyStores) }

func TestOrderStore(t *testing.T) { storetest.TestOrderStore(t, newMoneyStores) }

func TestCustomerOrders(t *testing.T) { storetest.TestCustomerOrders(t, newMoneyStores) }

func TestStock(t *testing.T) { storetest.TestStock(t, newMoneyStores) }

func TestShopifyStock(t *testing.T)   { storetest.TestShopifyStock(t, newMoneyStores) }
func TestAllocation(t *testing.T)     { storetest.TestAllocation(t, newMoneyStores) }
func TestFulfilment(t *testing.T)     { storetest.TestFulfilment(t, newMoneyStores) }
func TestAllocationMove(t *testing.T) { storetest.TestAllocationMove(t, newMoneyStores) }
func TestRefunds(t *testing.T)        { storetest.TestRefunds(t, newMoneyStores) }

// NewEventStores returns the money-path stores and the event log on db.
func NewEventStores(t *testing.T, db *sqlstore.DB) storetest.EventStores {
	inv, err := sqlstore.NewInventoryStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	checkouts := sqlstore.NewCheckoutStore(db)
	return storetest.EventStores{
		MoneyStores: storetest.MoneyStores{Checkouts: checkouts, Outbox: checkouts, Orders: sqlstore.NewOrderStore(db), Inventory: inv},
		Log:         sqlstore.NewEventStore(db),
		LowStock:    func(sku string, n int64) error { return inv.SetLowStockThreshold(context.Background(), sku, n) },
	}
}

func TestEventLog(t *testing.T) {
	storetest.TestEventLog(t, func(t *testing.T) storetest.EventStores { return NewEventStores(t, MustOpenSQLite(t)) })
}

func TestPromotionStore(t *testing.T) {
	storetest.TestPromotionStore(t, func(t *testing.T) commerce.PromotionStore {
		return sqlstore.NewPromotionStore(MustOpenSQLite(t))
	})
}

func TestRedemptions(t *testing.T) {
	storetest.TestRedemptions(t, func(t *testing.T) storetest.RedemptionStores {
		lite, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "shopfn.db"))
		if err != nil {
			t.Fatal(err)
		}
		db := sqlstore.New(lite.Write, lite.Read, sqlite.Dialect)
		t.Cleanup(func() { db.Close(); lite.Close() })
		inv, err := sqlstore.NewInventoryStore(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		checkouts := sqlstore.NewCheckoutStore(db)
		return storetest.RedemptionStores{
			MoneyStores: storetest.MoneyStores{Checkouts: checkouts, Outbox: checkouts, Orders: sqlstore.NewOrderStore(db), Inventory: inv},
			Promotions:  sqlstore.NewPromotionStore(db),
			StoredCounters: func(id string) (used, reserved int64, err error) {
				err = lite.Read.QueryRow(`SELECT used, reserved FROM promotions WHERE id = ?`, id).Scan(&used, &reserved)
				return used, reserved, err
			},
		}
	})
}
