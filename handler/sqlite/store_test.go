package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"shopfn/handler/commerce"
	"shopfn/handler/sqlite"
	"shopfn/handler/storetest"
)

// MustOpen opens a new SQLite file in a temporary directory and closes it
// when the test ends.
func MustOpen(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "shopfn.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestCatalogStore(t *testing.T) {
	storetest.TestCatalogStore(t, func(t *testing.T) commerce.CatalogStore {
		return sqlite.NewCatalogStore(MustOpen(t))
	})
}

func TestCartStore(t *testing.T) {
	storetest.TestCartStore(t, func(t *testing.T) commerce.CartStore {
		s, err := sqlite.NewCartStore(context.Background(), MustOpen(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestCustomerStore(t *testing.T) {
	storetest.TestCustomerStore(t, func(t *testing.T) commerce.CustomerStore { return sqlite.NewCustomerStore(MustOpen(t)) })
}

func TestCategoryStore(t *testing.T) {
	storetest.TestCategoryStore(t, func(t *testing.T) storetest.CategoryCatalog { return sqlite.NewCatalogStore(MustOpen(t)) })
}

// TestCartStoreExclusive is the conformance suite on a file this process
// alone opens, where CartStore keeps recent carts in memory.
func TestCartStoreExclusive(t *testing.T) {
	storetest.TestCartStore(t, func(t *testing.T) commerce.CartStore {
		db, err := sqlite.OpenWith(context.Background(), filepath.Join(t.TempDir(), "shopfn.db"), sqlite.Options{Exclusive: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		s, err := sqlite.NewCartStore(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
