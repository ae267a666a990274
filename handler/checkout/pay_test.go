package checkout_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"shopfn/handler/commerce"
)

// The payment methods fakePay knows, after Stripe's test payment methods.
const (
	pmVisa     = "pm_card_visa"
	pmDeclined = "pm_card_chargeDeclined"
	pm3DS      = "pm_card_threeDSecure2Required"
)

// fakePay is a commerce.PaymentProvider (and checkout.PaymentFinder) that
// charges each checkout once, by the payment method's name, and records
// refunds.
type fakePay struct {
	mu         sync.Mutex
	byID       map[string]*commerce.Payment
	byCheckout map[string]string // checkout ID -> payment ID
	refunds    map[string]string // refund key -> payment ID
	charges    int               // payments created
	// down makes Charge and Payment fail as an unreachable provider does.
	down bool
	// chargeDeadlines records, for each Charge, how long its context
	// had left (-1: no deadline).
	chargeDeadlines []time.Duration
	// refundDeadlines records the same for each Refund.
	refundDeadlines []time.Duration
}

// newFakePay returns a fakePay with no payments.
func newFakePay() *fakePay {
	return &fakePay{byID: map[string]*commerce.Payment{}, byCheckout: map[string]string{}, refunds: map[string]string{}}
}

// Charge returns the checkout's payment, creating it on the first call:
// succeeded for pmVisa, declined for pmDeclined, requires_action for pm3DS.
func (f *fakePay) Charge(ctx context.Context, req commerce.PaymentRequest) (commerce.Payment, error) {
	if err := req.Validate(); err != nil {
		return commerce.Payment{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.chargeDeadlines = append(f.chargeDeadlines, deadline(ctx))
	if f.down {
		return commerce.Payment{}, commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "fake provider is down")
	}
	if id, ok := f.byCheckout[req.CheckoutID]; ok {
		return *f.byID[id], nil
	}
	p := &commerce.Payment{ID: fmt.Sprintf("pi_%d", len(f.byID)+1), Amount: req.Amount, CheckoutID: req.CheckoutID}
	switch req.PaymentMethod {
	case pmVisa:
		p.Status = commerce.PaymentSucceeded
	case pmDeclined:
		p.Status, p.DeclineCode = commerce.PaymentDeclined, "generic_decline"
	case pm3DS:
		p.Status, p.NextAction = commerce.PaymentRequiresAction, map[string]any{"type": "redirect_to_url", "url": "https://pay.example/3ds"}
	default:
		return commerce.Payment{}, commerce.Invalidf(commerce.CodeInvalidRequest, "no such payment method %q", req.PaymentMethod)
	}
	f.byID[p.ID], f.byCheckout[req.CheckoutID] = p, p.ID
	f.charges++
	return *p, nil
}

// deadline returns how long ctx has left, or -1 when it has no deadline.
func deadline(ctx context.Context) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		return time.Until(dl)
	}
	return -1
}

// Payment returns a payment by ID, or "not_found".
func (f *fakePay) Payment(ctx context.Context, id string) (commerce.Payment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return commerce.Payment{}, commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "fake provider is down")
	}
	p, ok := f.byID[id]
	if !ok {
		return commerce.Payment{}, commerce.NotFoundf("payment %s not found", id)
	}
	return *p, nil
}

// PaymentForCheckout returns the payment of a checkout, or "not_found".
func (f *fakePay) PaymentForCheckout(ctx context.Context, checkoutID string) (commerce.Payment, error) {
	f.mu.Lock()
	id, ok := f.byCheckout[checkoutID]
	f.mu.Unlock()
	if !ok {
		return commerce.Payment{}, commerce.NotFoundf("no payment for checkout %s", checkoutID)
	}
	return f.Payment(ctx, id)
}

// Refund refunds a succeeded payment once per key.
func (f *fakePay) Refund(ctx context.Context, paymentID, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refundDeadlines = append(f.refundDeadlines, deadline(ctx))
	p, ok := f.byID[paymentID]
	if !ok || p.Status != commerce.PaymentSucceeded {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "payment %s cannot be refunded", paymentID)
	}
	f.refunds[key] = paymentID
	return nil
}

// RefundAmount refunds part of a succeeded payment once per key.
func (f *fakePay) RefundAmount(ctx context.Context, paymentID, key string, amount commerce.Money) error {
	return f.Refund(ctx, paymentID, key)
}

// authenticate ends the buyer's action on a requires_action payment with
// status, and returns the payment.
func (f *fakePay) authenticate(id string, status commerce.PaymentStatus) commerce.Payment {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.byID[id]
	p.Status, p.NextAction = status, nil
	return *p
}

// refunded returns the IDs of the refunded payments, one per refund key.
func (f *fakePay) refunded() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, id := range f.refunds {
		ids = append(ids, id)
	}
	return ids
}

// count returns how many payments were created.
func (f *fakePay) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.charges
}

// setDown makes the provider unreachable, or reachable again.
func (f *fakePay) setDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}
