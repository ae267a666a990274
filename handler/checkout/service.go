package checkout

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"shopfn/handler/cart"
	"shopfn/handler/commerce"
	"shopfn/handler/pricing"
	"shopfn/handler/telemetry"
)

// leaseTTL is how long a request has a checkout to itself while it charges.
const leaseTTL = 30 * time.Second

// Config configures a Service.
type Config struct {
	// Rules are the flat shipping and tax, charged when no shipping
	// option serves the address or no tax rate is configured.
	Rules pricing.Rules
	// Charges returns the shipping options and tax rates, from memory;
	// nil has none. TaxInclusive lists the currencies whose prices
	// contain tax.
	Charges        func(ctx context.Context) (*pricing.Charges, error)
	TaxInclusive   map[string]bool
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
	// MaxHeld bounds the checkouts waiting for the buyer's authentication
	// (requires_action) that one client holds at once; 0 is unbounded.
	MaxHeld int
	// MaxHeldUnits and MaxHeldUnitsTotal bound the units one client holds
	// in those checkouts, of one SKU and in all; 0 is unbounded.
	MaxHeldUnits, MaxHeldUnitsTotal int
	// ActionHold is how long, at most, a checkout waiting for the buyer
	// keeps its reservation from when it starts waiting; 0 keeps
	// ReservationTTL.
	ActionHold time.Duration
	// Publishing, when set, is called for each message about to be
	// written to the outbox in ctx's request; it stamps the message's trace
	// attributes and returns what to call once the write is done
	// (telemetry's Publishing).
	Publishing func(ctx context.Context, m *commerce.Message) func(error)
	// Metrics counts reservations made, released and expired; nil counts
	// nothing.
	Metrics *telemetry.Metrics
	// TokenKey signs order access tokens (see OrderToken); instances that
	// answer one store's checkouts share it. Empty issues no tokens.
	TokenKey []byte
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
	if cfg.Publishing == nil {
		cfg.Publishing = func(context.Context, *commerce.Message) func(error) { return func(error) {} }
	}
	return &Service{carts: carts, checkouts: checkouts, payments: payments, cfg: cfg, log: log, inflight: map[string]chan struct{}{}}
}

// Outcome is what a checkout request comes to: the checkout as it stands,
// and the first response to send again when the request is a replay.
type Outcome struct {
	Checkout *commerce.Checkout
	Replay   *commerce.StoredResponse
}

// Checkout checks a cart out, once per idempotency key, for client (who
// asks, to bound what one client holds; empty is unbounded). Without a key
// the request is identified by the cart as it stands and the body, so that a
// retry of the same request replays and a changed request or cart begins
// anew. It returns "not_found" for an unknown or expired cart, 422
// "empty_cart", "unknown_sku", "invalid_email", "invalid_address" and
// "idempotency_key_reused", 409 "insufficient_stock", "cart_closed",
// "cart_changed", "price_changed", "too_many_checkouts" and
// "checkout_in_progress", 400 for a total that cannot be paid, and 503
// "payment_unavailable" when the payment provider cannot be asked.
func (s *Service) Checkout(ctx context.Context, req Request, key, client string) (*Outcome, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	hash := req.Hash()
	var priced *cart.Priced
	keyless := key == ""
	if keyless {
		d, err := s.delivery(ctx, req)
		if err != nil {
			return nil, err
		}
		p, doc, err := s.carts.ForCheckout(ctx, req.CartID, d)
		if commerce.ErrorKind(err) == commerce.KindRule && doc != nil {
			p, err = nil, nil // begin prices again; see the replay below
		}
		if err != nil {
			return nil, err
		}
		priced, key = p, "cart:"+req.CartID+":"+strings.Trim(doc.ETag, `"`)+":"+hash[:16]
	}
	release, err := s.enter(ctx, key)
	if err != nil {
		return nil, err
	}
	defer release()

	for {
		c, err := s.checkouts.CheckoutByKey(ctx, key)
		if err == nil {
			return s.again(ctx, c, hash)
		}
		if commerce.ErrorCode(err) != commerce.CodeNotFound {
			return nil, err
		}
		c, err = s.begin(ctx, req, key, hash, client, priced)
		priced = nil
		switch commerce.ErrorCode(err) {
		case commerce.CodeDuplicateCheckout:
			continue // another process began it first: treat it as a replay
		case commerce.CodeCartClosed:
			holder, herr := s.checkouts.CartCheckout(ctx, req.CartID)
			if herr != nil {
				return nil, err
			}
			if keyless && holder.RequestHash == hash {
				return s.again(ctx, holder, hash) // the same keyless request, sent again
			}
			return nil, s.closed(req.CartID, holder)
		}
		if keyless && commerce.ErrorKind(err) == commerce.KindRule {
			// A rule of today's pricing (a shipping option now required)
			// does not refuse the same keyless request sent again: it
			// gets its first answer.
			if holder, herr := s.checkouts.CartCheckout(ctx, req.CartID); herr == nil && holder.RequestHash == hash {
				return s.again(ctx, holder, hash)
			}
		}
		if err != nil {
			return nil, err
		}
		return s.charge(ctx, c)
	}
}

// closed returns the "cart_closed" error of a cart that holder holds. It
// never names holder's order: the caller has not shown it is the buyer (the
// buyer's own request replays its first answer instead).
func (s *Service) closed(cartID string, holder *commerce.Checkout) error {
	return cart.Closed(cartID)
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
			return nil, inProgress()
		}
	}
}

func inProgress() error {
	return commerce.Errorf(commerce.KindConflict, commerce.CodeCheckoutInProgress, "this checkout is still in progress; retry shortly")
}

