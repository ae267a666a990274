package cosmos_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"shopfn/handler/commerce"
	"shopfn/handler/cosmos"
)

// throttle answers 429 with x-ms-retry-after-ms to the first n requests
// for carts documents, without sending them, and counts every request.
type throttle struct {
	n, sent atomic.Int32
	after   string
}

func (p *throttle) Do(req *policy.Request) (*http.Response, error) {
	if !strings.Contains(req.Raw().URL.Path, "/colls/carts/docs/") {
		return req.Next()
	}
	p.sent.Add(1)
	if p.n.Add(-1) < 0 {
		return req.Next()
	}
	h := http.Header{"X-Ms-Retry-After-Ms": {p.after}, "Content-Type": {"application/json"}}
	return &http.Response{StatusCode: http.StatusTooManyRequests, Header: h, Request: req.Raw(),
		Body: io.NopCloser(strings.NewReader(`{"code":"TooManyRequests","message":"Request rate is large"}`))}, nil
}

func TestThrottling(t *testing.T) {
	if target.skip != "" {
		t.Skip(target.skip)
	}
	ctx := context.Background()
	open := func(p *throttle) *cosmos.CartStore {
		cfg := cosmos.Config{Endpoint: target.endpoint, Key: target.key, Database: "throttle", CartTTL: time.Hour,
			Getenv: os.Getenv, PerRetryPolicies: []policy.Policy{p}}
		client, err := cosmos.NewClient(cfg)
		if err != nil {
			t.Fatal(err)
		}
		db, err := cosmos.Open(ctx, client, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return cosmos.NewCartStore(db)
	}
	id := commerce.NewCartID()

	t.Run("RetriedAfterTheServersDelay", func(t *testing.T) {
		p := &throttle{after: "150"}
		p.n.Store(2)
		start := time.Now()
		_, err := open(p).Cart(ctx, id)
		if commerce.ErrorCode(err) != commerce.CodeNotFound {
			t.Fatalf("got %v, want not_found once the throttling stopped", err)
		}
		if got := p.sent.Load(); got != 3 {
			t.Errorf("got %d requests, want 3 (two throttled, one answered)", got)
		}
		if el := time.Since(start); el < 300*time.Millisecond {
			t.Errorf("retried after %v in all, want at least the 2 x 150 ms the service asked for", el)
		}
	})

	t.Run("UnavailableWhenItLasts", func(t *testing.T) {
		p := &throttle{after: "1"}
		p.n.Store(1000)
		_, err := open(p).Cart(ctx, id)
		if commerce.ErrorKind(err) != commerce.KindUnavailable {
			t.Fatalf("got %v, want KindUnavailable", err)
		}
		if got := p.sent.Load(); got < 2 {
			t.Errorf("got %d requests, want retries before giving up", got)
		}
	})
}
