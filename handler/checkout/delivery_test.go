package checkout_test

import (
	"context"
	"sync/atomic"
	"testing"

	"shopfn/handler/checkout"
	"shopfn/handler/commerce"
	"shopfn/handler/pricing"
)

// chargesFixture returns a fixture whose checkouts read their shipping
// options and tax rates from charges (nil: none).
func chargesFixture(t *testing.T, charges *atomic.Pointer[pricing.Charges]) *fixture {
	t.Helper()
	return newFixtureWith(t, func(c *checkout.Config) {
		c.Charges = func(context.Context) (*pricing.Charges, error) { return charges.Load(), nil }
	})
}

var (
	stdOption = commerce.ShippingOption{ID: "std", Name: "Standard", Currency: "USD", Amount: 300, Countries: []string{"US"}, Status: commerce.PricingActive}
	usRate    = commerce.TaxRate{Country: "US", Rate: 1000, ShippingTaxed: true}
)

// A checkout ships with the option it names and pays the destination's tax
// per line and on shipping; one that names none while an option serves the
// address is refused before anything is reserved.
func TestCheckoutShippingAndTax(t *testing.T) {
	ctx := context.Background()
	var charges atomic.Pointer[pricing.Charges]
	charges.Store(pricing.NewCharges([]commerce.ShippingOption{stdOption}, []commerce.TaxRate{usRate}))
	f := chargesFixture(t, &charges)

	_, err := f.svc.Checkout(ctx, request(f.cart(t, "A", 1), pmVisa), "key-none", "")
	wantCode(t, err, commerce.CodeInvalidShippingOption)
	f.wantStock(t, "A", 5, 0, 0)

	req := request(f.cart(t, "A", 1), pmVisa)
	req.ShippingOptionID = "std"
	out, err := f.svc.Checkout(ctx, req, "key-std", "")
	if err != nil {
		t.Fatal(err)
	}
	c := out.Checkout
	usd := func(a int64) commerce.Money { return commerce.Money{Amount: a, Currency: "USD"} }
	if want := (commerce.Totals{Subtotal: usd(1000), Shipping: usd(300), Tax: usd(130), Total: usd(1430)}); c.Totals != want {
		t.Errorf("totals: got %+v, want %+v", c.Totals, want)
	}
	if c.ShippingOptionID != "std" || len(c.TaxLines) != 2 || c.TaxLines[0].Amount != usd(100) || c.TaxLines[1].Kind != "shipping" || c.TaxLines[1].Amount != usd(30) {
		t.Errorf("got option %q, tax lines %+v, want std, 100 on A and 30 on shipping", c.ShippingOptionID, c.TaxLines)
	}
	stored, err := f.checkouts.Checkout(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.TaxLines) != 2 || stored.ShippingOptionID != "std" {
		t.Errorf("stored checkout: got %q, %+v, want the option and tax lines kept", stored.ShippingOptionID, stored.TaxLines)
	}
}

// A keyless checkout sent again after a shipping option began to serve its
// address replays its first answer; it is not refused by a rule that came
// after it.
func TestCheckoutKeylessReplayAfterOptionsChange(t *testing.T) {
	ctx := context.Background()
	var charges atomic.Pointer[pricing.Charges]
	f := chargesFixture(t, &charges)
	req := request(f.cart(t, "A", 1), pmVisa)
	first, err := f.svc.Checkout(ctx, req, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if first.Checkout.Shipping.Amount != 500 {
		t.Errorf("with no options: got shipping %v, want the flat 500", first.Checkout.Shipping)
	}
	charges.Store(pricing.NewCharges([]commerce.ShippingOption{stdOption}, nil))
	again, err := f.svc.Checkout(ctx, req, "", "")
	if err != nil {
		t.Fatalf("the same keyless request again: got %v, want its first answer", err)
	}
	if again.Checkout.ID != first.Checkout.ID || again.Replay == nil {
		t.Errorf("got checkout %s, replay %v, want %s replayed", again.Checkout.ID, again.Replay, first.Checkout.ID)
	}
	if f.pay.count() != 1 {
		t.Errorf("charges: got %d, want 1", f.pay.count())
	}
}
