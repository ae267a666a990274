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

// newMoneyStores returns the money-path stores on a new DB.
func newMoneyStores(t *testing.T) storetest.MoneyStores {
	db := memstore.NewDB(time.Now)
	checkouts := memstore.NewCheckoutStore(db)
	return storetest.MoneyStores{Checkouts: checkouts, Outbox: checkouts, Orders: memstore.NewOrderStore(db), Inventory: memstore.NewInventoryStore(db)}
}

func TestCheckoutStore(t *testing.T) { storetest.TestCheckoutStore(t, newMoneyStores) }

func TestOrderStore(t *testing.T) { storetest.TestOrderStore(t, newMoneyStores) }

func TestStock(t *testing.T) { storetest.TestStock(t, newMoneyStores) }
