package commerce

import (
	"context"
	"math/big"
	"slices"
	"time"
)

// RefundStatus is where a refund stands at the payment provider.
type RefundStatus string

// The refund statuses. A pending refund is recorded and waits for the
// provider (its RefundRequested message retries with backoff until the
// queue dead-letters it); a failed one was refused by the provider and
// needs staff.
const (
	RefundPending   RefundStatus = "pending"
	RefundSucceeded RefundStatus = "succeeded"
	RefundFailed    RefundStatus = "failed"
)

// The refund reasons.
const (
	// RefundReasonCancelled refunds a cancelled order in full.
	RefundReasonCancelled = "cancelled"
	// RefundReasonUnshipped refunds the unshipped remainder of a
	// partially fulfilled order that was cancelled.
	RefundReasonUnshipped = "cancelled_unshipped"
)

// MsgRefundRequested, on the orders queue, asks the orders function to
// execute a recorded refund at the payment provider:
// {"type":"RefundRequested","refundId":"r..."}.
const MsgRefundRequested = "RefundRequested"

// RefundRequestedEvent is the body of a RefundRequested message.
type RefundRequestedEvent struct {
	Type     string `json:"type"`
	RefundID string `json:"refundId"`
}

// Refund is money given back on an order, once, at the payment provider.
type Refund struct {
	ID        string       `json:"id"`
	Amount    Money        `json:"amount"`
	Reason    string       `json:"reason"`
	Status    RefundStatus `json:"status"`
	CreatedAt time.Time    `json:"createdAt"`
	// FailureCode says why the provider refused a failed refund.
	FailureCode string `json:"failureCode,omitempty"`
	OrderID     string `json:"-"`
	PaymentID   string `json:"-"`
	// Key is the provider's idempotency key of the refund.
	Key string `json:"-"`
	// Attempts counts the provider calls that failed without an answer.
	Attempts int `json:"-"`
}

// NewRefundID returns a new refund ID: "r" and 26 characters whose order
// follows creation time.
func NewRefundID(now time.Time) string { return "r" + NewProductID(now)[1:] }

// RefundStore records refunds and cancels the unshipped remainder of
// partially fulfilled orders (sqlstore.OrderStore).
type RefundStore interface {
	// CancelRemainder cancels a partially fulfilled order at now, in one
	// transaction: the order becomes cancelled (one conditional statement,
	// which a concurrent fulfilment then refuses), its allocated units
	// that did not ship are released where they are allocated (committed
	// drops there), and, when it was paid, a pending refund of
	// RemainderValue is recorded with its RefundRequested message in the
	// outbox. It reports whether the order changed (false when it is not
	// partially fulfilled).
	CancelRemainder(ctx context.Context, orderID string, now time.Time) (bool, error)

	// Refund returns a refund, or "not_found".
	Refund(ctx context.Context, id string) (*Refund, error)

	// SettleRefund moves a pending refund to succeeded or failed (with
	// failureCode) at now, once; a succeeded one appends order.refunded
	// with its amount. It reports whether the refund changed.
	SettleRefund(ctx context.Context, id string, status RefundStatus, failureCode string, now time.Time) (bool, error)

	// NoteRefundAttempt counts a provider call for a pending refund that
	// got no answer, with the error's code.
	NoteRefundAttempt(ctx context.Context, id, code string) error

	// NoteCancelRefund records that the provider did not refund
	// cancelling order id in full: its refund (keyed by the order's ID)
	// is pending with one more attempt, or failed when the provider
	// refused it for good (refused), with the error's code. A failed one
	// takes the order out of CancellingOrders. CancelOrder later marks
	// it succeeded.
	NoteCancelRefund(ctx context.Context, id string, refused bool, code string, now time.Time) error
}

