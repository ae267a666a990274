package memstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"shopfn/handler/commerce"
)

// PriceListStore is the in-memory commerce.PriceListStore: each list as
// the JSON it would be stored as, with a version for conditional writes.
type PriceListStore struct {
	mu    sync.Mutex
	lists map[string]storedList
}

type storedList struct {
	doc     []byte
	version int64
}

var _ commerce.PriceListStore = (*PriceListStore)(nil)

// NewPriceListStore returns an empty PriceListStore.
func NewPriceListStore() *PriceListStore { return &PriceListStore{lists: map[string]storedList{}} }

// PutPriceList creates or replaces l; with ifMatch, only the version it names.
func (s *PriceListStore) PutPriceList(ctx context.Context, l *commerce.PriceList, ifMatch string) error {
	doc, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("memstore: encode price list: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.lists[l.ID]
	if ifMatch != "" && (!ok || ifMatch != listETag(old.version)) {
		return commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "price list %s has changed or is gone", l.ID)
	}
	s.lists[l.ID] = storedList{doc: doc, version: old.version + 1}
	l.ETag = listETag(old.version + 1)
	return nil
}

// PriceList returns a price list by ID.
func (s *PriceListStore) PriceList(ctx context.Context, id string) (*commerce.PriceList, error) {
	s.mu.Lock()
	sl, ok := s.lists[id]
	s.mu.Unlock()
	if !ok {
		return nil, commerce.NotFoundf("price list %q not found", id)
	}
	return sl.decode()
}

// PriceLists returns every price list in ID order.
func (s *PriceListStore) PriceLists(ctx context.Context) ([]commerce.PriceList, error) {
	s.mu.Lock()
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range s.lists {
			if !yield(id) {
				return
			}
		}
	})
	stored := make([]storedList, len(ids))
	for i, id := range ids {
		stored[i] = s.lists[id]
	}
	s.mu.Unlock()
	out := make([]commerce.PriceList, len(stored))
	for i, sl := range stored {
		l, err := sl.decode()
		if err != nil {
			return nil, err
		}
		out[i] = *l
	}
	return out, nil
}

// DeletePriceList removes a price list.
func (s *PriceListStore) DeletePriceList(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.lists[id]; !ok {
		return commerce.NotFoundf("price list %q not found", id)
	}
	delete(s.lists, id)
	return nil
}

func (sl storedList) decode() (*commerce.PriceList, error) {
	var l commerce.PriceList
	if err := json.NewDecoder(strings.NewReader(string(sl.doc))).Decode(&l); err != nil {
		return nil, fmt.Errorf("memstore: decode price list: %w", err)
	}
	if l.CustomerGroups == nil {
		l.CustomerGroups = []string{}
	}
	if l.Prices == nil {
		l.Prices = []commerce.ListPrice{}
	}
	l.ETag = listETag(sl.version)
	return &l, nil
}

func listETag(version int64) string { return fmt.Sprintf(`"%d"`, version) }
