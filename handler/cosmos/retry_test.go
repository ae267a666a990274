package cosmos_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/cosmos"
	"shopfn/handler/faultproxy"
)

// faulty opens stores on a new database of the peer behind an HTTP fault
// proxy, with short retries.
func faulty(t *testing.T) (*faultproxy.HTTP, *cosmos.CartStore, *cosmos.CatalogStore) {
	t.Helper()
	if target.skip != "" {
		t.Skip(target.skip)
	}
	if !strings.HasPrefix(target.endpoint, "http://127.0.0.1") {
		t.Skip("the fault proxy stands in front of the local peer only")
	}
	h, err := faultproxy.StartHTTP(target.endpoint)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	db := mustOpenConfig(t, cosmos.Config{Endpoint: h.URL, Key: target.key,
		Retry: cosmos.RetryOptions{BaseDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond, TryTimeout: 500 * time.Millisecond}})
	return h, cosmos.NewCartStore(db), cosmos.NewCatalogStore(db)
}

// on matches requests of the given method whose path holds part.
func on(method, part string) func(*http.Request) bool {
	return func(r *http.Request) bool { return r.Method == method && strings.Contains(r.URL.Path, part) }
}

// answer503 is Cosmos DB's 503.
func answer503(times int, match func(*http.Request) bool) faultproxy.Rule {
	return faultproxy.Rule{Match: match, Times: times, Status: http.StatusServiceUnavailable,
		Body: `{"code":"ServiceUnavailable","message":"Service is currently unavailable."}`}
}

func newCart(now time.Time) *commerce.Cart {
	return &commerce.Cart{ID: commerce.NewCartID(), Currency: "USD", CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour),
		Lines: []commerce.CartLine{{SKU: "RETRY-1", Quantity: 1}}}
}

func TestRetry(t *testing.T) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)

	t.Run("ReadAfter503And408", func(t *testing.T) {
		h, carts, _ := faulty(t)
		c := newCart(now)
		if err := carts.CreateCart(ctx, c); err != nil {
			t.Fatal(err)
		}
		h.Add(answer503(2, on("GET", "/docs/")))
		h.Add(faultproxy.Rule{Match: on("GET", "/docs/"), Times: 1, Status: http.StatusRequestTimeout, Body: `{"code":"RequestTimeout"}`})
		got, err := carts.Cart(ctx, c.ID)
		if err != nil || got.ETag != c.ETag {
			t.Fatalf("read after 503, 503, 408: got %+v, %v; want the cart", got, err)
		}
		if n := h.Hits(); n != 3 {
			t.Errorf("faults answered: got %d, want 3", n)
		}
	})

	t.Run("ReadAfterStall", func(t *testing.T) {
		h, carts, _ := faulty(t)
		c := newCart(now)
		if err := carts.CreateCart(ctx, c); err != nil {
			t.Fatal(err)
		}
		h.Add(faultproxy.Rule{Match: on("GET", "/docs/"), Times: 1, Delay: time.Minute})
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if _, err := carts.Cart(ctx, c.ID); err != nil {
			t.Fatalf("read after a try timed out: %v", err)
		}
	})

	t.Run("UnavailableWhen503Lasts", func(t *testing.T) {
		h, carts, catalog := faulty(t)
		h.Add(answer503(0, nil))
		_, err := carts.Cart(ctx, commerce.NewCartID())
		if commerce.ErrorKind(err) != commerce.KindUnavailable || commerce.ErrorCode(err) != commerce.CodeUnavailable {
			t.Fatalf("read while Cosmos DB answers 503: got %v, want unavailable", err)
		}
		err = catalog.CreateProduct(ctx, &commerce.Product{ID: commerce.NewProductID(now), Handle: "retry-down", Title: "Down", Category: "retry",
			Status: commerce.StatusActive, CreatedAt: now, UpdatedAt: now,
			Variants: []commerce.Variant{{SKU: "RETRY-DOWN", Title: "One", Price: commerce.Money{Amount: 100, Currency: "USD"}}}})
		if commerce.ErrorKind(err) != commerce.KindUnavailable {
			t.Fatalf("create product while Cosmos DB answers 503: got %v, want unavailable", err)
		}
	})

	t.Run("CreateAppliedAnswerLost", func(t *testing.T) {
		h, carts, _ := faulty(t)
		h.Add(faultproxy.Rule{Match: on("POST", "/colls/carts/docs"), Times: 1, Drop: true})
		c := newCart(now)
		if err := carts.CreateCart(ctx, c); err != nil {
			t.Fatalf("create whose answer was lost: got %v, want it recognised as ours", err)
		}
		got, err := carts.Cart(ctx, c.ID)
		if err != nil || got.ETag != c.ETag {
			t.Fatalf("the created cart: got %+v, %v; want ETag %s", got, err, c.ETag)
		}
		// Another writer's cart with the same ID is still a conflict.
		other := newCart(now)
		other.ID, other.Currency = c.ID, "EUR"
		h.Add(faultproxy.Rule{Match: on("POST", "/colls/carts/docs"), Times: 1, Drop: true})
		if err := carts.CreateCart(ctx, other); commerce.ErrorKind(err) != commerce.KindConflict {
			t.Fatalf("create over another's cart: got %v, want conflict", err)
		}
	})

	t.Run("ReplaceAppliedAnswerLost", func(t *testing.T) {
		h, carts, _ := faulty(t)
		c := newCart(now)
		if err := carts.CreateCart(ctx, c); err != nil {
			t.Fatal(err)
		}
		etag := c.ETag
		c.Lines[0].Quantity = 2
		h.Add(faultproxy.Rule{Match: on("PUT", "/colls/carts/docs/"), Times: 1, Drop: true})
		if err := carts.ReplaceCart(ctx, c, etag); err != nil {
			t.Fatalf("replace whose answer was lost: got %v, want it recognised as ours", err)
		}
		got, err := carts.Cart(ctx, c.ID)
		if err != nil || got.Lines[0].Quantity != 2 || got.ETag != c.ETag {
			t.Fatalf("the replaced cart: got %+v, %v; want quantity 2 and ETag %s", got, err, c.ETag)
		}
		// A stale ETag is still refused.
		c.Lines[0].Quantity = 3
		if err := carts.ReplaceCart(ctx, c, etag); commerce.ErrorKind(err) != commerce.KindPrecondition {
			t.Fatalf("replace on a stale ETag: got %v, want precondition_failed", err)
		}
	})
}

func TestRetryPreferredRegions(t *testing.T) {
	if target.skip != "" {
		t.Skip(target.skip)
	}
	// The peer names its one region South Central US.
	cfg := cosmos.Config{Endpoint: target.endpoint, Key: target.key, Database: "regions", CartTTL: time.Hour, Getenv: os.Getenv,
		PreferredRegions: []string{"westeurope", "South Central US"}}
	client, err := cosmos.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db, err := cosmos.Open(context.Background(), client, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cosmos.NewCartStore(db).Cart(context.Background(), commerce.NewCartID()); commerce.ErrorKind(err) != commerce.KindNotFound {
		t.Fatalf("read with preferred regions: got %v, want not_found", err)
	}
}
