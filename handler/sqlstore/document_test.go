package sqlstore

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

// The documents under testdata were written by the code before checkoutDoc
// and orderDoc held their own types (they embedded commerce.Address,
// commerce.OrderLine, commerce.Totals and commerce.Order): they are what
// existing installs hold. Never regenerate them.

var docTime = time.Date(2026, 11, 27, 4, 45, 12, 123456789, time.UTC)

func eur(amount int64) commerce.Money { return commerce.Money{Amount: amount, Currency: "EUR"} }

// testCheckout is a paid checkout with every stored field set.
func testCheckout() *commerce.Checkout {
	return &commerce.Checkout{
		ID: "chk_1", IdempotencyKey: "key-1", RequestHash: "3f2a", CartID: "cart_1", Client: "203.0.113.7",
		OrderID: "ord_1", Email: "buyer@example.com",
		Address:       commerce.Address{Name: "Ada Buyer", Line1: "1 Main St", Line2: "Flat 2", City: "Dublin", PostalCode: "D01 F5P2", Country: "IE"},
		PaymentMethod: "pm_card_visa",
		Lines: []commerce.OrderLine{
			{SKU: "MUG-BLUE-S", ProductID: "prod_1", Title: "Blue mug (Small)", Quantity: 2, UnitPrice: eur(1250), LineTotal: eur(2500)},
			{SKU: "MUG-BLUE-L", ProductID: "prod_1", Title: "Blue mug (Large)", Quantity: 1, UnitPrice: eur(1500), LineTotal: eur(1500)},
		},
		Totals:    commerce.Totals{Subtotal: eur(4000), Shipping: eur(500), Tax: eur(920), Total: eur(5420)},
		Status:    commerce.CheckoutPaid,
		PaymentID: "pi_1",
		CreatedAt: docTime, UpdatedAt: docTime.Add(time.Minute),
	}
}

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCheckoutDoc checks that checkout documents as existing installs hold
// them decode to the checkout that wrote them, and that a checkout is
// written as the same document.
func TestCheckoutDoc(t *testing.T) {
	for _, tt := range []struct {
		golden string
		client string
	}{
		{"checkout.json", "203.0.113.7"},
		{"checkout-noclient.json", ""},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			golden := readGolden(t, tt.golden)
			want := testCheckout()
			want.Client = tt.client
			var got commerce.Checkout
			if err := decodeCheckout(golden, &got); err != nil {
				t.Fatal(err)
			}
			// The document holds the unchanging part; columns hold the rest.
			keep := commerce.Checkout{
				RequestHash: want.RequestHash, CartID: want.CartID, Client: want.Client, Email: want.Email,
				Address: want.Address, PaymentMethod: want.PaymentMethod, Lines: want.Lines, Totals: want.Totals,
			}
			if diff := cmp.Diff(keep, got); diff != "" {
				t.Errorf("decodeCheckout(testdata/%s) mismatch (-want +got):\n%s", tt.golden, diff)
			}
			doc, err := encodeCheckout(want)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(doc, golden) {
				t.Errorf("encodeCheckout = %s\nwant %s", doc, golden)
			}
		})
	}
}

// TestOrderDoc is TestCheckoutDoc for the order a paid checkout places.
func TestOrderDoc(t *testing.T) {
	golden := readGolden(t, "order.json")
	want := orderFromCheckout(testCheckout(), commerce.OrderPlaced, docTime.Add(2*time.Minute))
	var got commerce.Order
	if err := decodeOrder(golden, &got); err != nil {
		t.Fatal(err)
	}
	// The columns, not the document, hold the ID, status and times.
	got.ID, got.Status, got.CreatedAt = want.ID, want.Status, want.CreatedAt
	if diff := cmp.Diff(want, &got); diff != "" {
		t.Errorf("decodeOrder(testdata/order.json) mismatch (-want +got):\n%s", diff)
	}
	doc, err := encodeOrder(want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, golden) {
		t.Errorf("encodeOrder = %s\nwant %s", doc, golden)
	}
}
