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
