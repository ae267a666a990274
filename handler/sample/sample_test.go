package sample

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"shopfn/handler/commerce"
)

var (
	now      = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	handleRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	skuRE    = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._-]{0,63}$`)
	slugRE   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

func TestProductsSize(t *testing.T) {
	products := Products(now)
	if got, want := len(products), 200; got < want {
		t.Errorf("len(Products) = %d, want at least %d", got, want)
	}
	perCategory := make(map[string]int)
	for _, p := range products {
		perCategory[p.Category]++
	}
	if got, want := len(perCategory), 6; got < want {
		t.Errorf("got %d categories %v, want at least %d", got, perCategory, want)
	}
	for category, n := range perCategory {
		if !slugRE.MatchString(category) {
			t.Errorf("category %q is not a lower-case slug", category)
		}
		if n < 20 {
			t.Errorf("category %s has %d products, want at least 20", category, n)
		}
	}
}

func TestProductsAttributes(t *testing.T) {
	// kind is "number" (a positive float64), "string" (non-empty), "strings"
	// (a non-empty []any of strings) or "bool".
	tests := []struct {
		category, key, kind string
	}{
		{"electronics", "brand", "string"},
		{"electronics", "wattage", "number"},
		{"clothing", "sizes", "strings"},
		{"clothing", "material", "string"},
		{"home-kitchen", "material", "string"},
		{"home-kitchen", "dishwasherSafe", "bool"},
		{"books", "author", "string"},
		{"books", "pages", "number"},
		{"books", "genre", "string"},
		{"sports-outdoors", "sport", "string"},
		{"sports-outdoors", "weightGrams", "number"},
		{"beauty", "volumeMl", "number"},
		{"beauty", "skinType", "string"},
		{"toys", "minAge", "number"},
		{"toys", "pieces", "number"},
	}
	products := Products(now)
	for _, tt := range tests {
		seen := 0
		for _, p := range products {
			if p.Category != tt.category {
				continue
			}
			seen++
			v, ok := p.Attributes[tt.key]
			if !ok {
				t.Errorf("%s: attribute %q missing; attributes %v", p.Handle, tt.key, p.Attributes)
				continue
			}
			if !hasKind(v, tt.kind) {
				t.Errorf("%s: attribute %q = %#v, want a %s", p.Handle, tt.key, v, tt.kind)
			}
		}
		if seen == 0 {
			t.Errorf("category %s: got no products, want some", tt.category)
		}
	}
}

// hasKind reports whether v is of the kind TestProductsAttributes names.
func hasKind(v any, kind string) bool {
	switch kind {
	case "number":
		n, ok := v.(float64)
		return ok && n > 0
	case "string":
		s, ok := v.(string)
		return ok && s != ""
	case "bool":
		_, ok := v.(bool)
		return ok
	case "strings":
		list, ok := v.([]any)
		if !ok || len(list) == 0 {
			return false
		}
		for _, e := range list {
			if s, ok := e.(string); !ok || s == "" {
				return false
			}
		}
		return true
	}
	return false
}

func TestProductsVariants(t *testing.T) {
	for _, p := range Products(now) {
		n := len(p.Variants)
		if n < 1 || n > 4 {
			t.Errorf("%s: got %d variants, want 1 to 4", p.Handle, n)
			continue
		}
		if n == 1 {
			v := p.Variants[0]
			if v.Title != "Default" || len(v.Options) != 0 {
				t.Errorf("%s: single variant has title %q and options %v, want \"Default\" and none", p.Handle, v.Title, v.Options)
			}
			continue
		}
		for _, v := range p.Variants {
			if len(v.Options) != 1 {
				t.Errorf("%s: variant %s has options %v, want exactly one", p.Handle, v.SKU, v.Options)
			}
			for name, value := range v.Options {
				if value != v.Title {
					t.Errorf("%s: variant %s has option %s=%q, want it to equal the title %q", p.Handle, v.SKU, name, value, v.Title)
				}
			}
		}
	}
}

func TestProductsUnique(t *testing.T) {
	ids := make(map[string]bool)
	handles := make(map[string]bool)
	skus := make(map[string]bool)
	for _, p := range Products(now) {
		if ids[p.ID] {
			t.Errorf("ID %s appears twice", p.ID)
		}
		if handles[p.Handle] {
			t.Errorf("handle %s appears twice", p.Handle)
		}
		ids[p.ID], handles[p.Handle] = true, true
		for _, v := range p.Variants {
			if skus[v.SKU] {
				t.Errorf("SKU %s appears twice", v.SKU)
			}
			skus[v.SKU] = true
		}
	}
}

func TestProductsWellFormed(t *testing.T) {
	for i, p := range Products(now) {
		if !commerce.IsID(p.ID, 'p') {
			t.Errorf("%s: ID %q is not a product ID", p.Handle, p.ID)
		}
		if len(p.Handle) > 100 || !handleRE.MatchString(p.Handle) {
			t.Errorf("handle %q is not a lower-case slug of at most 100 characters", p.Handle)
		}
		if p.Title == "" || p.Description == "" {
			t.Errorf("%s: title %q, description %q; want both non-empty", p.Handle, p.Title, p.Description)
		}
		if got, want := p.Status, commerce.StatusActive; got != want {
			t.Errorf("%s: status %q, want %q", p.Handle, got, want)
		}
		wantTime := now.Add(time.Duration(i) * time.Millisecond)
		if !p.CreatedAt.Equal(wantTime) || !p.UpdatedAt.Equal(wantTime) {
			t.Errorf("%s: created %v, updated %v, want both %v", p.Handle, p.CreatedAt, p.UpdatedAt, wantTime)
		}
		if n := len(p.Images); n < 1 || n > 3 {
			t.Errorf("%s: got %d images, want 1 to 3", p.Handle, n)
		}
		for _, url := range p.Images {
			if want := DefaultImageBase + ImagePath + p.Handle + "/"; !strings.HasPrefix(url, want) || !strings.HasSuffix(url, ".svg") {
				t.Errorf("%s: image %q, want %s<n>.svg", p.Handle, url, want)
			}
		}
		for _, v := range p.Variants {
			if !skuRE.MatchString(v.SKU) {
				t.Errorf("%s: SKU %q does not match %s", p.Handle, v.SKU, skuRE)
			}
			if v.Title == "" {
				t.Errorf("%s: variant %s has no title", p.Handle, v.SKU)
			}
			if v.Price.Amount <= 0 || v.Price.Currency != "USD" {
				t.Errorf("%s: variant %s costs %v, want a positive amount of USD", p.Handle, v.SKU, v.Price)
			}
			if err := v.Price.Validate(); err != nil {
				t.Errorf("%s: variant %s price: got error %v, want none", p.Handle, v.SKU, err)
			}
		}
	}
}

func TestProductsIDsSorted(t *testing.T) {
	products := Products(now)
	for i := 1; i < len(products); i++ {
		if prev, id := products[i-1].ID, products[i].ID; prev >= id {
			t.Errorf("product %d has ID %s, want it after product %d's ID %s", i, id, i-1, prev)
		}
	}
}

func TestProductsDeterministic(t *testing.T) {
	a := Products(now)
	b := Products(now.Add(time.Hour))
	if len(a) != len(b) {
		t.Fatalf("two calls gave %d and %d products, want the same number", len(a), len(b))
	}
	for i := range a {
		pa, pb := a[i], b[i]
		pa.ID, pa.CreatedAt, pa.UpdatedAt = "", time.Time{}, time.Time{}
		pb.ID, pb.CreatedAt, pb.UpdatedAt = "", time.Time{}, time.Time{}
		if !reflect.DeepEqual(pa, pb) {
			t.Errorf("product %d differs between calls:\n got %+v\nwant %+v", i, pb, pa)
		}
	}
	if sa, sb := Stock(a), Stock(b); !reflect.DeepEqual(sa, sb) {
		t.Errorf("Stock differs between calls: got %v, want %v", sb, sa)
	}
}

func TestStock(t *testing.T) {
	products := Products(now)
	stock := Stock(products)
	skus, low := 0, 0
	for _, p := range products {
		for _, v := range p.Variants {
			skus++
			n, ok := stock[v.SKU]
			if !ok {
				t.Errorf("SKU %s has no stock", v.SKU)
				continue
			}
			if n < 1 || n > maxStock {
				t.Errorf("SKU %s has %d on hand, want 1 to %d", v.SKU, n, maxStock)
			}
			if n < minStock {
				low++
			}
		}
	}
	if got, want := len(stock), skus; got != want {
		t.Errorf("Stock has %d SKUs, want %d", got, want)
	}
	if low == 0 || low > skus/10 {
		t.Errorf("%d of %d SKUs have low stock, want a few (about 3%%)", low, skus)
	}
}

// TestImage checks the sample images: an SVG for every image of every
// product, and nothing for a name that is not one.
func TestImage(t *testing.T) {
	for _, p := range Products(time.Now()) {
		for n := range p.Images {
			svg, ok := Image(p.Handle, n+1)
			if !ok || !strings.HasPrefix(string(svg), "<svg ") || !strings.HasSuffix(string(svg), "</svg>") || len(svg) > 2048 {
				t.Fatalf("%s image %d: got %v %q, want a small SVG", p.Handle, n+1, ok, svg)
			}
		}
	}
	for _, tc := range []struct {
		handle string
		n      int
	}{{"", 1}, {"Lamp", 1}, {"lamp<script>", 1}, {"lamp", 0}, {"lamp", MaxImages + 1}} {
		if _, ok := Image(tc.handle, tc.n); ok {
			t.Errorf("Image(%q, %d): got an image, want none", tc.handle, tc.n)
		}
	}
}
