package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

// NewPromotion returns a valid active 10% promotion with code (none when
// code is ""; then it is automatic) and ID id.
func NewPromotion(id, code string) *commerce.Promotion {
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	end := t0.Add(24 * time.Hour)
	limit := int64(3)
	return &commerce.Promotion{ID: id, Code: code, Automatic: code == "", StartsAt: &t0, EndsAt: &end, Currency: "USD",
		Rules:    commerce.PromotionRules{SKUs: []string{"SKU-1"}, CustomerGroups: []string{"vip"}},
		Action:   commerce.PromotionAction{Type: commerce.ActionPercent, Value: 1000, Target: commerce.TargetOrder},
		Stacking: commerce.StackingStack, Priority: 2, UsageLimit: &limit, Status: commerce.PricingActive}
}

// TestPromotionStore runs the promotion conformance suite. newStore must
// return a new, empty store each time it is called.
func TestPromotionStore(t *testing.T, newStore func(t *testing.T) commerce.PromotionStore) {
	ctx := context.Background()

	t.Run("CreateAndRead", func(t *testing.T) {
		s := newStore(t)
		p := NewPromotion("m2", "SAVE10")
		must(t, s.CreatePromotion(ctx, p))
		if p.ETag == "" {
			t.Fatal("CreatePromotion left ETag empty")
		}
		got, err := s.Promotion(ctx, "m2")
		must(t, err)
		if diff := cmp.Diff(p, got); diff != "" {
			t.Errorf("Promotion (-want +got):\n%s", diff)
		}
		auto := NewPromotion("m1", "")
		auto.UsageLimit = nil
		must(t, s.CreatePromotion(ctx, auto))
		auto2 := NewPromotion("m3", "") // codeless promotions never meet on the code key
		must(t, s.CreatePromotion(ctx, auto2))
		all, err := s.Promotions(ctx)
		must(t, err)
		if diff := cmp.Diff([]commerce.Promotion{*auto, *p, *auto2}, all); diff != "" {
			t.Errorf("Promotions, in ID order (-want +got):\n%s", diff)
		}
		_, err = s.Promotion(ctx, "nope")
		wantCode(t, err, commerce.CodeNotFound)
	})

	t.Run("CodeTakenIgnoringCase", func(t *testing.T) {
		s := newStore(t)
		must(t, s.CreatePromotion(ctx, NewPromotion("m1", "Save10")))
		wantCode(t, s.CreatePromotion(ctx, NewPromotion("m2", "SAVE10")), commerce.CodeCodeTaken)
		wantCode(t, s.CreatePromotion(ctx, NewPromotion("m3", "save10")), commerce.CodeCodeTaken)
		all, err := s.Promotions(ctx)
		must(t, err)
		if len(all) != 1 {
			t.Errorf("after two refused creates: got %d promotions, want 1", len(all))
		}
	})

	t.Run("CodeRace", func(t *testing.T) {
		s := newStore(t)
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.CreatePromotion(ctx, NewPromotion(fmt.Sprintf("m%d", i), fmt.Sprintf("RaCe%c", "eE"[i%2])))
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch commerce.ErrorCode(err) {
			case commerce.CodeInternal:
				if err == nil {
					won++
					continue
				}
				t.Errorf("CreatePromotion: %v", err)
			case commerce.CodeCodeTaken:
			default:
				t.Errorf("CreatePromotion: got %v, want nil or code_taken", err)
			}
		}
		if won != 1 {
			t.Errorf("%d concurrent creates of one code: %d won, want 1", n, won)
		}
	})

	t.Run("UpdateIfMatch", func(t *testing.T) {
		s := newStore(t)
		p := NewPromotion("m1", "SAVE10")
		wantCode(t, s.UpdatePromotion(ctx, p, `"1"`), commerce.CodeNotFound)
		must(t, s.CreatePromotion(ctx, p))
		first := p.ETag
		limit := int64(7)
		p.UsageLimit, p.Status, p.EndsAt, p.Refundable = &limit, commerce.PricingDraft, nil, true
		code, other := p.Code, NewPromotion("m9", "OTHER")
		p.Code = other.Code // a code never changes
		must(t, s.UpdatePromotion(ctx, p, first))
		if p.ETag == first || p.Code != code {
			t.Errorf("after update: ETag %s (was %s), code %q; want a new ETag and SAVE10", p.ETag, first, p.Code)
		}
		got, err := s.Promotion(ctx, "m1")
		must(t, err)
		if diff := cmp.Diff(p, got); diff != "" {
			t.Errorf("after update (-want +got):\n%s", diff)
		}
		p.Priority = 9
		wantCode(t, s.UpdatePromotion(ctx, p, first), commerce.CodePreconditionFailed)
		if got, _ := s.Promotion(ctx, "m1"); got.Priority == 9 {
			t.Error("a stale update was written")
		}
	})
}
