package memstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"shopfn/handler/commerce"
)

// PromotionStore is the in-memory commerce.PromotionStore, on the DB whose
// checkouts reserve its redemptions.
type PromotionStore struct {
	db *DB
}

var _ commerce.PromotionStore = (*PromotionStore)(nil)

// NewPromotionStore returns a PromotionStore on db.
func NewPromotionStore(db *DB) *PromotionStore { return &PromotionStore{db: db} }

// promoState is what a DB holds of promotions.
type promoState struct {
	byID        map[string]*promoRow
	byCode      map[string]string        // code key -> promotion ID
	redemptions map[redemptionKey]string // -> status (reserved, used, released, returned)
	customers   map[customerPromoKey]int64
	owners      map[redemptionKey]string // -> the customer of a redemption
}

// promoRow is a stored promotion: its document, version, usage limit
// and, with a limit only, its counters (as sqlstore keeps them: without
// one, they are counted from the redemptions).
type promoRow struct {
	doc     []byte
	version int64
	limit   *int64
	used    int64
	// reserved counts held redemptions.
	reserved int64
}

// counts returns promotion id's used and reserved redemptions, counted;
// the caller holds db.mu.
func (ps *promoState) counts(id string) (used, reserved int64) {
	for k, status := range ps.redemptions {
		if k.promotion != id {
			continue
		}
		switch status {
		case "used":
			used++
		case "reserved":
			reserved++
		}
	}
	return used, reserved
}

// promotion decodes promotion id's row with its counters; the caller
// holds db.mu.
func (ps *promoState) promotion(id string, r *promoRow) (*commerce.Promotion, error) {
	p, err := r.promotion()
	if err != nil || r.limit != nil {
		return p, err
	}
	p.Used, p.Reserved = ps.counts(id)
	return p, nil
}

type redemptionKey struct{ checkout, promotion string }

type customerPromoKey struct{ promotion, customer string }

// init makes the maps; the caller holds db.mu.
func (ps *promoState) init() {
	if ps.byID == nil {
		ps.byID, ps.byCode = map[string]*promoRow{}, map[string]string{}
		ps.redemptions, ps.customers, ps.owners = map[redemptionKey]string{}, map[customerPromoKey]int64{}, map[redemptionKey]string{}
	}
}

func encodePromo(p *commerce.Promotion) ([]byte, error) {
	d := *p
	d.Used, d.Reserved, d.ETag = 0, 0, ""
	doc, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("memstore: encode promotion %s: %w", p.ID, err)
	}
	return doc, nil
}

// promotion decodes a row; the caller holds db.mu.
func (r *promoRow) promotion() (*commerce.Promotion, error) {
	var p commerce.Promotion
	if err := json.Unmarshal(r.doc, &p); err != nil {
		return nil, fmt.Errorf("memstore: decode promotion: %w", err)
	}
	p.Used, p.Reserved, p.ETag = r.used, r.reserved, `"`+strconv.FormatInt(r.version, 10)+`"`
	return &p, nil
}

// CreatePromotion stores p, or returns "code_taken".
func (s *PromotionStore) CreatePromotion(ctx context.Context, p *commerce.Promotion) error {
	doc, err := encodePromo(p)
	if err != nil {
		return err
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	ps := &s.db.promos
	ps.init()
	if _, ok := ps.byCode[p.CodeKey()]; ok {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeCodeTaken, "another promotion has the code %q", p.Code)
	}
	if _, ok := ps.byID[p.ID]; ok {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "promotion %s exists", p.ID)
	}
	ps.byID[p.ID] = &promoRow{doc: doc, version: 1, limit: p.UsageLimit}
	ps.byCode[p.CodeKey()] = p.ID
	p.ETag, p.Used, p.Reserved = `"1"`, 0, 0
	return nil
}

// UpdatePromotion replaces p's document when its version is ifMatch's.
func (s *PromotionStore) UpdatePromotion(ctx context.Context, p *commerce.Promotion, ifMatch string) error {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	ps := &s.db.promos
	ps.init()
	row, ok := ps.byID[p.ID]
	if !ok {
		return commerce.NotFoundf("promotion %q not found", p.ID)
	}
	if strconv.FormatInt(row.version, 10) != strings.Trim(ifMatch, `"`) {
		return commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "promotion %s has changed", p.ID)
	}
	stored, err := row.promotion()
	if err != nil {
		return err
	}
	p.Code = stored.Code
	doc, err := encodePromo(p)
	if err != nil {
		return err
	}
	row.doc, row.version, row.limit = doc, row.version+1, p.UsageLimit
	if row.limit != nil {
		// Limited, perhaps from now on: counted again.
		row.used, row.reserved = ps.counts(p.ID)
	}
	got, err := ps.promotion(p.ID, row)
	if err != nil {
		return err
	}
	p.ETag, p.Used, p.Reserved = got.ETag, got.Used, got.Reserved
	return nil
}

// Promotion returns a promotion by ID.
func (s *PromotionStore) Promotion(ctx context.Context, id string) (*commerce.Promotion, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	row, ok := s.db.promos.byID[id]
	if !ok {
		return nil, commerce.NotFoundf("promotion %q not found", id)
	}
	return s.db.promos.promotion(id, row)
}

// Promotions returns every promotion by ID.
func (s *PromotionStore) Promotions(ctx context.Context) ([]commerce.Promotion, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	ids := make([]string, 0, len(s.db.promos.byID))
	for id := range s.db.promos.byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := []commerce.Promotion{}
	for _, id := range ids {
		p, err := s.db.promos.promotion(id, s.db.promos.byID[id])
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, nil
}
