// Package checkout turns a cart into a paid order: it re-prices the cart,
// reserves the stock, takes the payment, and hands the paid order to the
// orders queue through the transactional outbox. Every step is idempotent,
// so a replayed request, a webhook racing the request, a redelivered message
// or a crash in between all end in one charge and one order.
package checkout

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"shopfn/handler/cart"
	"shopfn/handler/commerce"
	"shopfn/handler/pricing"
)

// leaseTTL is how long a request has a checkout to itself while it charges.
const leaseTTL = 30 * time.Second

// Config configures a Service.
type Config struct {
	Rules          pricing.Rules
	ReservationTTL time.Duration
	Now            func() time.Time
	// Published is called after a transaction stored outbox messages, to
	// wake the relay; nil means nothing to wake.
	Published func()
	// Render renders the first response to a checkout request for a
	// checkout as it stands, so that it is stored in the same transaction
	// as the change it reports; nil stores none (the caller then calls
	// Remember).
	Render func(c *commerce.Checkout) (status int, body []byte)
}

// Service runs checkouts.
type Service struct {
	carts     *cart.Service
	checkouts commerce.CheckoutStore
	payments  commerce.PaymentProvider
	cfg       Config
	log       *slog.Logger

	mu       sync.Mutex
	inflight map[string]chan struct{} // idempotency key -> closed when the request ends
}

// NewService returns a Service.
func NewService(carts *cart.Service, checkouts commerce.CheckoutStore, payments commerce.PaymentProvider, cfg Config, log *slog.Logger) *Service {
	if cfg.Published == nil {
		cfg.Published = func() {}
	}
	return &Service{carts: carts, checkouts: checkouts, payments: payments, cfg: cfg, log: log, inflight: map[string]chan struct{}{}}
}

// Outcome is what a checkout request comes to: the checkout as it stands,
// and the first response to send again when the request is a replay.
type Outcome struct {
	Checkout *commerce.Checkout
	Replay   *commerce.StoredResponse
}

// Checkout checks a cart out, once per idempotency key (the cart ID when key
// is empty). It returns "not_found" for an unknown or expired cart, 422
// "empty_cart", "unknown_sku", "invalid_email", "invalid_address" and
// "idempotency_key_reused", 409 "insufficient_stock" and
// "checkout_in_progress", and 503 when the payment provider cannot be asked.
func (s *Service) Checkout(ctx context.Context, req Request, key string) (*Outcome, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if key == "" {
		key = "cart:" + req.CartID
	}
	release, err := s.enter(ctx, key)
	if err != nil {
		return nil, err
	}
	defer release()

	hash := req.Hash()
	for {
		c, err := s.checkouts.CheckoutByKey(ctx, key)
		if err == nil {
			return s.again(ctx, c, hash)
		}
		if commerce.ErrorCode(err) != commerce.CodeNotFound {
			return nil, err
		}
		c, err = s.begin(ctx, req, key, hash)
		if commerce.ErrorCode(err) == "duplicate_checkout" {
			continue // another process began it first: treat it as a replay
		}
		if err != nil {
			return nil, err
		}
		return s.charge(ctx, c)
	}
}

// enter waits while another request with the same key runs in this process.
func (s *Service) enter(ctx context.Context, key string) (func(), error) {
	for {
		s.mu.Lock()
		ch, busy := s.inflight[key]
		if !busy {
			ch = make(chan struct{})
			s.inflight[key] = ch
			s.mu.Unlock()
			return func() {
				s.mu.Lock()
				delete(s.inflight, key)
				s.mu.Unlock()
				close(ch)
			}, nil
		}
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, commerce.Errorf(commerce.KindConflict, "checkout_in_progress", "this checkout is still in progress; retry shortly")
		}
	}
}

// again answers a request whose key already has a checkout.
func (s *Service) again(ctx context.Context, c *commerce.Checkout, hash string) (*Outcome, error) {
	if c.RequestHash != hash {
		return nil, commerce.Rulef("idempotency_key_reused", "this Idempotency-Key was used with another request body")
	}
	if c.Response != nil {
		return &Outcome{Checkout: c, Replay: c.Response}, nil
	}
	if c.Status != commerce.CheckoutPending {
		return &Outcome{Checkout: c}, nil
	}
	// Pending with no response: its request is running elsewhere, or died.
	now := s.cfg.Now()
	ok, err := s.checkouts.Lease(ctx, c.ID, now, now.Add(leaseTTL))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, commerce.Errorf(commerce.KindConflict, "checkout_in_progress", "this checkout is still in progress; retry shortly")
	}
	return s.charge(ctx, c)
}

