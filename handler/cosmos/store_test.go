package cosmos_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/cosmos"
	"shopfn/handler/cosmos/cosmostest"
	"shopfn/handler/storetest"
)

// target is the Cosmos DB the suites run against: the local peer, or real
// Cosmos DB when SHOPFN_TEST_COSMOS_ENDPOINT is set.
var target struct {
	endpoint, key, skip string
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	peer, err := cosmostest.Start()
	switch {
	case errors.Is(err, cosmostest.ErrNotInstalled) && os.Getenv("SHOPFN_REQUIRE_PEERS") != "1":
		target.skip = err.Error()
	case err != nil:
		fmt.Fprintln(os.Stderr, "cosmos tests:", err)
		return 1
	default:
		defer peer.Stop()
		target.endpoint, target.key = peer.Endpoint, cosmostest.Key
	}
	return m.Run()
}

// MustOpen opens a new, empty database on the peer (or on real Cosmos DB
// at endpoint with key, deleted when the test ends).
func MustOpen(tb testing.TB, endpoint, key string) *cosmos.DB {
	tb.Helper()
	return mustOpenConfig(tb, cosmos.Config{Endpoint: endpoint, Key: key})
}

// mustOpenConfig opens a new, empty database as MustOpen does, with cfg's
// endpoint, key and observer.
func mustOpenConfig(tb testing.TB, cfg cosmos.Config) *cosmos.DB {
	tb.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	cfg.Database, cfg.CartTTL, cfg.Getenv = "t"+hex.EncodeToString(b), time.Hour, os.Getenv
	client, err := cosmos.NewClient(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	db, err := cosmos.Open(context.Background(), client, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if d, err := client.NewDatabase(cfg.Database); err == nil {
			d.Delete(context.Background(), nil)
		}
	})
	return db
}

// peerDB opens a new database on the peer, or skips.
func peerDB(t *testing.T) *cosmos.DB {
	t.Helper()
	if target.skip != "" {
		t.Skip(target.skip)
	}
	return MustOpen(t, target.endpoint, target.key)
}

// realDB opens a new database on real Cosmos DB, or skips.
func realDB(t *testing.T) *cosmos.DB {
	t.Helper()
	endpoint := os.Getenv("SHOPFN_TEST_COSMOS_ENDPOINT")
	if endpoint == "" {
		t.Skip("SHOPFN_TEST_COSMOS_ENDPOINT is not set: set it (and SHOPFN_TEST_COSMOS_KEY, or sign in for Entra ID) to run the suites against real Cosmos DB")
	}
	return MustOpen(t, endpoint, os.Getenv("SHOPFN_TEST_COSMOS_KEY"))
}

func TestCatalogStore(t *testing.T) {
	storetest.TestCatalogStore(t, func(t *testing.T) commerce.CatalogStore { return cosmos.NewCatalogStore(peerDB(t)) })
}

func TestCartStore(t *testing.T) {
	storetest.TestCartStore(t, func(t *testing.T) commerce.CartStore { return cosmos.NewCartStore(peerDB(t)) })
}

func TestCatalogStoreRealCosmos(t *testing.T) {
	storetest.TestCatalogStore(t, func(t *testing.T) commerce.CatalogStore { return cosmos.NewCatalogStore(realDB(t)) })
}

func TestCartStoreRealCosmos(t *testing.T) {
	storetest.TestCartStore(t, func(t *testing.T) commerce.CartStore { return cosmos.NewCartStore(realDB(t)) })
}

func TestCustomerStore(t *testing.T) {
	storetest.TestCustomerStore(t, func(t *testing.T) commerce.CustomerStore { return cosmos.NewCustomerStore(peerDB(t)) })
}

func TestCustomerStoreRealCosmos(t *testing.T) {
	storetest.TestCustomerStore(t, func(t *testing.T) commerce.CustomerStore { return cosmos.NewCustomerStore(realDB(t)) })
}

func TestCategoryStore(t *testing.T) {
	storetest.TestCategoryStore(t, func(t *testing.T) storetest.CategoryCatalog { return cosmos.NewCatalogStore(peerDB(t)) })
}

func TestPriceListStore(t *testing.T) {
	storetest.TestPriceListStore(t, func(t *testing.T) commerce.PriceListStore { return cosmos.NewPriceListStore(peerDB(t)) })
}

func TestShippingOptionStore(t *testing.T) {
	storetest.TestShippingOptionStore(t, func(t *testing.T) commerce.ShippingOptionStore { return cosmos.NewShippingOptionStore(peerDB(t)) })
}

func TestTaxRateStore(t *testing.T) {
	storetest.TestTaxRateStore(t, func(t *testing.T) commerce.TaxRateStore { return cosmos.NewTaxRateStore(peerDB(t)) })
}
