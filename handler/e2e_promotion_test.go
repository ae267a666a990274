package main

import (
	"sync"
	"testing"
)

// This file holds the E2E tests of promotions' admin routes.

// e2ePromotion is a promotion's JSON, as far as the tests read it.
type e2ePromotion struct {
	ID               string `json:"id"`
	Code             string `json:"code"`
	Status           string `json:"status"`
	UsageLimit       *int64 `json:"usageLimit"`
	PerCustomerLimit *int64 `json:"perCustomerLimit"`
	EndsAt           string `json:"endsAt"`
	Used             int64  `json:"used"`
	Reserved         int64  `json:"reserved"`
}

// mustCreatePromotion creates a promotion that must be accepted and
// returns it.
func (s e2eShop) mustCreatePromotion(tb testing.TB, body map[string]any) e2ePromotion {
	tb.Helper()
	res := s.admin(tb, "POST", "/api/admin/promotions", body)
	e2eWantStatus(tb, "POST /api/admin/promotions", res, 201)
	var p e2ePromotion
	res.JSON(tb, &p)
	if p.ID == "" {
		tb.Fatal("POST /api/admin/promotions: no id")
	}
	return p
}

// percentOff is the body of an active percent promotion with code.
func percentOff(code string, bp int64) map[string]any {
	return map[string]any{"code": code, "action": map[string]any{"type": "percent", "value": bp, "target": "order"}, "stacking": "stack", "priority": 1, "status": "active"}
}

func TestE2EPromotionAdmin(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)

	body := percentOff("Save10", 1000)
	body["usageLimit"] = 5
	p := s.mustCreatePromotion(t, body)
	if p.Used != 0 || p.Reserved != 0 || p.UsageLimit == nil || *p.UsageLimit != 5 {
		t.Errorf("created: got %+v, want used 0, reserved 0, usageLimit 5", p)
	}

	t.Run("CodeTakenIgnoringCase", func(t *testing.T) {
		res := s.admin(t, "POST", "/api/admin/promotions", percentOff("SAVE10", 500))
		e2eWantProblem(t, "POST a taken code", res, 409, "code_taken")
	})

	t.Run("CodeRace", func(t *testing.T) {
		const n = 6
		var wg sync.WaitGroup
		statuses := make([]int, n)
		for i := range n {
			wg.Go(func() { statuses[i] = s.admin(t, "POST", "/api/admin/promotions", percentOff("RACE", 500)).Status })
		}
		wg.Wait()
		created := 0
		for _, st := range statuses {
			switch st {
			case 201:
				created++
			case 409:
			default:
				t.Errorf("concurrent create: got status %d, want 201 or 409", st)
			}
		}
		if created != 1 {
			t.Errorf("%d concurrent creates of one code: %d created, want 1", n, created)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			body map[string]any
		}{
			{"NoCodeNotAutomatic", map[string]any{"action": map[string]any{"type": "percent", "value": 1000}}},
			{"BadType", map[string]any{"code": "X1", "action": map[string]any{"type": "bogo", "value": 1}}},
			{"PercentOver100", map[string]any{"code": "X2", "action": map[string]any{"type": "percent", "value": 10001}}},
			{"FixedNoCurrency", map[string]any{"code": "X3", "action": map[string]any{"type": "fixed", "value": 500}}},
			{"BadCode", map[string]any{"code": "no spaces", "action": map[string]any{"type": "percent", "value": 1}}},
			{"UnknownField", map[string]any{"code": "X4", "action": map[string]any{"type": "percent", "value": 1}, "discount": 1}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e2eWantProblem(t, "POST "+tc.name, s.admin(t, "POST", "/api/admin/promotions", tc.body), 400, "invalid_request")
			})
		}
	})

	t.Run("ReadAndList", func(t *testing.T) {
		res := s.admin(t, "GET", "/api/admin/promotions/"+p.ID, nil)
		e2eWantStatus(t, "GET promotion", res, 200)
		var got e2ePromotion
		res.JSON(t, &got)
		if got.Code != "Save10" || got.ID != p.ID {
			t.Errorf("GET: got %+v, want %s with code Save10", got, p.ID)
		}
		e2eWantProblem(t, "GET unknown", s.admin(t, "GET", "/api/admin/promotions/m0000000000000000000000000", nil), 404, "not_found")
		e2eWantProblem(t, "GET malformed", s.admin(t, "GET", "/api/admin/promotions/nope", nil), 404, "not_found")
		res = s.admin(t, "GET", "/api/admin/promotions", nil)
		e2eWantStatus(t, "GET promotions", res, 200)
		var page struct{ Items []e2ePromotion }
		res.JSON(t, &page)
		if len(page.Items) < 2 || page.Items[0].ID != p.ID {
			t.Errorf("listing: got %+v, want Save10 first, then RACE", page.Items)
		}
	})

	t.Run("Patch", func(t *testing.T) {
		res := s.admin(t, "PATCH", "/api/admin/promotions/"+p.ID, map[string]any{"usageLimit": 9, "status": "draft", "endsAt": "2099-01-01T00:00:00Z"})
		e2eWantStatus(t, "PATCH", res, 200)
		var got e2ePromotion
		res.JSON(t, &got)
		if got.Status != "draft" || got.UsageLimit == nil || *got.UsageLimit != 9 || got.EndsAt != "2099-01-01T00:00:00Z" || got.Code != "Save10" {
			t.Errorf("PATCH: got %+v, want draft, usageLimit 9, endsAt 2099", got)
		}
		tag := res.Header.Get("ETag")
		res = s.admin(t, "PATCH", "/api/admin/promotions/"+p.ID, map[string]any{"usageLimit": nil, "status": "active"}, "If-Match", tag)
		e2eWantStatus(t, "PATCH If-Match", res, 200)
		got = e2ePromotion{}
		res.JSON(t, &got)
		if got.UsageLimit != nil || got.Status != "active" {
			t.Errorf("PATCH null: got %+v, want no usageLimit, active", got)
		}
		e2eWantProblem(t, "PATCH stale", s.admin(t, "PATCH", "/api/admin/promotions/"+p.ID, map[string]any{"priority": 3}, "If-Match", tag), 412, "precondition_failed")
		e2eWantProblem(t, "PATCH code", s.admin(t, "PATCH", "/api/admin/promotions/"+p.ID, map[string]any{"code": "NEW"}), 400, "invalid_request")
		e2eWantProblem(t, "PATCH bad status", s.admin(t, "PATCH", "/api/admin/promotions/"+p.ID, map[string]any{"status": "gone"}), 400, "invalid_request")
		e2eWantProblem(t, "PATCH unknown", s.admin(t, "PATCH", "/api/admin/promotions/m0000000000000000000000000", map[string]any{"status": "draft"}), 404, "not_found")
	})
}
