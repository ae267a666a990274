package cosmos_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

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
		got, pk = ttl(cosmos.CustomersContainer)
		if got != nil || pk != "/id" {
			t.Errorf("customers: got TTL %v and partition key %s, want none and /id", got, pk)
		}
	}
}

// forbid answers 403, as the service does to a data-plane identity, to
// every request that creates a database or container, and 404 to reads of
// the carts container, as if it were missing.
type forbid struct{}

func (forbid) Do(req *policy.Request) (*http.Response, error) {
	r := req.Raw()
	answer := func(code int) (*http.Response, error) {
		return &http.Response{StatusCode: code, Request: r, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"code":"Forbidden","message":"no"}`))}, nil
	}
	switch {
	case r.Method == http.MethodPost && (strings.HasSuffix(r.URL.Path, "/colls") || r.URL.Path == "/dbs"):
		return answer(http.StatusForbidden)
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/colls/carts"):
		return answer(http.StatusNotFound)
	}
	return req.Next()
}

func TestOpenMissingContainerNotCreatable(t *testing.T) {
	if target.skip != "" {
		t.Skip(target.skip)
	}
	cfg := cosmos.Config{Endpoint: target.endpoint, Key: target.key, Database: "forbidden", CartTTL: time.Hour,
		Getenv: os.Getenv}
	ctx := context.Background()
	client, err := cosmos.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cosmos.Open(ctx, client, cfg); err != nil { // the database and products exist
		t.Fatal(err)
	}
	cfg.PerRetryPolicies = []policy.Policy{forbid{}}
	if client, err = cosmos.NewClient(cfg); err != nil {
		t.Fatal(err)
	}
	_, err = cosmos.Open(ctx, client, cfg)
	if err == nil || !strings.Contains(err.Error(), `container "carts" (partition key /id) is missing`) || !strings.Contains(err.Error(), "infra/") {
		t.Errorf("got %v, want an error naming the missing container, its partition key and infra/", err)
	}
}
