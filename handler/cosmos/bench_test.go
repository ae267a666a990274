package cosmos_test

import (
	"context"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"shopfn/handler/commerce"
	"shopfn/handler/cosmos"
	"shopfn/handler/storetest"
)

// counter is an azcore policy that counts the requests sent.
type counter struct{ n atomic.Int64 }

func (c *counter) Do(req *policy.Request) (*http.Response, error) {
	c.n.Add(1)
	return req.Next()
}

// BenchmarkStore measures the store calls of the storefront's hot paths on
// the peer and reports req/op, the Cosmos DB requests each sends: what a
// product page (by ID or handle), the variant lookup of add-to-cart and a
// cart's read and conditional replace cost, once this instance knows where
// the product lives ("warm") and when it does not ("cold").
func BenchmarkStore(b *testing.B) {
	if target.skip != "" {
		b.Skip(target.skip)
	}
	ctx := context.Background()
	var count counter
	cfg := cosmos.Config{Endpoint: target.endpoint, Key: target.key, Database: "bench", CartTTL: time.Hour,
		Getenv: os.Getenv, PerRetryPolicies: []policy.Policy{&count}}
	client, err := cosmos.NewClient(cfg)
	if err != nil {
		b.Fatal(err)
	}
	db, err := cosmos.Open(ctx, client, cfg)
	if err != nil {
		b.Fatal(err)
	}
	catalog, carts := cosmos.NewCatalogStore(db), cosmos.NewCartStore(db)
	p := storetest.NewProduct(time.Now(), "bench-"+commerce.NewCartID(), "bench", "B-"+commerce.NewCartID()[1:])
	if err := catalog.CreateProduct(ctx, p); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	c := &commerce.Cart{ID: commerce.NewCartID(), Currency: "USD", CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := carts.CreateCart(ctx, c); err != nil {
		b.Fatal(err)
	}
	run := func(name string, f func() error) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			count.n.Store(0)
			for i := 0; i < b.N; i++ {
				if err := f(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(count.n.Load())/float64(b.N), "req/op")
		})
	}
	get := func(s *cosmos.CatalogStore) error { _, err := s.ProductByHandle(ctx, p.Handle); return err }
	run("ProductByHandle/warm", func() error { return get(catalog) })
	run("ProductByHandle/cold", func() error { return get(cosmos.NewCatalogStore(db)) })
	run("Product/warm", func() error { _, err := catalog.Product(ctx, p.ID); return err })
	run("Variants1/warm", func() error { _, err := catalog.Variants(ctx, []string{p.Variants[0].SKU}); return err })
	run("Variants1/cold", func() error {
		_, err := cosmos.NewCatalogStore(db).Variants(ctx, []string{p.Variants[0].SKU})
		return err
	})
	run("CartReadReplace", func() error {
		got, err := carts.Cart(ctx, c.ID)
		if err != nil {
			return err
		}
		got.Lines = []commerce.CartLine{{SKU: p.Variants[0].SKU, Quantity: 1}}
		return carts.ReplaceCart(ctx, got, got.ETag)
	})
}
