package checkout

import (
	"context"

	"shopfn/handler/cart"
)

// buyer returns the customer whose order a checkout of cart p makes: the
// cart's owner, or the signed-in customer checking a guest cart out, or
// none (a guest).
func buyer(ctx context.Context, p *cart.Priced) string {
	if p.CustomerID != "" {
		return p.CustomerID
	}
	return cart.CustomerOf(ctx)
}
