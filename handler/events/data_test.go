package events

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"

	"shopfn/handler/commerce"
)

// personalWords are words of JSON field names (split at upper-case letters,
// lower-cased) that hold personal data; cardWords never appear in any event.
var (
	personalWords = []string{"email", "phone", "name", "address", "line1", "line2", "city", "postal", "ip"}
	cardWords     = []string{"card", "pan", "cvc", "cvv", "expiry", "payment"}
)

// fieldsMatching walks t's JSON fields (through structs, slices, maps and
// pointers) and returns the paths of those whose name contains one of
// words, and of those whose type is an interface (which could hold anything).
func fieldsMatching(t reflect.Type, path string, words []string, seen map[reflect.Type]bool) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		if t.Kind() == reflect.Map && t.Key().Kind() != reflect.String {
			return []string{path + " (map key)"}
		}
		t = t.Elem()
	}
	if t.Kind() == reflect.Interface {
		return []string{path + " (interface)"}
	}
	if t.Kind() != reflect.Struct || seen[t] || t.PkgPath() == "time" {
		return nil
	}
	seen[t] = true
	defer delete(seen, t)
	var found []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if f.Anonymous && name == "" {
			found = append(found, fieldsMatching(f.Type, path, words, seen)...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		for _, w := range words {
			if slices.Contains(nameWords(name), w) {
				found = append(found, path+"."+name)
			}
		}
		found = append(found, fieldsMatching(f.Type, path+"."+name, words, seen)...)
	}
	return found
}

// nameWords splits a camelCase name into lower-case words:
// "shippingAddress" is "shipping" and "address".
func nameWords(name string) []string {
	var words []string
	start := 0
	for i, r := range name {
		if i > 0 && unicode.IsUpper(r) {
			words = append(words, strings.ToLower(name[start:i]))
			start = i
		}
	}
	return append(words, strings.ToLower(name[start:]))
}

func TestNoPersonalDataOutsideOrdersAndCustomers(t *testing.T) {
	for _, typ := range Types() {
		personal := strings.HasPrefix(string(typ), "order.") || strings.HasPrefix(string(typ), "customer.")
		if typ.Personal() != personal {
			t.Errorf("%s: Personal() = %v, want %v", typ, typ.Personal(), personal)
		}
		if personal {
			continue
		}
		if got := fieldsMatching(typ.DataType(), "data", personalWords, map[reflect.Type]bool{}); len(got) > 0 {
			t.Errorf("%s may not carry personal data, but has %v", typ, got)
		}
	}
}

func TestNoCardData(t *testing.T) {
	for _, typ := range Types() {
		if got := fieldsMatching(typ.DataType(), "data", cardWords, map[reflect.Type]bool{}); len(got) > 0 {
			t.Errorf("%s carries %v", typ, got)
		}
	}
}

// TestDetectorFinds shows the walker would catch personal and card fields,
// so that the two tests above can fail.
func TestDetectorFinds(t *testing.T) {
	if got := fieldsMatching(reflect.TypeFor[OrderPlacedData](), "data", personalWords, map[reflect.Type]bool{}); len(got) < 2 {
		t.Errorf("order.placed: got %v, want at least data.email and data.shippingAddress", got)
	}
	if got := fieldsMatching(reflect.TypeFor[commerce.Order](), "data", cardWords, map[reflect.Type]bool{}); len(got) != 0 {
		t.Errorf("commerce.Order: got %v, want none (PaymentID is json:\"-\")", got)
	}
	type leaky struct {
		Lines []struct {
			Payment struct{ Card string } `json:"payment"`
		} `json:"lines"`
		Extra map[string]any `json:"extra"`
	}
	got := fieldsMatching(reflect.TypeFor[leaky](), "data", cardWords, map[reflect.Type]bool{})
	want := []string{"data.lines.payment", "data.lines.payment.Card", "data.extra (interface)"}
	if got := nameWords("customerIPAddress"); strings.Join(got, " ") != "customer i p address" {
		t.Errorf("nameWords: got %v", got)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("leaky: got %v, want %v", got, want)
	}
}

func TestFrom(t *testing.T) {
	o := commerce.Order{ID: "o1", Email: "a@example.com", PaymentID: "pi_secret", Status: commerce.OrderPlaced}
	if got := OrderFrom(o); got.ID != "o1" || got.Email != "a@example.com" || got.Status != commerce.OrderPlaced {
		t.Errorf("OrderFrom: got %+v", got)
	}
	l := LevelFrom(commerce.StockLevel{SKU: "A", OnHand: 10, Committed: 3, Reserved: 4})
	if l.Available != 3 {
		t.Errorf("LevelFrom: available %d, want 3", l.Available)
	}
	p := ProductFrom(commerce.Product{ID: "p1", Attributes: map[string]any{"x": 1}, Variants: []commerce.Variant{{SKU: "A", Title: "M"}}})
	if p.ID != "p1" || len(p.Variants) != 1 || p.Variants[0].SKU != "A" {
		t.Errorf("ProductFrom: got %+v", p)
	}
}
