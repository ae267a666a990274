package sample

import (
	"context"
	"errors"
	"strings"
	"testing"

	"shopfn/handler/commerce"
)

// fakeCatalog is a CatalogStore for TestLoad that keeps products in a map.
// It implements only CreateProduct; the embedded nil interface makes any
// other method panic, which Load must not call.
type fakeCatalog struct {
	commerce.CatalogStore
	products map[string]commerce.Product // keyed by ID
	failAt   int                         // the call of CreateProduct that fails, counting from 1; 0 for none
	calls    int
}

func (c *fakeCatalog) CreateProduct(_ context.Context, p *commerce.Product) error {
	c.calls++
	if c.calls == c.failAt {
		return errBroken
	}
	for _, q := range c.products {
		if q.Handle == p.Handle {
			return commerce.Errorf(commerce.KindConflict, commerce.CodeHandleTaken, "handle %s is taken", p.Handle)
		}
	}
	p.ETag = "1"
	c.products[p.ID] = *p
	return nil
}

// fakeInventory is an InventoryStore for TestLoad that keeps on-hand counts
// in a map.
type fakeInventory struct {
	onHand map[string]int64 // keyed by SKU
	failOn string           // the SKU whose SetOnHand fails; "" for none
}

func (s *fakeInventory) StockLevels(_ context.Context, skus []string) (map[string]commerce.StockLevel, error) {
	levels := make(map[string]commerce.StockLevel)
	for _, sku := range skus {
		levels[sku] = commerce.StockLevel{SKU: sku, OnHand: s.onHand[sku]}
	}
	return levels, nil
}

func (s *fakeInventory) SetOnHand(_ context.Context, sku string, onHand int64) (commerce.StockLevel, error) {
	if sku == s.failOn {
		return commerce.StockLevel{}, errBroken
	}
	s.onHand[sku] = onHand
	return commerce.StockLevel{SKU: sku, OnHand: onHand}, nil
}

func (s *fakeInventory) WriteOff(_ context.Context, sku string) (commerce.StockLevel, error) {
	s.onHand[sku] = 0
	return commerce.StockLevel{SKU: sku}, nil
}

var errBroken = errors.New("store is broken")

func TestLoad(t *testing.T) {
	products := Products(now)
	stock := Stock(products)
	third := products[2]

	tests := []struct {
		name      string
		failAt    int    // the CreateProduct call that fails
		failOn    string // the SKU whose SetOnHand fails
		wantN     int
		wantError string // a substring of the error; "" for no error
	}{
		{name: "all", wantN: len(products)},
		{name: "create fails", failAt: 3, wantN: 2, wantError: "sample: create " + third.Handle + ": "},
		{name: "stock fails", failOn: third.Variants[0].SKU, wantN: 3, wantError: "sample: set stock of " + third.Variants[0].SKU + ": "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			catalog := &fakeCatalog{products: make(map[string]commerce.Product), failAt: tt.failAt}
			inventory := &fakeInventory{onHand: make(map[string]int64), failOn: tt.failOn}

			n, err := Load(context.Background(), catalog, inventory, now, "")
			if n != tt.wantN {
				t.Errorf("Load returned %d, want %d", n, tt.wantN)
			}
			if tt.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantError) {
					t.Errorf("Load error = %v, want one containing %q", err, tt.wantError)
				}
				if !errors.Is(err, errBroken) {
					t.Errorf("Load error = %v, want it to wrap %v", err, errBroken)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: got error %v, want none", err)
			}
			if got, want := len(catalog.products), len(products); got != want {
				t.Errorf("catalog holds %d products, want %d", got, want)
			}
			for _, p := range catalog.products {
				if p.ETag == "" {
					t.Errorf("%s: stored without going through CreateProduct", p.Handle)
				}
			}
			if got, want := len(inventory.onHand), len(stock); got != want {
				t.Errorf("inventory holds %d SKUs, want %d", got, want)
			}
			for sku, want := range stock {
				if got := inventory.onHand[sku]; got != want {
					t.Errorf("SKU %s: on hand %d, want %d", sku, got, want)
				}
			}
		})
	}
}

// TestLoadTwice is two instances loading one empty store: the second finds
// every product there and creates nothing, without an error.
func TestLoadTwice(t *testing.T) {
	catalog := &fakeCatalog{products: make(map[string]commerce.Product)}
	inventory := &fakeInventory{onHand: make(map[string]int64)}
	if _, err := Load(context.Background(), catalog, inventory, now, ""); err != nil {
		t.Fatal(err)
	}
	n, err := Load(context.Background(), catalog, inventory, now, "")
	if n != 0 || err != nil {
		t.Errorf("second Load: got %d, %v; want 0, no error", n, err)
	}
	if got, want := len(catalog.products), len(Products(now)); got != want {
		t.Errorf("catalog holds %d products, want %d", got, want)
	}
}

func TestSlug(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Halcyon Bluetooth Speaker", "halcyon-bluetooth-speaker"},
		{"Modern Chef's Knife", "modern-chefs-knife"},
		{"Tidewell USB-C Wall Charger", "tidewell-usb-c-wall-charger"},
		{"  All-Weather -- 27-Inch 4K Monitor! ", "all-weather-27-inch-4k-monitor"},
		{"Crème Brûlée", "cr-me-br-l-e"},
		{strings.Repeat("ab ", 50), strings.TrimSuffix(strings.Repeat("ab-", 30), "-")},
	}
	for _, tt := range tests {
		if got := slug(tt.in); got != tt.want {
			t.Errorf("slug(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUniqueHandle(t *testing.T) {
	handles := make(map[string]bool)
	tests := []struct {
		in, want string
	}{
		{"classic-hoodie", "classic-hoodie"},
		{"classic-hoodie", "classic-hoodie-2"},
		{"classic-hoodie", "classic-hoodie-3"},
		{"classic-hoodie-2", "classic-hoodie-2-2"},
		{"urban-jeans", "urban-jeans"},
	}
	for _, tt := range tests {
		if got := uniqueHandle(tt.in, handles); got != tt.want {
			t.Errorf("uniqueHandle(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestJoinList(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"ebook"}, "ebook"},
		{[]string{"hardcover", "ebook"}, "hardcover and ebook"},
		{[]string{"hardcover", "paperback", "ebook"}, "hardcover, paperback and ebook"},
	}
	for _, tt := range tests {
		if got := joinList(tt.in); got != tt.want {
			t.Errorf("joinList(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
