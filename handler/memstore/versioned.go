package memstore

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"shopfn/handler/commerce"
)

// versioned holds small documents of type T by key, as the JSON they would
// be stored as, with a version for conditional writes: the shape of
// shipping options and tax rates.
type versioned[T any] struct {
	what string // for errors: "shipping option"
	mu   sync.Mutex
	docs map[string]storedList
}

func newVersioned[T any](what string) *versioned[T] {
	return &versioned[T]{what: what, docs: map[string]storedList{}}
}

// put stores v under key; with ifMatch, only over the version it names.
// It returns the new ETag.
func (s *versioned[T]) put(key string, v *T, ifMatch string) (string, error) {
	doc, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("memstore: encode %s: %w", s.what, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.docs[key]
	if ifMatch != "" && (!ok || ifMatch != listETag(old.version)) {
		return "", commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "%s %s has changed or is gone", s.what, key)
	}
	s.docs[key] = storedList{doc: doc, version: old.version + 1}
	return listETag(old.version + 1), nil
}

// get returns the document under key and its ETag.
func (s *versioned[T]) get(key string) (*T, string, error) {
	s.mu.Lock()
	sl, ok := s.docs[key]
	s.mu.Unlock()
	if !ok {
		return nil, "", commerce.NotFoundf("%s %q not found", s.what, key)
	}
	var v T
	if err := json.Unmarshal(sl.doc, &v); err != nil {
		return nil, "", fmt.Errorf("memstore: decode %s: %w", s.what, err)
	}
	return &v, listETag(sl.version), nil
}

// keys returns every key in order.
func (s *versioned[T]) keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.docs))
	for k := range s.docs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// all returns every document in key order, each with its ETag, through set.
func (s *versioned[T]) all(set func(v *T, etag string)) ([]T, error) {
	var out []T
	for _, k := range s.keys() {
		v, etag, err := s.get(k)
		if commerce.ErrorCode(err) == commerce.CodeNotFound {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		set(v, etag)
		out = append(out, *v)
	}
	if out == nil {
		out = []T{}
	}
	return out, nil
}

// delete removes the document under key.
func (s *versioned[T]) delete(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.docs[key]; !ok {
		return commerce.NotFoundf("%s %q not found", s.what, key)
	}
	delete(s.docs, key)
	return nil
}
