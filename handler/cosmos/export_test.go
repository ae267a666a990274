package cosmos

import (
	"context"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"shopfn/handler/commerce"
)

// CrashBeforeWrite claims p's keys as CreateProduct does and stops there,
// as a writer that crashed before writing the product.
func (s *CatalogStore) CrashBeforeWrite(ctx context.Context, p *commerce.Product) error {
	d := toProductDoc(p)
	_, err := s.claim(ctx, append([]keyDoc{newKey(keyProduct, p.ID, p.ID, p.Category)}, d.keys()...))
	return err
}

// CrashMidMove starts moving the stored product p.ID to p.Category, as
// ReplaceProduct does, and stops after the first step.
func (s *CatalogStore) CrashMidMove(ctx context.Context, p *commerce.Product) error {
	cur, err := s.resolve(ctx, keyProduct, p.ID)
	if err != nil {
		return err
	}
	d := toProductDoc(p)
	if _, err := s.claim(ctx, d.keys()); err != nil {
		return err
	}
	d.Version = cur.Version + 1
	_, err = s.beginMove(ctx, cur, &d, nil)
	return err
}

// SetClaimGrace sets claimGrace until the returned function restores it.
func SetClaimGrace(d time.Duration) (restore func()) {
	old := claimGrace
	claimGrace = d
	return func() { claimGrace = old }
}

// Operation is operation, for its table test.
var Operation = operation

// ObservePolicy returns the policy NewClient adds for o.
func ObservePolicy(o Observer) policy.Policy { return observePolicy{o: o, now: time.Now} }

// CrashAfterSubjectClaim claims c's subject key as CreateCustomer does and
// stops there, as a sign-in that crashed before writing the customer.
func (s *CustomerStore) CrashAfterSubjectClaim(ctx context.Context, c *commerce.Customer) error {
	_, err := s.claimSubject(ctx, c.Identity().SubjectKey(), c.ID)
	return err
}

// SetCustomerClaimGrace sets customerClaimGrace until the returned
// function restores it.
func SetCustomerClaimGrace(d time.Duration) (restore func()) {
	old := customerClaimGrace
	customerClaimGrace = d
	return func() { customerClaimGrace = old }
}
