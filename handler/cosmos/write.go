package cosmos

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
)

// maxAttempts bounds the retries of a write that lost a race it may retry
// (a count document changed, or a replace without If-Match).
const maxAttempts = 8

// CreateProduct claims p's ID, handle and SKUs, then stores p with its
// category's count.
func (s *CatalogStore) CreateProduct(ctx context.Context, p *commerce.Product) error {
	d := toProductDoc(p)
	d.Version = 1
	ev, err := newEventDoc(s.Events, events.ProductCreated, d.Category, p.ID, d.Version, events.ProductFrom(*p))
	if err != nil {
		return err
	}
	keys := append([]keyDoc{newKey(keyProduct, p.ID, p.ID, p.Category)}, d.keys()...)
	start := time.Now()
	claimed, err := s.claim(ctx, keys)
	if err != nil {
		return err
	}
	if err := claimedInTime(start); err != nil {
		s.release(ctx, claimed)
		return err
	}
	total, active := d.counts()
	etag, err := s.commit(ctx, d.Category, func(b *azcosmos.TransactionalBatch) error {
		if err := batchWrite(b, "create", &d, ""); err != nil {
			return err
		}
		return ev.add(b)
	}, total, active)
	if err != nil {
		s.release(ctx, claimed)
		if commerce.ErrorKind(err) == commerce.KindConflict {
			return commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "product %s exists", p.ID)
		}
		return err
	}
	p.ETag = etag
	return nil
}

// ReplaceProduct claims p's new handle and SKUs, replaces the product
// conditionally on its ETag (moving it when its category changes), then
// releases the keys it no longer holds.
func (s *CatalogStore) ReplaceProduct(ctx context.Context, p *commerce.Product, ifMatch string) error {
	for attempt := 1; ; attempt++ {
		cur, err := s.resolve(ctx, keyProduct, p.ID)
		if err != nil {
			return err
		}
		if ifMatch != "" && ifMatch != cur.ETag {
			return commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "product %s has changed", p.ID)
		}
		d := toProductDoc(p)
		d.Version = cur.Version + 1
		ev, err := newEventDoc(s.Events, events.ProductUpdated, cur.Category, p.ID, d.Version, events.ProductFrom(*p))
		if err != nil {
			return err
		}
		var fresh []keyDoc
		for _, k := range d.keys() {
			if !cur.holds(k) {
				fresh = append(fresh, k)
			}
		}
		start := time.Now()
		claimed, err := s.claim(ctx, fresh)
		if err != nil {
			return err
		}
		if err := claimedInTime(start); err != nil {
			s.release(ctx, claimed)
			return err
		}
		var etag string
		if d.Category == cur.Category {
			t0, a0 := cur.counts()
			t1, a1 := d.counts()
			etag, err = s.commit(ctx, d.Category, func(b *azcosmos.TransactionalBatch) error {
				if err := batchWrite(b, "replace", &d, cur.ETag); err != nil {
					return err
				}
				return ev.add(b)
			}, t1-t0, a1-a0)
		} else {
			var recorded bool
			if etag, recorded, err = s.move(ctx, cur, &d, ev); err != nil && recorded {
				// The moving document holds d: whoever meets it finishes the
				// move, and d's keys must stay claimed for it.
				return err
			}
		}
		if err != nil {
			s.release(ctx, claimed)
			if commerce.ErrorKind(err) == commerce.KindPrecondition && ifMatch == "" && attempt < maxAttempts {
				continue // another writer won; without If-Match the last write wins
			}
			return err
		}
		var stale []keyDoc
		for _, k := range cur.keys() {
			if !d.holds(k) {
				stale = append(stale, k)
			}
		}
		s.releaseIfOwned(ctx, p.ID, stale)
		p.ETag = etag
		return nil
	}
}

// DeleteProduct deletes the product with its category's count, then its keys.
func (s *CatalogStore) DeleteProduct(ctx context.Context, id string) error {
	for attempt := 1; ; attempt++ {
		cur, err := s.resolve(ctx, keyProduct, id)
		if err != nil {
			return err
		}
		total, active := cur.counts()
		ev, err := newEventDoc(s.Events, events.ProductDeleted, cur.Category, id, cur.Version+1, events.ProductDeletedData{ID: id, DeletedAt: time.Now().UTC()})
		if err != nil {
			return err
		}
		_, err = s.commit(ctx, cur.Category, func(b *azcosmos.TransactionalBatch) error {
			b.DeleteItem(cur.ID, batchIfMatch(cur.ETag))
			return ev.add(b)
		}, -total, -active)
		if commerce.ErrorKind(err) == commerce.KindPrecondition && attempt < maxAttempts {
			continue
		}
		if err != nil {
			return err
		}
		s.releaseIfOwned(ctx, id, append(cur.keys(), newKey(keyProduct, id, id, cur.Category)))
		return nil
	}
}

// move replaces cur, conditionally on its ETag, by a moving document that
// holds d (lowering cur's category's count) with the pending event ev,
// then finishes the move. recorded says the moving document was written,
// so that the move will complete even when finishing it here failed.
func (s *CatalogStore) move(ctx context.Context, cur, d *productDoc, ev *eventDoc) (etag string, recorded bool, err error) {
	m, err := s.beginMove(ctx, cur, d, ev)
	if err != nil {
		return "", false, err
	}
	etag, err = s.finishMove(ctx, m)
	return etag, true, err
}

