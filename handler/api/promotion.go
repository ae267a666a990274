package api

import (
	"encoding/json"
	"net/http"
	"time"

	"shopfn/handler/commerce"
)

var errNoPromotions = commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "promotions are not available on this server")

// promotionInput is the body of POST /api/admin/promotions.
type promotionInput struct {
	Code             string                   `json:"code"`
	Automatic        bool                     `json:"automatic"`
	StartsAt         *time.Time               `json:"startsAt"`
	EndsAt           *time.Time               `json:"endsAt"`
	Currency         string                   `json:"currency"`
	Rules            commerce.PromotionRules  `json:"rules"`
	Action           commerce.PromotionAction `json:"action"`
	Stacking         string                   `json:"stacking"`
	Priority         int                      `json:"priority"`
	UsageLimit       *int64                   `json:"usageLimit"`
	PerCustomerLimit *int64                   `json:"perCustomerLimit"`
	Refundable       bool                     `json:"refundable"`
	Status           string                   `json:"status"`
}

// parsePromotion decodes and validates a new promotion. A missing status
// means active; stacking, stack; target, order.
func parsePromotion(data []byte, now time.Time) (*commerce.Promotion, error) {
	var in promotionInput
	if err := decodeJSON(data, &in); err != nil {
		return nil, err
	}
	p := &commerce.Promotion{ID: commerce.NewPromotionID(now), Code: in.Code, Automatic: in.Automatic, StartsAt: utc(in.StartsAt), EndsAt: utc(in.EndsAt),
		Currency: in.Currency, Rules: in.Rules, Action: in.Action, Stacking: in.Stacking, Priority: in.Priority,
		UsageLimit: in.UsageLimit, PerCustomerLimit: in.PerCustomerLimit, Refundable: in.Refundable, Status: in.Status}
	if p.Status == "" {
		p.Status = commerce.PricingActive
	}
	if p.Stacking == "" {
		p.Stacking = commerce.StackingStack
	}
	if p.Action.Target == "" {
		p.Action.Target = commerce.TargetOrder
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// utc returns t in UTC, or nil.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// promotionPatch is the body of PATCH /api/admin/promotions/{id}: a
// field left out keeps its value; null clears a date or a limit.
type promotionPatch struct {
	StartsAt         json.RawMessage `json:"startsAt"`
	EndsAt           json.RawMessage `json:"endsAt"`
	UsageLimit       json.RawMessage `json:"usageLimit"`
	PerCustomerLimit json.RawMessage `json:"perCustomerLimit"`
	Status           *string         `json:"status"`
	Refundable       *bool           `json:"refundable"`
	Priority         *int            `json:"priority"`
}

// apply changes p as the patch says.
func (in *promotionPatch) apply(p *commerce.Promotion) error {
	for _, f := range []struct {
		raw json.RawMessage
		to  any
	}{{in.StartsAt, &p.StartsAt}, {in.EndsAt, &p.EndsAt}, {in.UsageLimit, &p.UsageLimit}, {in.PerCustomerLimit, &p.PerCustomerLimit}} {
		if len(f.raw) == 0 {
			continue
		}
		if err := json.Unmarshal(f.raw, f.to); err != nil {
			return commerce.Invalidf(commerce.CodeInvalidRequest, "malformed JSON body: %v", err)
		}
	}
	p.StartsAt, p.EndsAt = utc(p.StartsAt), utc(p.EndsAt)
	if in.Status != nil {
		p.Status = *in.Status
	}
	if in.Refundable != nil {
		p.Refundable = *in.Refundable
	}
	if in.Priority != nil {
		p.Priority = *in.Priority
	}
	return p.Validate()
}

func (s *Server) createPromotion(w http.ResponseWriter, r *http.Request) error {
	if s.Promotions == nil {
		return errNoPromotions
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	p, err := parsePromotion(body, s.cfg.Now())
	if err != nil {
		return err
	}
	// The bound keeps the cache that prices carts small; a race past it by
	// a few promotions costs memory, not money.
	all, err := s.Promotions.Promotions(r.Context())
	if err != nil {
		return err
	}
	if len(all) >= commerce.MaxPromotions {
		return commerce.Rulef(commerce.CodeTooManyPromotions, "a shop holds at most %d promotions; set one to draft or reuse it", commerce.MaxPromotions)
	}
	if err := s.Promotions.CreatePromotion(r.Context(), p); err != nil {
		return err
	}
	w.Header().Set("ETag", p.ETag)
	w.Header().Set("Location", "/api/admin/promotions/"+p.ID)
	s.writeJSON(w, r, http.StatusCreated, p)
	return nil
}

func (s *Server) listPromotions(w http.ResponseWriter, r *http.Request) error {
	if s.Promotions == nil {
		return errNoPromotions
	}
	all, err := s.Promotions.Promotions(r.Context())
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"items": all})
	return nil
}

func (s *Server) getPromotion(w http.ResponseWriter, r *http.Request) error {
	if s.Promotions == nil {
		return errNoPromotions
	}
	p, err := s.promotion(r)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", p.ETag)
	s.writeJSON(w, r, http.StatusOK, p)
	return nil
}

// promotion reads the promotion the path names.
func (s *Server) promotion(r *http.Request) (*commerce.Promotion, error) {
	id := r.PathValue("id")
	if !commerce.IsID(id, 'm') {
		return nil, commerce.NotFoundf("promotion %q not found", id)
	}
	return s.Promotions.Promotion(r.Context(), id)
}

// patchPromotion changes a promotion's dates, limits, priority or status:
// under If-Match, that version only; without, the current one, read
// again when another write came between.
func (s *Server) patchPromotion(w http.ResponseWriter, r *http.Request) error {
	if s.Promotions == nil {
		return errNoPromotions
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var in promotionPatch
	if err := decodeJSON(body, &in); err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		p, err := s.promotion(r)
		if err != nil {
			return err
		}
		tag := ifMatch(r)
		if tag == "" {
			tag = p.ETag
		}
		if err := in.apply(p); err != nil {
			return err
		}
		err = s.Promotions.UpdatePromotion(r.Context(), p, tag)
		if commerce.ErrorKind(err) == commerce.KindPrecondition && ifMatch(r) == "" && attempt < 3 {
			continue
		}
		if err != nil {
			return err
		}
		w.Header().Set("ETag", p.ETag)
		s.writeJSON(w, r, http.StatusOK, p)
		return nil
	}
}
