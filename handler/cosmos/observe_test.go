package cosmos_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/google/go-cmp/cmp"

	"shopfn/handler/cosmos"
	"shopfn/handler/storetest"
)

// call is one StoreCall or RequestCharge an observer was told of.
type call struct {
	Op     string
	Failed bool
	RU     float64
}

// recorder is a cosmos.Observer that keeps what it is told.
type recorder struct {
	mu             sync.Mutex
	calls, charges []call
}

func (r *recorder) StoreCall(op string, d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call{Op: op, Failed: err != nil})
}

func (r *recorder) RequestCharge(op string, ru float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.charges = append(r.charges, call{Op: op, RU: ru})
}

// take returns what r was told since the last take and forgets it.
func (r *recorder) take() (calls, charges []call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	calls, charges = r.calls, r.charges
	r.calls, r.charges = nil, nil
	return calls, charges
}

// On the peer, which answers every request with x-ms-request-charge: 1, a
// product read is one call named for its container, with its charge.
func TestObserverOnPeer(t *testing.T) {
	if target.skip != "" {
		t.Skip(target.skip)
	}
	ctx := context.Background()
	rec := &recorder{}
	s := cosmos.NewCatalogStore(mustOpenConfig(t, cosmos.Config{Endpoint: target.endpoint, Key: target.key, Observer: rec}))
	p := storetest.NewProduct(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC), "lamp", "home", "LAMP-1")
	if err := s.CreateProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Product(ctx, p.ID); err != nil { // learns where the product is
		t.Fatal(err)
	}
	if calls, _ := rec.take(); len(calls) == 0 {
		t.Fatal("creating and reading a product: observer told of no call")
	}

	if _, err := s.Product(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	calls, charges := rec.take()
	if diff := cmp.Diff([]call{{Op: "cosmos.read products"}}, calls); diff != "" {
		t.Errorf("calls of a product read (-want +got):\n%s", diff)
	}
	if len(charges) != 1 || charges[0].Op != "cosmos.read products" || charges[0].RU <= 0 {
		t.Errorf("charges of a product read: got %+v, want one positive charge of cosmos.read products", charges)
	}

	if _, err := s.Product(ctx, "missing"); err == nil {
		t.Fatal("read of a missing product: got no error")
	}
	calls, _ = rec.take()
	if diff := cmp.Diff([]call{{Op: "cosmos.read products"}}, calls); diff != "" {
		t.Errorf("a 404 is an answer, not a failed call (-want +got):\n%s", diff)
	}
}

// fakeTransport answers every request with a status and headers.
type fakeTransport struct {
	status int
	header http.Header
}

func (f fakeTransport) Do(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: f.status, Header: f.header, Body: io.NopCloser(strings.NewReader("{}")), Request: req}, nil
}

// The observer policy on recorded responses: the charge as the service
// reports it, none when it reports none, and failures only for 429 and 5xx.
func TestObservePolicy(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		charge      string
		wantCall    call
		wantCharges []call
	}{
		{"Charged", 200, "2.86", call{Op: "cosmos.read carts"}, []call{{Op: "cosmos.read carts", RU: 2.86}}},
		{"NotFound", 404, "1", call{Op: "cosmos.read carts"}, []call{{Op: "cosmos.read carts", RU: 1}}},
		{"NoCharge", 200, "", call{Op: "cosmos.read carts"}, nil},
		{"Throttled", 429, "0", call{Op: "cosmos.read carts", Failed: true}, []call{{Op: "cosmos.read carts", RU: 0}}},
		{"Unavailable", 503, "", call{Op: "cosmos.read carts", Failed: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			h := http.Header{}
			if tt.charge != "" {
				h.Set("x-ms-request-charge", tt.charge)
			}
			pl := runtime.NewPipeline("test", "v0", runtime.PipelineOptions{PerCall: []policy.Policy{cosmos.ObservePolicy(rec)}},
				&policy.ClientOptions{Transport: fakeTransport{tt.status, h}, Retry: policy.RetryOptions{MaxRetries: -1}})
			req, err := runtime.NewRequest(context.Background(), http.MethodGet, "http://127.0.0.1:1/dbs/d/colls/carts/docs/c1")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pl.Do(req); err != nil {
				t.Fatal(err)
			}
			calls, charges := rec.take()
			if diff := cmp.Diff([]call{tt.wantCall}, calls); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantCharges, charges); diff != "" {
				t.Errorf("charges (-want +got):\n%s", diff)
			}
		})
	}
}

// Operations are named by verb and resource, never by an id.
func TestOperation(t *testing.T) {
	tests := []struct {
		method, path string
		header       string // a header set to "True"
		want         string
	}{
		{"GET", "/", "", "cosmos.read account"},
		{"GET", "/dbs/shop", "", "cosmos.read database"},
		{"POST", "/dbs", "", "cosmos.create database"},
		{"GET", "/dbs/shop/colls/carts", "", "cosmos.read container"},
		{"PUT", "/dbs/shop/colls/carts", "", "cosmos.replace container"},
		{"GET", "/dbs/shop/colls/products/pkranges", "", "cosmos.list partition key ranges"},
		{"GET", "/dbs/shop/colls/products/docs/p-123", "", "cosmos.read products"},
		{"GET", "/dbs/shop/colls/other/docs/x", "", "cosmos.read item"},
		{"PUT", "/dbs/shop/colls/carts/docs/c-9", "", "cosmos.replace carts"},
		{"DELETE", "/dbs/shop/colls/carts/docs/c-9", "", "cosmos.delete carts"},
		{"PATCH", "/dbs/shop/colls/carts/docs/c-9", "", "cosmos.patch carts"},
		{"POST", "/dbs/shop/colls/carts/docs", "", "cosmos.create carts"},
		{"POST", "/dbs/shop/colls/carts/docs", "x-ms-documentdb-is-upsert", "cosmos.upsert carts"},
		{"POST", "/dbs/shop/colls/products/docs", "x-ms-documentdb-query", "cosmos.query products"},
		{"POST", "/dbs/shop/colls/products/docs", "x-ms-cosmos-is-batch-request", "cosmos.batch products"},
		{"GET", "/dbs/shop/colls/products/docs", "", "cosmos.list products"},
		{"GET", "/dbs/shop/users/u1", "", "cosmos.read other"},
	}
	for _, tt := range tests {
		r, err := http.NewRequest(tt.method, "https://acct.documents.azure.com:443"+tt.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if tt.header != "" {
			r.Header.Set(tt.header, "True")
		}
		if got := cosmos.Operation(r); got != tt.want {
			t.Errorf("%s %s %s: got %q, want %q", tt.method, tt.path, tt.header, got, tt.want)
		}
	}
}
