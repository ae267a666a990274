package cosmos

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"
)

// readItem point-reads the item id in partition pk into v. Its error is
// azcosmos's, for the caller to inspect or translate.
func readItem(ctx context.Context, c *azcosmos.ContainerClient, pk, id string, v any) error {
	resp, err := c.ReadItem(ctx, azcosmos.NewPartitionKeyString(pk), id, nil)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(resp.Value, v); err != nil {
		return fmt.Errorf("cosmos: decode %s: %w", id, err)
	}
	return nil
}

// createItem creates an item from body. When a try that may have been
// applied failed and the retry answers 409, the item is read back: if it
// holds what body holds (system properties aside), the create was this
// caller's and succeeds with the stored item's ETag; otherwise the 409
// stands. Every item shopfn creates holds something no other writer's
// does (a new random ID, or the ID of the product claiming a key), so
// equal content means the same writer.
func createItem(ctx context.Context, c *azcosmos.ContainerClient, pk, id string, body []byte) (azcore.ETag, error) {
	ctx, note := withWriteNote(ctx)
	resp, err := c.CreateItem(ctx, azcosmos.NewPartitionKeyString(pk), body, nil)
	if err == nil {
		return resp.ETag, nil
	}
	if status(err) == http.StatusConflict && note.ambiguous.Load() {
		if etag, ok := storedAs(ctx, c, pk, id, body); ok {
			return etag, nil
		}
	}
	return "", err
}

// replaceItem replaces an item by body, conditionally on etag. When a try
// that may have been applied failed and the retry answers 412, the item
// is read back as createItem does: holding what body holds, the replace
// was this caller's (a lost race would leave another writer's content).
func replaceItem(ctx context.Context, c *azcosmos.ContainerClient, pk, id string, body []byte, etag string) (azcore.ETag, error) {
	ctx, note := withWriteNote(ctx)
	resp, err := c.ReplaceItem(ctx, azcosmos.NewPartitionKeyString(pk), id, body, ifMatch(etag))
	if err == nil {
		return resp.ETag, nil
	}
	if status(err) == http.StatusPreconditionFailed && note.ambiguous.Load() {
		if etag, ok := storedAs(ctx, c, pk, id, body); ok {
			return etag, nil
		}
	}
	return "", err
}

// storedAs reads the item id and reports whether it holds what body holds,
// Cosmos DB's system properties (_etag, _ts, _rid, ...) aside, with its ETag.
func storedAs(ctx context.Context, c *azcosmos.ContainerClient, pk, id string, body []byte) (azcore.ETag, bool) {
	resp, err := c.ReadItem(ctx, azcosmos.NewPartitionKeyString(pk), id, nil)
	if err != nil {
		return "", false
	}
	var stored, sent map[string]any
	if json.Unmarshal(resp.Value, &stored) != nil || json.Unmarshal(body, &sent) != nil {
		return "", false
	}
	for _, m := range []map[string]any{stored, sent} {
		for k := range m {
			if strings.HasPrefix(k, "_") {
				delete(m, k)
			}
		}
	}
	return resp.ETag, reflect.DeepEqual(stored, sent)
}

// ifMatch returns item options that make a write conditional on etag.
func ifMatch(etag string) *azcosmos.ItemOptions {
	e := azcore.ETag(etag)
	return &azcosmos.ItemOptions{IfMatchEtag: &e}
}

// batchIfMatch returns batch item options that make an operation
// conditional on etag.
func batchIfMatch(etag string) *azcosmos.TransactionalBatchItemOptions {
	e := azcore.ETag(etag)
	return &azcosmos.TransactionalBatchItemOptions{IfMatchETag: &e}
}

// notFound reports whether err is a 404 from Cosmos DB.
func notFound(err error) bool { return status(err) == http.StatusNotFound }

// query runs a query in partition pk (all partitions when pk is empty) and
// decodes every item into a T, stopping after max items (0: no limit).
func query[T any](ctx context.Context, c *azcosmos.ContainerClient, pk, q string, params []azcosmos.QueryParameter, max int) ([]T, error) {
	key := azcosmos.NewPartitionKey()
	if pk != "" {
		key = azcosmos.NewPartitionKeyString(pk)
	}
	pager := c.NewQueryItemsPager(q, key, &azcosmos.QueryOptions{QueryParameters: params})
	var out []T
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, raw := range page.Items {
			var v T
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, fmt.Errorf("cosmos: decode query result: %w", err)
			}
			out = append(out, v)
			if max > 0 && len(out) == max {
				return out, nil
			}
		}
	}
	return out, nil
}

// each runs f(i) for i in [0, n), at most limit at a time, and returns the
// first error.
func each(n, limit int, f func(i int) error) error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	sem := make(chan struct{}, limit)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = f(i)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// locations remembers where this instance last found the product a key
// names: a guess that saves the key's read, always checked against the
// product document.
type locations struct {
	mu sync.RWMutex
	m  map[string]location
}

// location is a product's ID and category.
type location struct{ id, category string }

// maxLocations bounds the remembered locations (SKU keys come from clients).
const maxLocations = 100_000

func (l *locations) get(key string) (location, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	loc, ok := l.m[key]
	return loc, ok
}

func (l *locations) put(key string, loc location) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil || len(l.m) >= maxLocations {
		l.m = make(map[string]location)
	}
	l.m[key] = loc
}

func (l *locations) drop(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, key)
}