// beginMove replaces cur, conditionally on its ETag, by a moving document
// that holds d, lowering cur's category's count, and writes the pending
// event ev in the same batch; it returns the moving document.
func (s *CatalogStore) beginMove(ctx context.Context, cur, d *productDoc, ev *eventDoc) (*productDoc, error) {
	m := *cur
	m.Type, m.Next, m.ETag = typeMoving, d, ""
	total, active := cur.counts()
	etag, err := s.commit(ctx, cur.Category, func(b *azcosmos.TransactionalBatch) error {
		if err := batchWrite(b, "replace", &m, cur.ETag); err != nil {
			return err
		}
		return ev.add(b)
	}, -total, -active)
	if err != nil {
		return nil, err
	}
	m.ETag = etag
	return &m, nil
}

// finishMove completes the move that the moving document m records: it
// creates the product in its new category (raising that count; already
// there is fine), points the id key there, and deletes m. It returns the
// new document's ETag. Any reader or writer that meets m may call it.
func (s *CatalogStore) finishMove(ctx context.Context, m *productDoc) (string, error) {
	n := *m.Next
	n.ETag = ""
	total, active := n.counts()
	etag, err := s.commit(ctx, n.Category, func(b *azcosmos.TransactionalBatch) error {
		return batchWrite(b, "create", &n, "")
	}, total, active)
	if commerce.ErrorKind(err) == commerce.KindConflict {
		var there productDoc
		if err := readItem(ctx, s.c, n.Category, n.ID, &there); err != nil {
			return "", translate(err, "product "+n.ID)
		}
		etag = there.ETag
	} else if err != nil {
		return "", err
	}
	idk := newKey(keyProduct, n.ID, "", "")
	if err := readItem(ctx, s.c, idk.PK, idk.ID, &idk); err != nil {
		return "", translate(err, "product key "+n.ID)
	}
	if idk.Category == m.Category {
		next := newKey(keyProduct, n.ID, n.ID, n.Category)
		if err := s.writeKey(ctx, next, idk.ETag); err != nil && status(err) != http.StatusPreconditionFailed {
			return "", translate(err, "product key "+n.ID)
		}
	}
	_, err = s.c.DeleteItem(ctx, azcosmos.NewPartitionKeyString(m.Category), m.ID, ifMatch(m.ETag))
	if err != nil && !notFound(err) && status(err) != http.StatusPreconditionFailed {
		return "", translate(err, "finish moving product "+m.ID)
	}
	return etag, nil
}

// batchWrite adds the write of d to b: "create", or "replace" conditional
// on etag.
func batchWrite(b *azcosmos.TransactionalBatch, op string, d *productDoc, etag string) error {
	body, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("cosmos: encode product %s: %w", d.ID, err)
	}
	if op == "create" {
		b.CreateItem(body, nil)
	} else {
		b.ReplaceItem(d.ID, body, batchIfMatch(etag))
	}
	return nil
}

// commit runs, in one transactional batch in category's partition, the
// change of the category's counts (the count document replaced
// conditionally on its ETag, or created) and the product operation write
// adds. A lost race on the count document is retried; a failed product
// operation is translated. It returns the ETag the product operation
// produced. (The count goes first: on the service the order is immaterial,
// and on a peer without atomic batches the common failure, a count race,
// then writes nothing.)
func (s *CatalogStore) commit(ctx context.Context, category string, write func(*azcosmos.TransactionalBatch) error, dTotal, dActive int) (string, error) {
	pk := azcosmos.NewPartitionKeyString(category)
	for attempt := 1; ; attempt++ {
		b := s.c.NewTransactionalBatch(pk)
		counted := dTotal != 0 || dActive != 0
		if counted {
			if err := s.addCount(ctx, &b, category, dTotal, dActive); err != nil {
				return "", err
			}
		}
		if err := write(&b); err != nil {
			return "", err
		}
		resp, err := s.c.ExecuteTransactionalBatch(ctx, b, nil)
		if err != nil {
			return "", translate(err, "write products in "+category)
		}
		etag, retry, err := commitResult(resp, counted, category)
		if retry && attempt < maxAttempts {
			continue
		}
		return etag, err
	}
}

// commitResult interprets the response of commit's batch: the product
// operation's ETag, or whether the count document's race calls for a retry,
// or the product operation's error.
func commitResult(resp azcosmos.TransactionalBatchResponse, counted bool, category string) (etag string, retry bool, err error) {
	op := 0
	if counted {
		op = 1
	}
	i, code := batchFailure(resp)
	switch {
	case i < 0 && op < len(resp.OperationResults):
		return string(resp.OperationResults[op].ETag), false, nil
	case i < 0:
		return "", false, fmt.Errorf("cosmos: batch in %s answered %d results for %d operations", category, len(resp.OperationResults), op+1)
	case i == op:
		return "", false, statusError(code, "product in "+category, nil)
	case counted && i == 0 && (code == http.StatusPreconditionFailed || code == http.StatusConflict):
		return "", true, statusError(code, "category count of "+category, nil)
	}
	return "", false, statusError(code, "category count of "+category, nil)
}

// addCount adds to b the change of category's count document.
func (s *CatalogStore) addCount(ctx context.Context, b *azcosmos.TransactionalBatch, category string, dTotal, dActive int) error {
	var c countDoc
	err := readItem(ctx, s.c, category, countID, &c)
	if err != nil && !notFound(err) {
		return translate(err, "category count of "+category)
	}
	etag := c.ETag
	c = countDoc{ID: countID, Category: category, Type: typeCount, Total: c.Total + dTotal, Active: c.Active + dActive}
	body, jerr := json.Marshal(c)
	if jerr != nil {
		return jerr
	}
	if err != nil {
		b.CreateItem(body, nil)
	} else {
		b.ReplaceItem(countID, body, batchIfMatch(etag))
	}
	return nil
}
