package cosmos_test

import (
	"context"
	"os"
	"testing"
	"time"

	"shopfn/handler/cosmos"
)

// The peer keeps a container's default time to live but never expires
// anything; these tests check what the adapter asks of the service, the
// real Cosmos DB run checks that the service does it.
func TestOpenSetsCartTTL(t *testing.T) {
	if target.skip != "" {
		t.Skip(target.skip)
	}
	ctx := context.Background()
	cfg := cosmos.Config{Endpoint: target.endpoint, Key: target.key, Database: "ttl" + time.Now().Format("150405.000000"), CartTTL: 72 * time.Hour, Getenv: os.Getenv}
	client, err := cosmos.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ttl := func(name string) (*int32, string) {
		t.Helper()
		db, _ := client.NewDatabase(cfg.Database)
		c, _ := db.NewContainer(name)
		resp, err := c.Read(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		return resp.ContainerProperties.DefaultTimeToLive, resp.ContainerProperties.PartitionKeyDefinition.Paths[0]
	}
	for _, hours := range []int{72, 2} { // created, then changed by a later start
		cfg.CartTTL = time.Duration(hours) * time.Hour
		if _, err := cosmos.Open(ctx, client, cfg); err != nil {
			t.Fatal(err)
		}
		got, pk := ttl(cosmos.CartsContainer)
		if got == nil || *got != int32(hours*3600) || pk != "/id" {
			t.Errorf("carts after Open with %d h: got TTL %v and partition key %s, want %d s and /id", hours, got, pk, hours*3600)
		}
		got, pk = ttl(cosmos.ProductsContainer)
		if got != nil || pk != "/category" {
			t.Errorf("products: got TTL %v and partition key %s, want none and /category", got, pk)
		}
	}
}
