package sqlite

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

// The documents under testdata were written by the code before productDoc
// and cartDoc existed (json.Marshal of commerce.Product and commerce.Cart):
// they are what existing installs hold. Never regenerate them.

var docTime = time.Date(2026, 11, 27, 4, 45, 12, 123456789, time.UTC)

// testProduct is a product with every field set.
func testProduct() *commerce.Product {
	return &commerce.Product{
		ID: "prod_1", Handle: "blue-mug", Title: "Blue mug", Description: "A mug.\nBlue.",
		Category: "kitchen",
		Attributes: map[string]any{
			"material": "stoneware", "capacityMl": float64(350), "dishwasherSafe": true,
			"colours": []any{"blue", "white"}, "size": map[string]any{"heightCm": 9.5},
		},
		Images: []string{"https://example.com/mug.jpg", "https://example.com/mug-2.jpg"},
		Status: commerce.StatusActive,
		Variants: []commerce.Variant{
			{SKU: "MUG-BLUE-S", Title: "Small", Options: map[string]string{"size": "S"}, Price: commerce.Money{Amount: 1250, Currency: "EUR"}},
			{SKU: "MUG-BLUE-L", Title: "Large", Options: map[string]string{"size": "L"}, Price: commerce.Money{Amount: 1500, Currency: "EUR"}},
		},
		CreatedAt: docTime, UpdatedAt: docTime.Add(time.Hour),
	}
}

// testCarts are carts as each state stores them.
func testCarts() map[string]*commerce.Cart {
	return map[string]*commerce.Cart{
		"cart-open.json": {
			ID: "cart_1", Currency: "EUR",
			Lines:     []commerce.CartLine{{SKU: "MUG-BLUE-S", Quantity: 2}, {SKU: "MUG-BLUE-L", Quantity: 1}},
			CreatedAt: docTime, UpdatedAt: docTime.Add(time.Minute), ExpiresAt: docTime.Add(24 * time.Hour),
		},
		"cart-closed.json": {
			ID: "cart_2", Currency: "USD",
			Lines:     []commerce.CartLine{{SKU: "MUG-BLUE-S", Quantity: 1}},
			CreatedAt: docTime, UpdatedAt: docTime.Add(time.Minute), ExpiresAt: docTime.Add(24 * time.Hour),
			Status: commerce.CartCompleted, CheckoutID: "chk_1", OrderID: "ord_1",
		},
		"cart-empty.json": {
			ID: "cart_3", Currency: "EUR",
			CreatedAt: docTime, UpdatedAt: docTime, ExpiresAt: docTime.Add(24 * time.Hour),
		},
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

// TestProductDoc checks that a product document as existing installs hold
// it decodes to the product that wrote it, and that a product is written
// as the same document.
func TestProductDoc(t *testing.T) {
	golden := readGolden(t, "product.json")
	want := testProduct()
	got, err := decodeProduct(golden, 7)
	if err != nil {
		t.Fatal(err)
	}
	want.ETag = productETag(want.ID, 7)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decodeProduct(testdata/product.json) mismatch (-want +got):\n%s", diff)
	}
	doc, err := encodeProduct(want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, golden) {
		t.Errorf("encodeProduct = %s\nwant %s", doc, golden)
	}
}

// TestCartDoc is TestProductDoc for carts, in each state a cart is stored.
func TestCartDoc(t *testing.T) {
	for name, want := range testCarts() {
		t.Run(name, func(t *testing.T) {
			golden := readGolden(t, name)
			got, err := decodeCart(golden, 3)
			if err != nil {
				t.Fatal(err)
			}
			want.ETag = etag(3)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("decodeCart(testdata/%s) mismatch (-want +got):\n%s", name, diff)
			}
			doc, err := encodeCart(want)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(doc, golden) {
				t.Errorf("encodeCart = %s\nwant %s", doc, golden)
			}
		})
	}
}
