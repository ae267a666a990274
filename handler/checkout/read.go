package checkout

import (
	"context"

	"shopfn/handler/commerce"
)

// Read returns a checkout as it stands, changing nothing and asking the
// payment provider nothing (Confirm does that), or "not_found".
func (s *Service) Read(ctx context.Context, id string) (*commerce.Checkout, error) {
	return s.checkouts.Checkout(ctx, id)
}