// RemainderValue returns what the units of order o that have not shipped
// are worth to the buyer, given how many units of each SKU shipped: the
// order's Total when nothing shipped; otherwise their share of what was
// paid for goods, shipping excluded. What was paid for goods (the pool) is
// Total less the shipping the buyer paid: Shipping less what the order's
// recorded free-shipping discount took off it (see goodsPool). The pool
// is shared over the units in proportion to each line's value after its
// discounts (LineTotal less Adjustments; by quantity when every line is
// free), by largest remainder, so that the shares of all units sum
// exactly to the pool and never exceed it: tax, line and order discounts
// follow the units that bore them.
func RemainderValue(o *Order, shipped map[string]int) Money {
	some := false
	for _, q := range shipped {
		some = some || q > 0
	}
	if !some {
		return o.Total
	}
	pool := goodsPool(o)
	// Each line is two parts: its shipped units and the rest.
	type part struct {
		num, den  *big.Int // the exact share, num/den
		unshipped bool
	}
	var nets []int64
	var net, units int64
	for _, l := range o.Items {
		n := max(0, lineNet(l))
		nets = append(nets, n)
		net += n
		units += int64(l.Quantity)
	}
	if units == 0 {
		return Money{Currency: o.Total.Currency}
	}
	var parts []part
	for i, l := range o.Items {
		if l.Quantity <= 0 {
			continue
		}
		s := min(max(0, shipped[l.SKU]), l.Quantity)
		for _, p := range []struct {
			q         int
			unshipped bool
		}{{s, false}, {l.Quantity - s, true}} {
			// share = pool * net_i * q / (quantity_i * net), or
			// pool * q / units when every line is free.
			num := big.NewInt(pool)
			den := big.NewInt(units)
			if net > 0 {
				num.Mul(num, big.NewInt(nets[i]))
				den = new(big.Int).Mul(big.NewInt(int64(l.Quantity)), big.NewInt(net))
			}
			num.Mul(num, big.NewInt(int64(p.q)))
			parts = append(parts, part{num: num, den: den, unshipped: p.unshipped})
		}
	}
	floors := make([]int64, len(parts))
	rems := make([]*big.Rat, len(parts))
	var given int64
	for i, p := range parts {
		q, r := new(big.Int).QuoRem(p.num, p.den, new(big.Int))
		floors[i] = q.Int64()
		rems[i] = new(big.Rat).SetFrac(r, p.den)
		given += floors[i]
	}
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	// The largest remainders get a unit each; ties go to the earlier part.
	slices.SortStableFunc(order, func(a, b int) int { return rems[b].Cmp(rems[a]) })
	for _, i := range order[:pool-given] {
		floors[i]++
	}
	var out int64
	for i, p := range parts {
		if p.unshipped {
			out += floors[i]
		}
	}
	return Money{Amount: out, Currency: o.Total.Currency}
}

// lineNet is what a line costs after its discounts.
func lineNet(l OrderLine) int64 {
	n := l.LineTotal.Amount
	for _, a := range l.Adjustments {
		n -= a.Amount.Amount
	}
	return n
}

// goodsPool is what the buyer of o paid for goods, tax on them included:
// Total less what they paid for shipping, within 0 and Total. An order
// keeps Shipping as charged before a free-shipping promotion and records
// that promotion's discount (o.Discounts) at the shipping it took off, so
// the shipping paid is Shipping less the discounts that took nothing off a
// line (see shippingDiscount). Tax on shipping, when shipping is taxed,
// stays in the pool.
func goodsPool(o *Order) int64 {
	paid := max(0, o.Shipping.Amount-shippingDiscount(o))
	return min(max(0, o.Total.Amount-paid), o.Total.Amount)
}

// shippingDiscount is what o's recorded discounts took off its shipping:
// the sum of those whose promotion adjusted no line. A percent or fixed
// promotion takes its discount off lines, each line recording its share
// as an adjustment; a free_shipping one touches only shipping.
func shippingDiscount(o *Order) int64 {
	var off int64
	for _, d := range o.Discounts {
		onLine := slices.ContainsFunc(o.Items, func(l OrderLine) bool {
			return slices.ContainsFunc(l.Adjustments, func(a Adjustment) bool { return a.PromotionID == d.PromotionID })
		})
		if !onLine && d.Amount.Currency == o.Shipping.Currency {
			off += max(0, d.Amount.Amount)
		}
	}
	return off
}