// begin re-prices the cart and stores a pending checkout with its stock
// reserved and its expiry scheduled.
func (s *Service) begin(ctx context.Context, req Request, key, hash string) (*commerce.Checkout, error) {
	priced, err := s.carts.Get(ctx, req.CartID)
	if err != nil {
		return nil, err
	}
	if len(priced.Unavailable) > 0 {
		skus := make([]string, len(priced.Unavailable))
		for i, l := range priced.Unavailable {
			skus[i] = l.SKU
		}
		e := commerce.Rulef(commerce.CodeUnknownSKU, "some items are no longer for sale; remove them first")
		e.SKUs = skus
		return nil, e
	}
	if len(priced.Items) == 0 {
		return nil, commerce.Rulef("empty_cart", "the cart is empty")
	}
	now := s.cfg.Now().UTC()
	c := &commerce.Checkout{
		ID: commerce.NewCheckoutID(), OrderID: commerce.NewOrderID(now), IdempotencyKey: key, RequestHash: hash,
		CartID: req.CartID, Email: req.Email, Address: req.ShippingAddress, PaymentMethod: req.PaymentMethod,
		Lines: priced.Items, Status: commerce.CheckoutPending,
		CreatedAt: now, UpdatedAt: now, ReservedUntil: now.Add(s.cfg.ReservationTTL), LeaseUntil: now.Add(leaseTTL),
	}
	totals, err := s.cfg.Rules.Price(priced.Currency, c.Lines)
	if err != nil {
		return nil, err
	}
	c.Totals = totals
	expiry := Message(commerce.MsgReservationExpired, "reservation-expired-"+c.ID, map[string]any{"checkoutId": c.ID})
	expiry.ScheduledAt = c.ReservedUntil
	if err := s.checkouts.BeginCheckout(ctx, c, []commerce.Message{expiry}); err != nil {
		return nil, err
	}
	s.cfg.Published()
	return c, nil
}

// charge asks the provider to charge a pending checkout and records what
// it said. Charging is idempotent by checkout ID, so a resumed checkout is
// never charged twice.
func (s *Service) charge(ctx context.Context, c *commerce.Checkout) (*Outcome, error) {
	p, err := s.payments.Charge(ctx, commerce.PaymentRequest{
		CheckoutID: c.ID, OrderID: c.OrderID, Amount: c.Total, PaymentMethod: c.PaymentMethod, Email: c.Email,
	})
	if commerce.ErrorKind(err) == commerce.KindRule {
		// The provider refused the payment method itself: a decline.
		p, err = commerce.Payment{Status: commerce.PaymentDeclined, DeclineCode: commerce.ErrorCode(err)}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("checkout %s: charge: %w", c.ID, err)
	}
	if err := s.settle(ctx, c, p); err != nil {
		return nil, err
	}
	if c, err = s.checkouts.Checkout(ctx, c.ID); err != nil {
		return nil, err
	}
	return &Outcome{Checkout: c}, nil
}

// settle records a payment's state on checkout c: paid (and the order on
// its way), declined (stock released), or waiting for the buyer.
func (s *Service) settle(ctx context.Context, c *commerce.Checkout, p commerce.Payment) error {
	switch p.Status {
	case commerce.PaymentSucceeded:
		return s.markPaid(ctx, c, p)
	case commerce.PaymentDeclined:
		declined := commerce.Payment{ID: p.ID, Status: commerce.PaymentDeclined, NextAction: map[string]any{"declineCode": p.DeclineCode}}
		if p.ID != "" {
			if _, err := s.checkouts.SetPayment(ctx, c.ID, declined, nil); err != nil {
				return err
			}
		}
		_, err := s.checkouts.Release(ctx, c.ID, commerce.CheckoutDeclined, s.response(c, commerce.CheckoutDeclined, declined))
		return err
	case commerce.PaymentRequiresAction:
		_, err := s.checkouts.SetPayment(ctx, c.ID, p, s.response(c, commerce.CheckoutRequiresAction, p))
		return err
	default: // processing: not decided, so no response to keep
		_, err := s.checkouts.SetPayment(ctx, c.ID, p, nil)
		return err
	}
}

// response renders the first response c gets once its payment p moved it
// to status, or nil when there is no renderer.
func (s *Service) response(c *commerce.Checkout, status commerce.CheckoutStatus, p commerce.Payment) *commerce.StoredResponse {
	if s.cfg.Render == nil {
		return nil
	}
	next := *c
	next.Status, next.NextAction = status, p.NextAction
	if p.ID != "" {
		next.PaymentID = p.ID
	}
	code, body := s.cfg.Render(&next)
	return &commerce.StoredResponse{Status: code, Body: body}
}

// markPaid records a succeeded payment. When the checkout's reservation has
// already been released and the stock is gone, the payment is refunded.
func (s *Service) markPaid(ctx context.Context, c *commerce.Checkout, p commerce.Payment) error {
	placed := Message(commerce.MsgOrderPlaced, "order-placed-"+c.OrderID, map[string]any{"orderId": c.OrderID, "checkoutId": c.ID})
	changed, err := s.checkouts.MarkPaid(ctx, c.ID, p.ID, placed, s.response(c, commerce.CheckoutPaid, p))
	if commerce.ErrorCode(err) == commerce.CodeInsufficientStock {
		s.log.Warn("payment succeeded after the reservation was released and the stock is gone; refunding", "checkout", c.ID, "payment", p.ID)
		if rerr := s.payments.Refund(ctx, p.ID, "refund-"+c.ID); rerr != nil {
			return fmt.Errorf("checkout %s: refund a payment it cannot fulfil: %w", c.ID, rerr)
		}
		return err
	}
	if err != nil {
		return err
	}
	if changed {
		s.cfg.Published()
	}
	return nil
}

// Remember stores the first response a checkout request got.
func (s *Service) Remember(ctx context.Context, checkoutID string, status int, body []byte) error {
	return s.checkouts.SetResponse(ctx, checkoutID, &commerce.StoredResponse{Status: status, Body: body})
}

// Message builds a queue message whose JSON body carries its type.
func Message(typ, id string, fields map[string]any) commerce.Message {
	fields["type"] = typ
	body, err := json.Marshal(fields)
	if err != nil {
		panic(fmt.Sprintf("checkout: encode %s: %v", typ, err)) // maps of strings always encode
	}
	return commerce.Message{ID: id, Type: typ, Body: body}
}
