package cosmos

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"shopfn/handler/commerce"
)

// claimGrace is how long a key whose product does not hold it is honoured
// after it was written: long enough for the writer that claimed it to write
// the product. claimDeadline is how long that writer may take, with a wide
// margin for clock skew between instances. (A variable for tests.)
var claimGrace = 5 * time.Minute

const claimDeadline = time.Minute

// claim claims keys for their product, one after the other. It returns the
// keys it created or took over (not those the product already held), or an
// error after releasing them: handle_taken, sku_taken or conflict when a
// key belongs to another product.
func (s *CatalogStore) claim(ctx context.Context, keys []keyDoc) ([]keyDoc, error) {
	var claimed []keyDoc
	for _, k := range keys {
		got, err := s.claimOne(ctx, k)
		if err != nil {
			s.release(ctx, claimed)
			return nil, err
		}
		if got != nil {
			claimed = append(claimed, *got)
		}
	}
	return claimed, nil
}

// claimOne creates key k; when it exists for another product that no
// longer holds it and claimGrace has passed, it takes it over with a
// replace conditional on its ETag. It returns nil when k's product already
// held it.
func (s *CatalogStore) claimOne(ctx context.Context, k keyDoc) (*keyDoc, error) {
	body, err := json.Marshal(k)
	if err != nil {
		return nil, err
	}
	for attempt := 1; attempt <= 3; attempt++ {
		etag, err := createItem(ctx, s.c, k.PK, k.ID, body)
		if err == nil {
			k.ETag = string(etag)
			return &k, nil
		}
		if status(err) != http.StatusConflict {
			return nil, translate(err, "claim "+k.ID)
		}
		var cur keyDoc
		if err := readItem(ctx, s.c, k.PK, k.ID, &cur); notFound(err) {
			continue // released meanwhile
		} else if err != nil {
			return nil, translate(err, "claim "+k.ID)
		}
		if cur.ProductID == k.ProductID {
			return nil, nil
		}
		free, err := s.orphaned(ctx, cur)
		if err != nil {
			return nil, err
		}
		if !free {
			return nil, taken(k)
		}
		etag, err = replaceItem(ctx, s.c, k.PK, k.ID, body, cur.ETag)
		if err == nil {
			k.ETag = string(etag)
			return &k, nil
		}
		if !notFound(err) && status(err) != http.StatusPreconditionFailed {
			return nil, translate(err, "claim "+k.ID)
		}
	}
	return nil, taken(k)
}

// orphaned reports whether key k may be taken over: its product does not
// hold it (deleted, changed, or never written) and claimGrace has passed
// since k was written.
func (s *CatalogStore) orphaned(ctx context.Context, k keyDoc) (bool, error) {
	d, err := s.productOf(ctx, k)
	switch {
	case err == nil && d.holds(k):
		return false, nil
	case err != nil && commerce.ErrorKind(err) != commerce.KindNotFound:
		return false, err
	}
	return time.Since(time.Unix(k.TS, 0)) > claimGrace, nil
}

// taken is the error for a key that belongs to another product.
func taken(k keyDoc) error {
	kind, value, _ := strings.Cut(k.ID, ":")
	switch kind {
	case keyHandle:
		return commerce.Errorf(commerce.KindConflict, commerce.CodeHandleTaken, "handle %q belongs to another product", value)
	case keySKU:
		e := commerce.Errorf(commerce.KindConflict, commerce.CodeSKUTaken, "sku %q belongs to another product", value)
		e.SKUs = []string{value}
		return e
	}
	return commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "product %s exists", value)
}

// claimedInTime fails when more than claimDeadline passed since start, the
// moment the keys were claimed: another writer may take them over soon.
func claimedInTime(start time.Time) error {
	if time.Since(start) > claimDeadline {
		return commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "claiming the product's keys took too long; retry")
	}
	return nil
}

// release deletes keys this writer claimed, each conditional on the ETag it
// got, so a key someone took over since stays. Failures leave orphaned
// keys, which the next claimant takes over.
func (s *CatalogStore) release(ctx context.Context, keys []keyDoc) {
	for _, k := range keys {
		s.c.DeleteItem(ctx, azcosmos.NewPartitionKeyString(k.PK), k.ID, ifMatch(k.ETag))
		s.locs.drop(k.ID)
	}
}

// releaseIfOwned deletes the keys that still name product id.
func (s *CatalogStore) releaseIfOwned(ctx context.Context, id string, keys []keyDoc) {
	var owned []keyDoc
	for _, k := range keys {
		var cur keyDoc
		if err := readItem(ctx, s.c, k.PK, k.ID, &cur); err == nil && cur.ProductID == id {
			owned = append(owned, cur)
		}
	}
	s.release(ctx, owned)
}

// writeKey replaces key k conditionally on etag.
func (s *CatalogStore) writeKey(ctx context.Context, k keyDoc, etag string) error {
	k.ETag, k.TS = "", 0
	body, err := json.Marshal(k)
	if err != nil {
		return err
	}
	_, err = replaceItem(ctx, s.c, k.PK, k.ID, body, etag)
	return err
}
