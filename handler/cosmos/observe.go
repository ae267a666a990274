package cosmos

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// Observer is told of every call shopfn makes to Cosmos DB (telemetry's
// *Metrics is one). op is bounded: "cosmos." and a verb and what it acts
// on, such as "cosmos.read products" or "cosmos.query carts", never an id.
type Observer interface {
	// StoreCall is told how long the call took, retries included, and
	// its error: the transport's, or the status of a 429 or 5xx the
	// retries did not get past. Other 4xx (404, 409, 412) are answers the
	// stores expect, not failures.
	StoreCall(op string, d time.Duration, err error)
	// RequestCharge is told the request units the service charged
	// (x-ms-request-charge); not called when a response has none.
	RequestCharge(op string, ru float64)
}

// observePolicy tells an Observer of each call. It runs once per call,
// before the retry policy, so latency is what the caller waits and the
// charge is the final response's.
type observePolicy struct {
	o   Observer
	now func() time.Time
}

// Do sends the request and tells the observer of it.
func (p observePolicy) Do(req *policy.Request) (*http.Response, error) {
	op := operation(req.Raw())
	start := p.now()
	resp, err := req.Next()
	d := p.now().Sub(start)
	if err == nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500) {
		p.o.StoreCall(op, d, fmt.Errorf("cosmos: %s: status %d", op, resp.StatusCode))
	} else {
		p.o.StoreCall(op, d, err)
	}
	if resp != nil {
		if ru, perr := strconv.ParseFloat(resp.Header.Get("x-ms-request-charge"), 64); perr == nil && ru >= 0 {
			p.o.RequestCharge(op, ru)
		}
	}
	return resp, err
}

// operation names a request by its verb and the resource it acts on, from
// its method, path (/dbs/DB/colls/COLL/docs/ID) and azcosmos's headers.
// Items are named by their container when it is one of shopfn's, so the
// names stay few whatever the ids.
func operation(r *http.Request) string {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(segs) == 1 && segs[0] == "" {
		segs = nil
	}
	noun := "account"
	if len(segs) > 0 {
		noun = map[string]string{"dbs": "database", "colls": "container", "docs": "item", "pkranges": "partition key ranges"}[segs[(len(segs)-1)/2*2]]
		if noun == "" {
			noun = "other"
		}
	}
	if noun == "item" && len(segs) >= 4 && (segs[3] == ProductsContainer || segs[3] == CartsContainer) {
		noun = segs[3]
	}
	feed := len(segs)%2 == 1 // /dbs/DB/colls/COLL/docs: the collection, not one resource
	verb := "other"
	switch r.Method {
	case http.MethodGet:
		verb = "read"
		if feed {
			verb = "list"
		}
	case http.MethodPost:
		switch {
		case strings.EqualFold(r.Header.Get("x-ms-documentdb-query"), "true"):
			verb = "query"
		case strings.EqualFold(r.Header.Get("x-ms-cosmos-is-batch-request"), "true"):
			verb = "batch"
		case strings.EqualFold(r.Header.Get("x-ms-documentdb-is-upsert"), "true"):
			verb = "upsert"
		default:
			verb = "create"
		}
	case http.MethodPut:
		verb = "replace"
	case http.MethodPatch:
		verb = "patch"
	case http.MethodDelete:
		verb = "delete"
	}
	return "cosmos." + verb + " " + noun
}
