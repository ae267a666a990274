package cart

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"shopfn/handler/commerce"
)

// Checkouts tells the cart rules which checkout holds a cart. The
// relational store decides it (commerce.CheckoutStore has this method); the
// cart document's status is a copy kept in step with it.
type Checkouts interface {
	CartCheckout(ctx context.Context, cartID string) (*commerce.Checkout, error)
}

// status returns where cart c stands, asking the relational store when the
// document says it is not open: a copy left behind by a crash between a
// checkout's release and the document's reopening must not keep it closed.
// It returns the status and the order ID of a completed cart.
func (s *Service) status(ctx context.Context, c *commerce.Cart) (commerce.CartStatus, string, error) {
	if c.Open() {
		return commerce.CartOpen, "", nil
	}
	if c.Status == commerce.CartCompleted || c.Status == commerce.CartMerged || s.checkouts == nil {
		return c.Status, c.OrderID, nil
	}
	k, err := s.checkouts.CartCheckout(ctx, c.ID)
	switch {
	case commerce.ErrorCode(err) == commerce.CodeNotFound:
		return commerce.CartOpen, "", nil
	case err != nil:
		return "", "", fmt.Errorf("cart: checkout of %s: %w", c.ID, err)
	case k.Status == commerce.CheckoutPaid:
		return commerce.CartCompleted, k.OrderID, nil
	}
	return commerce.CartCheckingOut, "", nil
}

// Closed returns the "cart_closed" error of a cart that is not open. It
// never names the cart's order: a cart ID is not proof of being the buyer.
func Closed(id string) error {
	return commerce.Errorf(commerce.KindConflict, commerce.CodeCartClosed, "cart %s is being checked out or was checked out; it can no longer change", id)
}

// Hold marks cart id as checked out by checkout k, which the relational store
// already made the cart's live checkout. It succeeds only while the cart
// holds exactly k's lines, written with an ETag-conditional write, so that a
// cart write that raced the checkout's pricing is never charged for: then it
// returns "cart_changed".
func (s *Service) Hold(ctx context.Context, id string, k *commerce.Checkout) error {
	for attempt := 1; ; attempt++ {
		c, err := s.load(ctx, id)
		if err != nil {
			return err
		}
		if c.CheckoutID == k.ID && c.Status == commerce.CartCheckingOut {
			return nil
		}
		if !sameLines(c, k) || c.Status == commerce.CartMerged {
			return commerce.Errorf(commerce.KindConflict, commerce.CodeCartChanged, "cart %s changed while it was being checked out; nothing was charged; check out again", id)
		}
		read := c.ETag
		c.Status, c.CheckoutID, c.OrderID = commerce.CartCheckingOut, k.ID, ""
		err = s.carts.ReplaceCart(ctx, c, read)
		if err == nil || commerce.ErrorKind(err) != commerce.KindPrecondition || attempt == maxAttempts {
			return err
		}
	}
}

// Settle copies where checkout k ended into its cart's document: completed
// when paid, open again when released. It changes nothing when the document
// belongs to another checkout.
func (s *Service) Settle(ctx context.Context, id string, k *commerce.Checkout) error {
	for attempt := 1; ; attempt++ {
		c, err := s.carts.Cart(ctx, id)
		if err != nil {
			return err
		}
		if c.CheckoutID != k.ID {
			return nil
		}
		read := c.ETag
		if k.Status == commerce.CheckoutPaid {
			if c.Status == commerce.CartCompleted {
				return nil
			}
			c.Status, c.OrderID = commerce.CartCompleted, k.OrderID
		} else {
			c.Status, c.CheckoutID, c.OrderID = commerce.CartOpen, "", ""
		}
		err = s.carts.ReplaceCart(ctx, c, read)
		if err == nil || commerce.ErrorKind(err) != commerce.KindPrecondition || attempt == maxAttempts {
			return err
		}
	}
}

// sameLines reports whether cart c holds exactly checkout k's SKUs and
// quantities, in its currency.
func sameLines(c *commerce.Cart, k *commerce.Checkout) bool {
	if len(c.Lines) != len(k.Lines) || (len(k.Lines) > 0 && c.Currency != k.Lines[0].UnitPrice.Currency) {
		return false
	}
	want := make(map[string]int, len(k.Lines))
	for _, l := range k.Lines {
		want[l.SKU] = l.Quantity
	}
	for _, l := range c.Lines {
		if q, ok := want[l.SKU]; !ok || q != l.Quantity {
			return false
		}
	}
	return true
}

// etag returns the ETag of a priced cart: the document's version and a hash
// of what the buyer sees, so that a repricing or an archived product changes
// it although the document did not change.
func etag(version string, p *Priced) string {
	b := make([]byte, 0, 64+48*(len(p.Items)+len(p.Unavailable)))
	b = append(append(append(b, p.Status...), '|'), p.OrderID...)
	b = strconv.AppendInt(append(append(append(b, '|'), p.Currency...), '|'), p.Subtotal.Amount, 10)
	b = discountKey(b, p)
	for _, l := range p.Items {
		b = append(append(b, '|'), l.SKU...)
		b = strconv.AppendInt(append(b, ':'), int64(l.Quantity), 10)
		b = strconv.AppendInt(append(b, ':'), l.UnitPrice.Amount, 10)
		b = append(append(append(append(b, ':'), l.UnitPrice.Currency...), ':'), l.Title...)
		if l.CompareAtPrice != nil {
			b = strconv.AppendInt(append(append(append(b, ':'), l.PriceListID...), ':'), l.CompareAtPrice.Amount, 10)
		}
	}
	for _, l := range p.Unavailable {
		b = strconv.AppendInt(append(append(append(b, "|-"...), l.SKU...), ':'), int64(l.Quantity), 10)
	}
	h := fnv.New64a()
	h.Write(b)
	return `"` + strings.Trim(version, `"`) + "." + strconv.FormatUint(h.Sum64(), 16) + `"`
}

// version returns the document version an ETag from etag was made from, or
// the ETag itself when it is a plain document ETag.
func version(tag string) string {
	t := strings.Trim(tag, `"`)
	if i := strings.LastIndexByte(t, '.'); i >= 0 {
		t = t[:i]
	}
	return `"` + t + `"`
}
