package cosmos_test

import (
	"context"
	"testing"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/cosmos"
)

// TestCustomerSubjectKeyLeftByACrash checks that a subject key whose
// customer was never written (a sign-in that crashed between its steps)
// holds the subject only for the grace period, then is taken over.
func TestCustomerSubjectKeyLeftByACrash(t *testing.T) {
	ctx := context.Background()
	s := cosmos.NewCustomerStore(peerDB(t))
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	customer := func() *commerce.Customer {
		return &commerce.Customer{ID: commerce.NewCustomerID(now), Issuer: "https://issuer.example", Subject: "crash",
			Email: "crash@example.com", Groups: []string{}, Addresses: []commerce.CustomerAddress{}, CreatedAt: now, UpdatedAt: now}
	}
	crashed := customer()
	if err := s.CrashAfterSubjectClaim(ctx, crashed); err != nil {
		t.Fatal(err)
	}
	key := crashed.Identity().SubjectKey()
	if _, err := s.CustomerBySubject(ctx, key); commerce.ErrorCode(err) != commerce.CodeNotFound {
		t.Errorf("CustomerBySubject of a key without its customer: got %v, want not_found", err)
	}
	next := customer()
	if err := s.CreateCustomer(ctx, next); commerce.ErrorCode(err) != commerce.CodeConflict {
		t.Fatalf("CreateCustomer within the grace period: got %v, want conflict (a sign-in may be writing it)", err)
	}
	defer cosmos.SetCustomerClaimGrace(-time.Second)()
	if err := s.CreateCustomer(ctx, next); err != nil {
		t.Fatalf("CreateCustomer after the grace period: %v", err)
	}
	got, err := s.CustomerBySubject(ctx, key)
	if err != nil || got.ID != next.ID {
		t.Errorf("CustomerBySubject after the takeover: got %v, %v; want %s", got, err, next.ID)
	}
	// The crashed writer's customer, should it come late, is no one's.
	if err := s.CreateCustomer(ctx, crashed); commerce.ErrorCode(err) != commerce.CodeConflict {
		t.Errorf("the crashed writer's create after the takeover: got %v, want conflict", err)
	}
}
