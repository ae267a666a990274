package memstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"shopfn/handler/commerce"
)

// CartStore is an in-memory commerce.CartStore: carts as JSON documents,
// each with a version for optimistic concurrency.
type CartStore struct {
	mu    sync.Mutex
	carts map[string]cart
}

// cart is a stored cart.
type cart struct {
	doc       []byte
	version   int64
	expiresAt time.Time
}

var _ commerce.CartStore = (*CartStore)(nil)

// NewCartStore returns an empty CartStore.
func NewCartStore() *CartStore { return &CartStore{carts: map[string]cart{}} }

// CreateCart stores a new cart and sets c.ETag. It returns KindConflict
// "conflict" when a cart with c.ID exists.
func (s *CartStore) CreateCart(ctx context.Context, c *commerce.Cart) error {
	doc, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("memstore: encode cart: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.carts[c.ID]; ok {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "cart %s exists", c.ID)
	}
	s.carts[c.ID] = cart{doc: doc, version: 1, expiresAt: c.ExpiresAt}
	c.ETag = cartETag(1)
	return nil
}

// Cart returns a copy of the cart with the given ID, expired or not, or
// "not_found".
func (s *CartStore) Cart(ctx context.Context, id string) (*commerce.Cart, error) {
	s.mu.Lock()
	sc, ok := s.carts[id]
	s.mu.Unlock()
	if !ok {
		return nil, commerce.NotFoundf("cart %s not found", id)
	}
	var c commerce.Cart
	if err := json.Unmarshal(sc.doc, &c); err != nil {
		return nil, fmt.Errorf("memstore: decode cart: %w", err)
	}
	c.ETag = cartETag(sc.version)
	return &c, nil
}

// ReplaceCart stores c over the cart c.ID if its ETag is still ifMatch, and
// sets c.ETag. It returns "not_found" when the cart is gone and
// "precondition_failed" when its ETag changed.
func (s *CartStore) ReplaceCart(ctx context.Context, c *commerce.Cart, ifMatch string) error {
	doc, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("memstore: encode cart: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, err := s.match(c.ID, ifMatch)
	if err != nil {
		return err
	}
	s.carts[c.ID] = cart{doc: doc, version: sc.version + 1, expiresAt: c.ExpiresAt}
	c.ETag = cartETag(sc.version + 1)
	return nil
}

// DeleteCart removes a cart if ifMatch is empty or still its ETag. It
// returns "not_found" when there is no such cart and "precondition_failed"
// when the ETag changed.
func (s *CartStore) DeleteCart(ctx context.Context, id, ifMatch string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ifMatch == "" {
		if _, ok := s.carts[id]; !ok {
			return commerce.NotFoundf("cart %s not found", id)
		}
	} else if _, err := s.match(id, ifMatch); err != nil {
		return err
	}
	delete(s.carts, id)
	return nil
}

// match returns the stored cart id if ifMatch is its ETag, "not_found" when
// there is none and "precondition_failed" otherwise. The caller holds s.mu.
func (s *CartStore) match(id, ifMatch string) (cart, error) {
	sc, ok := s.carts[id]
	if !ok {
		return cart{}, commerce.NotFoundf("cart %s not found", id)
	}
	version, err := strconv.ParseInt(strings.Trim(ifMatch, `"`), 10, 64)
	if err != nil || version != sc.version {
		return cart{}, commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "cart %s has changed", id)
	}
	return sc, nil
}

// DeleteExpiredCarts removes the carts that expired at or before now and
// returns how many it removed.
func (s *CartStore) DeleteExpiredCarts(ctx context.Context, now time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, sc := range s.carts {
		if !sc.expiresAt.After(now) {
			delete(s.carts, id)
			n++
		}
	}
	return n, nil
}

// cartETag is a cart's entity tag: its version, quoted.
func cartETag(version int64) string { return fmt.Sprintf(`"%d"`, version) }