// again answers a request whose key already has a checkout.
func (s *Service) again(ctx context.Context, c *commerce.Checkout, hash string) (*Outcome, error) {
	if c.RequestHash != hash {
		return nil, commerce.Rulef(commerce.CodeIdempotencyKeyReused, "this Idempotency-Key was used with another request body")
	}
	if c.Response != nil {
		return &Outcome{Checkout: c, Replay: c.Response}, nil
	}
	now := s.cfg.Now()
	switch c.Status {
	case commerce.CheckoutFailed:
		// The provider could not be asked: reserve again and retry.
		until := now.Add(s.cfg.ReservationTTL)
		expiry := Message(commerce.MsgReservationExpired, fmt.Sprintf("reservation-expired-%s-%d", c.ID, until.UnixNano()), map[string]any{"checkoutId": c.ID})
		expiry.ScheduledAt = until
		err := s.checkouts.Resume(ctx, c.ID, now.Add(leaseTTL), until, []commerce.Message{expiry})
		if commerce.ErrorCode(err) == commerce.CodeCartClosed {
			holder, herr := s.checkouts.CartCheckout(ctx, c.CartID)
			if herr != nil {
				return nil, err
			}
			return nil, s.closed(c.CartID, holder)
		}
		if err != nil {
			return nil, err
		}
		s.cfg.Published()
		if c, err = s.checkouts.Checkout(ctx, c.ID); err != nil {
			return nil, err
		}
	case commerce.CheckoutPending:
		// No response: its request is running elsewhere, or died.
		ok, err := s.checkouts.Lease(ctx, c.ID, now, now.Add(leaseTTL))
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, inProgress()
		}
	default:
		return &Outcome{Checkout: c}, nil
	}
	if err := s.hold(ctx, c); err != nil {
		return nil, err
	}
	return s.charge(ctx, c)
}

// begin re-prices the cart (priced, when not nil, is the cart priced
// already), checks what can be checked before reserving, and stores a
// pending checkout with its cart claimed, its stock reserved and its expiry
// scheduled; then it marks the cart as checking out.
func (s *Service) begin(ctx context.Context, req Request, key, hash, client string, priced *cart.Priced) (*commerce.Checkout, error) {
	if priced == nil {
		d, err := s.delivery(ctx, req)
		if err != nil {
			return nil, err
		}
		if priced, _, err = s.carts.ForCheckout(ctx, req.CartID, d); err != nil {
			return nil, err
		}
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
		return nil, commerce.Rulef(commerce.CodeEmptyCart, "the cart is empty")
	}
	charged := priced.Charged
	if charged == nil {
		return nil, fmt.Errorf("checkout: cart %s was not priced for delivery", req.CartID)
	}
	totals := charged.Totals()
	customerID := buyer(ctx, priced)
	discounts, discountTotal, err := discount(priced, totals, customerID)
	if err != nil {
		return nil, err
	}
	if req.ExpectedTotal != nil && *req.ExpectedTotal != totals.Total {
		e := commerce.Errorf(commerce.KindConflict, commerce.CodePriceChanged, "the total is now %s, not the expected %s; nothing was reserved", totals.Total, *req.ExpectedTotal)
		e.Totals = &totals
		return nil, e
	}
	if err := (commerce.PaymentRequest{CheckoutID: "check", Amount: totals.Total}).Validate(); err != nil && !free(totals, discountTotal) {
		return nil, commerce.Invalidf(commerce.CodeInvalidRequest, "the total %s cannot be paid: it must be positive and at most %d minor units; nothing was reserved", totals.Total, commerce.MaxAmount)
	}
	now := s.cfg.Now().UTC()
	c := &commerce.Checkout{
		ID: commerce.NewCheckoutID(), OrderID: commerce.NewOrderID(now), IdempotencyKey: key, RequestHash: hash,
		CartID: req.CartID, CustomerID: customerID, Client: client, Email: req.Email, Address: req.ShippingAddress, BillingAddress: req.BillingAddress, PaymentMethod: req.PaymentMethod,
		Lines: priced.Items, Totals: totals, Discounts: discounts, DiscountTotal: discountTotal, Status: commerce.CheckoutPending,
		ShippingOptionID: req.ShippingOptionID, TaxLines: charged.TaxLines, TaxIncluded: charged.TaxIncluded,
		CreatedAt: now, UpdatedAt: now, ReservedUntil: now.Add(s.cfg.ReservationTTL), LeaseUntil: now.Add(leaseTTL),
	}
	if len(s.cfg.TokenKey) > 0 {
		c.OrderTokenHash = TokenHash(OrderToken(s.cfg.TokenKey, c.ID))
	}
	expiry := Message(commerce.MsgReservationExpired, "reservation-expired-"+c.ID, map[string]any{"checkoutId": c.ID})
	expiry.ScheduledAt = c.ReservedUntil
	done := s.cfg.Publishing(ctx, &expiry)
	err = s.checkouts.BeginCheckout(ctx, c, []commerce.Message{expiry})
	done(err)
	if err != nil {
		return nil, err
	}
	s.cfg.Metrics.Reservation("made", 1)
	s.cfg.Published()
	if err := s.hold(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// hold marks c's cart as checking out for c, or abandons c (never charged)
// when the cart changed since c priced it.
func (s *Service) hold(ctx context.Context, c *commerce.Checkout) error {
	err := s.carts.Hold(ctx, c.CartID, c)
	if err == nil {
		return nil
	}
	if _, aerr := s.checkouts.Abandon(context.WithoutCancel(ctx), c.ID); aerr != nil {
		s.log.Warn("abandon a checkout whose cart changed; its expiry releases it", "checkout", c.ID, "err", aerr)
	}
	if commerce.ErrorCode(err) == commerce.CodeNotFound {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeCartChanged, "cart %s was deleted while it was being checked out; nothing was charged", c.CartID)
	}
	return err
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
