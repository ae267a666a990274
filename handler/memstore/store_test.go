package memstore_test

import (
	"testing"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/memstore"
	"shopfn/handler/storetest"
)

func TestCatalogStore(t *testing.T) {
	storetest.TestCatalogStore(t, func(t *testing.T) commerce.CatalogStore { return memstore.NewCatalogStore() })
}

func TestCartStore(t *testing.T) {
	storetest.TestCartStore(t, func(t *testing.T) commerce.CartStore { return memstore.NewCartStore() })
}

func TestInventoryStore(t *testing.T) {
	storetest.TestInventoryStore(t, func(t *testing.T) commerce.InventoryStore {
		return memstore.NewInventoryStore(memstore.NewDB(time.Now))
	})
}

func TestLocations(t *testing.T) {
	storetest.TestLocations(t, func(t *testing.T) storetest.LocationInventory {
		return memstore.NewInventoryStore(memstore.NewDB(time.Now))
	})
}

// newMoneyStores returns the money-path stores on a new DB.
func newMoneyStores(t *testing.T) storetest.MoneyStores {
	db := memstore.NewDB(time.Now)
	checkouts := memstore.NewCheckoutStore(db)
	return storetest.MoneyStores{Checkouts: checkouts, Outbox: checkouts, Orders: memstore.NewOrderStore(db), Inventory: memstore.NewInventoryStore(db)}
}

func TestCheckoutStore(t *testing.T) { storetest.TestCheckoutStore(t, newMoneyStores) }

func TestOrderStore(t *testing.T) { storetest.TestOrderStore(t, newMoneyStores) }

func TestCustomerOrders(t *testing.T) { storetest.TestCustomerOrders(t, newMoneyStores) }

func TestStock(t *testing.T) { storetest.TestStock(t, newMoneyStores) }

func TestAllocation(t *testing.T)     { storetest.TestAllocation(t, newMoneyStores) }
func TestFulfilment(t *testing.T)     { storetest.TestFulfilment(t, newMoneyStores) }
func TestAllocationMove(t *testing.T) { storetest.TestAllocationMove(t, newMoneyStores) }

// TestQueue runs the queue suite with the given options and with the
// defaults. Durability is skipped: memory does not outlive the Queue.
func TestQueue(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts commerce.QueueOptions
		want commerce.QueueOptions // the settings in force
	}{
		{"Options", commerce.QueueOptions{LockDuration: 45 * time.Second, MaxDeliveryCount: 4, DuplicateWindow: 5 * time.Minute},
			commerce.QueueOptions{LockDuration: 45 * time.Second, MaxDeliveryCount: 4, DuplicateWindow: 5 * time.Minute}},
		{"Defaults", commerce.QueueOptions{},
			commerce.QueueOptions{LockDuration: 30 * time.Second, MaxDeliveryCount: 10, DuplicateWindow: 10 * time.Minute}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.TestQueue(t, storetest.QueueHarness{
				New: func(t *testing.T) storetest.QueueEnv {
					c := storetest.NewClock(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
					opts := tc.opts
					opts.Now = c.Now
					return storetest.QueueEnv{Queue: memstore.NewQueue(opts), Now: c.Now, Advance: c.Advance}
				},
				MaxDeliveryCount: tc.want.MaxDeliveryCount,
				LockDuration:     tc.want.LockDuration,
				DuplicateWindow:  tc.want.DuplicateWindow,
			})
		})
	}
}

func TestCustomerStore(t *testing.T) {
	storetest.TestCustomerStore(t, func(t *testing.T) commerce.CustomerStore { return memstore.NewCustomerStore() })
}

func TestCategoryStore(t *testing.T) {
	storetest.TestCategoryStore(t, func(t *testing.T) storetest.CategoryCatalog { return memstore.NewCatalogStore() })
}

func TestPromotionStore(t *testing.T) {
	storetest.TestPromotionStore(t, func(t *testing.T) commerce.PromotionStore {
		return memstore.NewPromotionStore(memstore.NewDB(time.Now))
	})
}

func TestRedemptions(t *testing.T) {
	storetest.TestRedemptions(t, func(t *testing.T) storetest.RedemptionStores {
		db := memstore.NewDB(time.Now)
		checkouts := memstore.NewCheckoutStore(db)
		return storetest.RedemptionStores{
			MoneyStores: storetest.MoneyStores{Checkouts: checkouts, Outbox: checkouts, Orders: memstore.NewOrderStore(db), Inventory: memstore.NewInventoryStore(db)},
			Promotions:  memstore.NewPromotionStore(db),
		}
	})
}
