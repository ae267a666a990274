package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// e2eCartTTL is the cart lifetime the harness configures.
const e2eCartTTL = 72 * time.Hour

// e2eCart and e2eItem are a cart's JSON as clients see it.
type e2eCart struct {
	ID        string    `json:"id"`
	Currency  string    `json:"currency"`
	Items     []e2eItem `json:"items"`
	ItemCount int       `json:"itemCount"`
	Subtotal  e2eMoney  `json:"subtotal"`
	ExpiresAt time.Time `json:"expiresAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

type e2eItem struct {
	SKU       string   `json:"sku"`
	ProductID string   `json:"productId"`
	Title     string   `json:"title"`
	Quantity  int      `json:"quantity"`
	UnitPrice e2eMoney `json:"unitPrice"`
	LineTotal e2eMoney `json:"lineTotal"`
}

// e2eLine is a line of a cart request.
type e2eLine struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// e2eCheckCart checks a 200 or 201 cart response: its shape, an ETag, and
// totals that add up. It returns the cart.
func e2eCheckCart(tb testing.TB, what string, res *Response) e2eCart {
	tb.Helper()
	e2eCheckShape(tb, what, res.Body, e2eCartShape)
	if res.Header.Get("ETag") == "" {
		tb.Errorf("%s: no ETag header", what)
	}
	var c e2eCart
	res.JSON(tb, &c)
	e2eCheckTotals(tb, what, c)
	return c
}

// e2eCheckTotals checks that lineTotal = unitPrice × quantity, subtotal =
// Σ lineTotal, itemCount = Σ quantity, all in the cart's currency, and that
// the cart expires e2eCartTTL after its last change.
func e2eCheckTotals(tb testing.TB, what string, c e2eCart) {
	tb.Helper()
	var sum int64
	var count int
	for _, it := range c.Items {
		if want := (e2eMoney{it.UnitPrice.Amount * int64(it.Quantity), c.Currency}); it.LineTotal != want {
			tb.Errorf("%s: line %s: lineTotal %+v, want unitPrice %+v × %d = %+v", what, it.SKU, it.LineTotal, it.UnitPrice, it.Quantity, want)
		}
		if it.UnitPrice.Currency != c.Currency {
			tb.Errorf("%s: line %s priced in %s, cart in %s", what, it.SKU, it.UnitPrice.Currency, c.Currency)
		}
		sum += it.LineTotal.Amount
		count += it.Quantity
	}
	if want := (e2eMoney{sum, c.Currency}); c.Subtotal != want {
		tb.Errorf("%s: subtotal %+v, want the sum of line totals %+v", what, c.Subtotal, want)
	}
	if c.ItemCount != count {
		tb.Errorf("%s: itemCount %d, want the sum of e2eQuantities %d", what, c.ItemCount, count)
	}
	if want := c.UpdatedAt.Add(e2eCartTTL); !c.ExpiresAt.Equal(want) {
		tb.Errorf("%s: expiresAt %v, want updatedAt + %v = %v", what, c.ExpiresAt, e2eCartTTL, want)
	}
}

// e2eQuantities returns a cart's quantities by SKU.
func e2eQuantities(c e2eCart) map[string]int {
	out := make(map[string]int, len(c.Items))
	for _, it := range c.Items {
		out[it.SKU] = it.Quantity
	}
	return out
}

// mustNewCart creates a cart holding lines (no body when lines is nil).
func (s e2eShop) mustNewCart(tb testing.TB, lines []e2eLine) e2eCart {
	tb.Helper()
	var body any
	if lines != nil {
		body = map[string][]e2eLine{"items": lines}
	}
	res := s.do(tb, "POST", "/api/carts", body)
	e2eWantStatus(tb, "POST /api/carts", res, 201)
	c := e2eCheckCart(tb, "POST /api/carts", res)
	if loc := res.Header.Get("Location"); !strings.HasSuffix(loc, "/api/carts/"+c.ID) {
		tb.Errorf("POST /api/carts: Location %q, want it to end /api/carts/%s", loc, c.ID)
	}
	return c
}

// mustGetCart returns GET /api/carts/{id}, which must be 200.
func (s e2eShop) mustGetCart(tb testing.TB, id string) e2eCart {
	tb.Helper()
	c, _ := s.cartCall(tb, 200, "GET", "/api/carts/"+id, nil)
	return c
}

// cartCall sends a cart request that must answer want (200 or 201) and
// returns the cart and its ETag.
func (s e2eShop) cartCall(tb testing.TB, want int, method, path string, body any, header ...string) (e2eCart, string) {
	tb.Helper()
	res := s.do(tb, method, path, body, header...)
	e2eWantStatus(tb, method+" "+path, res, want)
	return e2eCheckCart(tb, method+" "+path, res), res.Header.Get("ETag")
}

// mustStockedProduct creates an active product with one USD variant and
// sets its stock.
func (s e2eShop) mustStockedProduct(tb testing.TB, handle, sku string, amount, stock int64) e2eProduct {
	tb.Helper()
	p := s.mustCreateProduct(tb, e2eProductInput(handle, sku, amount))
	s.mustSetStock(tb, sku, stock)
	return p
}

func TestE2ECartLifecycle(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	teeIn := e2eProductInput("e2e-cart-tee", "E2E-TEE-M", 2500)
	teeIn.Variants = append(teeIn.Variants, e2eVariant{SKU: "E2E-TEE-L", Title: "L", Options: map[string]string{"size": "L"}, Price: e2eMoney{2700, "USD"}})
	tee := s.mustCreateProduct(t, teeIn)
	s.mustSetStock(t, "E2E-TEE-M", 50)
	s.mustSetStock(t, "E2E-TEE-L", 50)
	mug := s.mustStockedProduct(t, "e2e-cart-mug", "E2E-MUG", 1200, 50)
	products := map[string]e2eProduct{"E2E-TEE-M": tee, "E2E-TEE-L": tee, "E2E-MUG": mug}
	prices := map[string]int64{"E2E-TEE-M": 2500, "E2E-TEE-L": 2700, "E2E-MUG": 1200}

	// checkLines checks a cart's lines against want and the catalog.
	checkLines := func(t *testing.T, what string, c e2eCart, want map[string]int) {
		t.Helper()
		if diff := cmp.Diff(want, e2eQuantities(c)); diff != "" {
			t.Errorf("%s: e2eQuantities by SKU (-want +got):\n%s", what, diff)
		}
		for _, it := range c.Items {
			if it.ProductID != products[it.SKU].ID || it.Title == "" || it.UnitPrice != (e2eMoney{prices[it.SKU], "USD"}) {
				t.Errorf("%s: line %+v, want productId %s, a title and unitPrice %d USD from the catalog", what, it, products[it.SKU].ID, prices[it.SKU])
			}
		}
	}

	t.Run("CreateEmpty", func(t *testing.T) {
		for _, body := range []any{nil, `{}`, `{"items":[]}`} {
			res := s.do(t, "POST", "/api/carts", body)
			e2eWantStatus(t, fmt.Sprintf("POST /api/carts %v", body), res, 201)
			c := e2eCheckCart(t, "POST /api/carts", res)
			want := e2eCart{ID: c.ID, Currency: "USD", Items: []e2eItem{}, Subtotal: e2eMoney{0, "USD"}, ExpiresAt: c.ExpiresAt, UpdatedAt: c.UpdatedAt}
			if diff := cmp.Diff(want, c); diff != "" {
				t.Errorf("POST /api/carts %v: (-want +got):\n%s", body, diff)
			}
			if loc := res.Header.Get("Location"); !strings.HasSuffix(loc, "/api/carts/"+c.ID) {
				t.Errorf("Location = %q, want it to end /api/carts/%s", loc, c.ID)
			}
		}
	})

	t.Run("Flow", func(t *testing.T) {
		res := s.do(t, "POST", "/api/carts", map[string][]e2eLine{"items": {{"E2E-TEE-M", 2}, {"E2E-MUG", 1}}})
		e2eWantStatus(t, "POST /api/carts with items", res, 201)
		created := e2eCheckCart(t, "POST /api/carts", res)
		checkLines(t, "created", created, map[string]int{"E2E-TEE-M": 2, "E2E-MUG": 1})
		if created.Subtotal != (e2eMoney{2*2500 + 1200, "USD"}) {
			t.Errorf("created subtotal %+v, want 6200 USD", created.Subtotal)
		}
		path := "/api/carts/" + created.ID

		// Location leads to the cart.
		loc, err := url.Parse(res.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		got, etag := s.cartCall(t, 200, "GET", loc.RequestURI(), nil)
		if diff := cmp.Diff(created, got); diff != "" {
			t.Errorf("GET Location differs from the created cart (-created +got):\n%s", diff)
		}
		if etag != res.Header.Get("ETag") {
			t.Errorf("GET ETag %q, want the created cart's %q", etag, res.Header.Get("ETag"))
		}

		steps := []struct {
			name   string
			method string
			path   string
			body   any
			want   map[string]int
		}{
			{"AddToLine", "POST", path + "/items", e2eLine{"E2E-TEE-M", 3}, map[string]int{"E2E-TEE-M": 5, "E2E-MUG": 1}},
			{"AddNewLine", "POST", path + "/items", e2eLine{"E2E-TEE-L", 1}, map[string]int{"E2E-TEE-M": 5, "E2E-MUG": 1, "E2E-TEE-L": 1}},
			{"SetQuantity", "PUT", path + "/items/E2E-TEE-M", map[string]int{"quantity": 4}, map[string]int{"E2E-TEE-M": 4, "E2E-MUG": 1, "E2E-TEE-L": 1}},
			{"SetQuantityUp", "PUT", path + "/items/E2E-MUG", map[string]int{"quantity": 9}, map[string]int{"E2E-TEE-M": 4, "E2E-MUG": 9, "E2E-TEE-L": 1}},
			{"SetZeroRemoves", "PUT", path + "/items/E2E-MUG", map[string]int{"quantity": 0}, map[string]int{"E2E-TEE-M": 4, "E2E-TEE-L": 1}},
			{"Remove", "DELETE", path + "/items/E2E-TEE-L", nil, map[string]int{"E2E-TEE-M": 4}},
		}
		for _, st := range steps {
			c, tag := s.cartCall(t, 200, st.method, st.path, st.body)
			checkLines(t, st.name, c, st.want)
			if tag == etag {
				t.Errorf("%s: ETag %q did not change", st.name, tag)
			}
			etag = tag
			if diff := cmp.Diff(c, s.mustGetCart(t, created.ID)); diff != "" {
				t.Errorf("%s: GET differs from the write's response (-write +GET):\n%s", st.name, diff)
			}
		}

		res = s.do(t, "DELETE", path, nil)
		if res.Status != 204 || len(res.Body) != 0 {
			t.Errorf("DELETE %s: got %d %q, want 204 with no body", path, res.Status, res.Body)
		}
		for _, r := range []struct {
			method, path string
			body         any
		}{
			{"GET", path, nil},
			{"DELETE", path, nil},
			{"POST", path + "/items", e2eLine{"E2E-MUG", 1}},
			{"PUT", path + "/items/E2E-MUG", map[string]int{"quantity": 1}},
			{"DELETE", path + "/items/E2E-TEE-M", nil},
		} {
			e2eWantProblem(t, r.method+" "+r.path+" after DELETE", s.do(t, r.method, r.path, r.body), 404, "not_found")
		}
	})

	t.Run("Unknown", func(t *testing.T) {
		for _, id := range []string{"c00000000000000000000000000", "nope", "C00000000000000000000000000", strings.Repeat("c", 200)} {
			e2eWantProblem(t, "GET /api/carts/"+id, s.do(t, "GET", "/api/carts/"+id, nil), 404, "not_found")
			e2eWantProblem(t, "POST /api/carts/"+id+"/items", s.do(t, "POST", "/api/carts/"+id+"/items", e2eLine{"E2E-MUG", 1}), 404, "not_found")
		}
	})

	t.Run("PricesFromCatalog", func(t *testing.T) {
		c := s.mustNewCart(t, []e2eLine{{"E2E-MUG", 3}, {"E2E-TEE-L", 2}})
		p := mug
		p.Variants = []e2eVariant{{SKU: "E2E-MUG", Title: "M", Options: map[string]string{"size": "M"}, Price: e2eMoney{1550, "USD"}}}
		s.mustReplaceProduct(t, p)
		prices["E2E-MUG"] = 1550

		got := s.mustGetCart(t, c.ID)
		checkLines(t, "after the price change", got, map[string]int{"E2E-MUG": 3, "E2E-TEE-L": 2})
		if want := (e2eMoney{3*1550 + 2*2700, "USD"}); got.Subtotal != want {
			t.Errorf("subtotal after the price change: %+v, want %+v", got.Subtotal, want)
		}
	})
}

func TestE2ECartExpiry(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	s.mustStockedProduct(t, "e2e-expiry", "E2E-EXP", 1000, 100)

	idle := s.mustNewCart(t, []e2eLine{{"E2E-EXP", 1}})
	busy := s.mustNewCart(t, []e2eLine{{"E2E-EXP", 1}})
	if want := idle.UpdatedAt.Add(e2eCartTTL); !idle.ExpiresAt.Equal(want) {
		t.Errorf("new cart expiresAt %v, want %v", idle.ExpiresAt, want)
	}

	s.Clock.Advance(e2eCartTTL - time.Hour) // 71h
	s.mustGetCart(t, idle.ID)               // reading is not a change
	changed, _ := s.cartCall(t, 200, "POST", "/api/carts/"+busy.ID+"/items", e2eLine{"E2E-EXP", 1})
	if !changed.ExpiresAt.After(busy.ExpiresAt) {
		t.Errorf("after a change, expiresAt %v, want later than %v", changed.ExpiresAt, busy.ExpiresAt)
	}

	s.Clock.Advance(2 * time.Hour) // 73h after creation: idle expired
	for _, r := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/carts/" + idle.ID, nil},
		{"POST", "/api/carts/" + idle.ID + "/items", e2eLine{"E2E-EXP", 1}},
		{"PUT", "/api/carts/" + idle.ID + "/items/E2E-EXP", map[string]int{"quantity": 2}},
		{"DELETE", "/api/carts/" + idle.ID + "/items/E2E-EXP", nil},
		{"DELETE", "/api/carts/" + idle.ID, nil},
	} {
		e2eWantProblem(t, r.method+" "+r.path+" 73h after its last change", s.do(t, r.method, r.path, r.body), 404, "not_found")
	}
	if got := s.mustGetCart(t, busy.ID); e2eQuantities(got)["E2E-EXP"] != 2 {
		t.Errorf("cart changed 2h ago: e2eQuantities %v, want E2E-EXP: 2", e2eQuantities(got))
	}

	s.Clock.Advance(e2eCartTTL - 3*time.Hour) // 142h after creation, 71h after the change
	s.mustGetCart(t, busy.ID)
	s.Clock.Advance(2 * time.Hour) // 73h after the change
	e2eWantProblem(t, "GET a cart 73h after its last change", s.do(t, "GET", "/api/carts/"+busy.ID, nil), 404, "not_found")
}

// e2eIDBits estimates the random bits in ids: the positions that vary
// among them times log2 of the number of distinct characters seen there.
func e2eIDBits(ids []string) float64 {
	n := len(ids[0])
	chars := make(map[rune]bool)
	varying := 0
	for i := 0; i < n; i++ {
		seen := make(map[byte]bool)
		for _, id := range ids {
			seen[id[i]] = true
		}
		if len(seen) > 1 {
			varying++
			for c := range seen {
				chars[rune(c)] = true
			}
		}
	}
	return float64(varying) * math.Log2(float64(len(chars)))
}

func TestE2ECartIDs(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	const n = 100
	ids := make([]string, n)
	var wg sync.WaitGroup
	for w := range 10 {
		wg.Go(func() {
			for i := w; i < n; i += 10 {
				res, err := s.send("POST", "/api/carts", nil)
				if err != nil {
					t.Error(err)
					return
				}
				e2eCheckResponse(t, "POST", "/api/carts", res)
				if res.Status != 201 {
					t.Errorf("POST /api/carts: got %d %s, want 201", res.Status, res.Body)
					return
				}
				var c e2eCart
				if err := json.Unmarshal(res.Body, &c); err != nil {
					t.Error(err)
					return
				}
				ids[i] = c.ID
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	urlSafe := regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	seen := make(map[string]bool)
	for _, id := range ids {
		if seen[id] {
			t.Errorf("cart id %s was issued twice", id)
		}
		seen[id] = true
		if !urlSafe.MatchString(id) || len(id) != len(ids[0]) {
			t.Errorf("cart id %q: want URL-safe characters and the same length as %q", id, ids[0])
		}
	}
	if bits := e2eIDBits(ids); bits < 128 {
		t.Errorf("cart ids such as %q carry about %.0f random bits, want at least 128", ids[0], bits)
	}
	// Every issued ID works.
	for _, id := range ids[:5] {
		s.mustGetCart(t, id)
	}
}

func TestE2ECartIDBitsEstimate(t *testing.T) {
	// The estimate must refuse random UUIDs (122 bits) and accept 128 bits
	// of base32.
	t.Parallel()
	var uuids, base32s []string
	for range 100 {
		var b [16]byte
		rand.Read(b[:])
		b[6] = b[6]&0x0f | 0x40 // version 4
		b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
		u := hex.EncodeToString(b[:])
		uuids = append(uuids, u[:8]+"-"+u[8:12]+"-"+u[12:16]+"-"+u[16:20]+"-"+u[20:])
		base32s = append(base32s, "c"+rand.Text())
	}
	if bits := e2eIDBits(uuids); bits >= 128 {
		t.Errorf("e2eIDBits(UUIDv4s) = %.0f, want < 128", bits)
	}
	if bits := e2eIDBits(base32s); bits < 128 {
		t.Errorf("e2eIDBits(26 base32 characters) = %.0f, want >= 128", bits)
	}
}

func TestE2ECartIfMatch(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	s.mustStockedProduct(t, "e2e-ifmatch-a", "E2E-IFM-A", 1000, 100)
	s.mustStockedProduct(t, "e2e-ifmatch-b", "E2E-IFM-B", 500, 100)
	c := s.mustNewCart(t, []e2eLine{{"E2E-IFM-A", 1}})
	path := "/api/carts/" + c.ID
	_, etag0 := s.cartCall(t, 200, "GET", path, nil)

	after1, etag1 := s.cartCall(t, 200, "POST", path+"/items", e2eLine{"E2E-IFM-B", 2}, "If-Match", etag0)
	if etag1 == etag0 {
		t.Fatalf("ETag %q did not change on a write", etag0)
	}

	stale := []struct {
		method, path string
		body         any
	}{
		{"POST", path + "/items", e2eLine{"E2E-IFM-A", 1}},
		{"PUT", path + "/items/E2E-IFM-A", map[string]int{"quantity": 5}},
		{"DELETE", path + "/items/E2E-IFM-B", nil},
		{"DELETE", path, nil},
	}
	for _, r := range stale {
		for _, tag := range []string{etag0, `"no-such-etag"`} {
			res := s.do(t, r.method, r.path, r.body, "If-Match", tag)
			e2eWantProblem(t, r.method+" "+r.path+" If-Match: "+tag, res, 412, "precondition_failed")
		}
	}
	got, tag := s.cartCall(t, 200, "GET", path, nil)
	if diff := cmp.Diff(after1, got); diff != "" || tag != etag1 {
		t.Errorf("refused stale writes changed the cart: ETag %q, want %q; (-want +got):\n%s", tag, etag1, diff)
	}

	after2, etag2 := s.cartCall(t, 200, "PUT", path+"/items/E2E-IFM-A", map[string]int{"quantity": 5}, "If-Match", etag1)
	if e2eQuantities(after2)["E2E-IFM-A"] != 5 {
		t.Errorf("PUT with the current If-Match: e2eQuantities %v, want E2E-IFM-A: 5", e2eQuantities(after2))
	}
	_, etag3 := s.cartCall(t, 200, "DELETE", path+"/items/E2E-IFM-B", nil, "If-Match", etag2)
	e2eWantProblem(t, "DELETE cart with a stale If-Match", s.do(t, "DELETE", path, nil, "If-Match", etag2), 412, "precondition_failed")
	res := s.do(t, "DELETE", path, nil, "If-Match", etag3)
	e2eWantStatus(t, "DELETE cart with the current If-Match", res, 204)
	e2eWantProblem(t, "GET after DELETE", s.do(t, "GET", path, nil), 404, "not_found")
}

func TestE2ECartConcurrentWriters(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	s.mustStockedProduct(t, "e2e-conc", "E2E-CONC", 300, 500)
	const distinct = 20
	for i := range distinct {
		s.mustStockedProduct(t, fmt.Sprintf("e2e-conc-%d", i), fmt.Sprintf("E2E-CONC-%d", i), 100, 10)
	}

	// hammer runs n concurrent POSTs of line(i) to path, each of which must
	// answer 200.
	hammer := func(t *testing.T, path string, n int, line func(i int) e2eLine) {
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				res, err := s.send("POST", path, line(i))
				if err != nil {
					t.Error(err)
					return
				}
				e2eCheckResponse(t, "POST", path, res)
				if res.Status != 200 {
					t.Errorf("concurrent POST %s %+v: got %d %s, want 200", path, line(i), res.Status, res.Body)
				}
			})
		}
		wg.Wait()
	}

	t.Run("SameSKU", func(t *testing.T) {
		c := s.mustNewCart(t, nil)
		hammer(t, "/api/carts/"+c.ID+"/items", 40, func(int) e2eLine { return e2eLine{"E2E-CONC", 1} })
		got := s.mustGetCart(t, c.ID)
		if diff := cmp.Diff(map[string]int{"E2E-CONC": 40}, e2eQuantities(got)); diff != "" {
			t.Errorf("after 40 concurrent adds of 1 (-want +got):\n%s", diff)
		}
	})

	t.Run("DistinctSKUs", func(t *testing.T) {
		c := s.mustNewCart(t, []e2eLine{{"E2E-CONC", 1}})
		hammer(t, "/api/carts/"+c.ID+"/items", distinct, func(i int) e2eLine { return e2eLine{fmt.Sprintf("E2E-CONC-%d", i), 2} })
		want := map[string]int{"E2E-CONC": 1}
		for i := range distinct {
			want[fmt.Sprintf("E2E-CONC-%d", i)] = 2
		}
		if diff := cmp.Diff(want, e2eQuantities(s.mustGetCart(t, c.ID))); diff != "" {
			t.Errorf("after %d concurrent adds of distinct SKUs (-want +got):\n%s", distinct, diff)
		}
	})

	t.Run("ManyCarts", func(t *testing.T) {
		// Concurrent writers to different carts do not disturb each other.
		carts := make([]e2eCart, 8)
		for i := range carts {
			carts[i] = s.mustNewCart(t, nil)
		}
		var wg sync.WaitGroup
		for _, c := range carts {
			wg.Go(func() { hammer(t, "/api/carts/"+c.ID+"/items", 5, func(int) e2eLine { return e2eLine{"E2E-CONC", 1} }) })
		}
		wg.Wait()
		for _, c := range carts {
			if got := e2eQuantities(s.mustGetCart(t, c.ID)); got["E2E-CONC"] != 5 {
				t.Errorf("cart %s: e2eQuantities %v, want E2E-CONC: 5", c.ID, got)
			}
		}
	})
}

func TestE2ECartRules(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	s.mustStockedProduct(t, "e2e-rules-a", "E2E-A", 1000, 500)
	s.mustStockedProduct(t, "e2e-rules-low", "E2E-LOW", 800, 2)
	draft := s.mustStockedProduct(t, "e2e-rules-draft", "E2E-DRAFT", 900, 50)
	draft.Status = "draft"
	s.mustReplaceProduct(t, draft)
	archived := e2eProductInput("e2e-rules-archived", "E2E-ARCH", 900)
	archived.Status = "archived"
	s.mustCreateProduct(t, archived)
	s.mustSetStock(t, "E2E-ARCH", 50)
	gone := s.mustStockedProduct(t, "e2e-rules-gone", "E2E-GONE", 900, 50)
	e2eWantStatus(t, "DELETE a product", s.admin(t, "DELETE", "/api/admin/products/"+gone.ID, nil), 204)
	eur := e2eProductInput("e2e-rules-eur", "E2E-EUR", 1900)
	eur.Variants[0].Price.Currency = "EUR"
	s.mustCreateProduct(t, eur)
	s.mustSetStock(t, "E2E-EUR", 50)

	if l := s.mustSetStock(t, "E2E-LOW", 2); l.Available != 2 {
		t.Fatalf("E2E-LOW available = %d, want 2", l.Available)
	}

	// A full cart: 100 lines, and a 101st SKU to try.
	var full []e2eLine
	for i := range 101 {
		sku := fmt.Sprintf("E2E-FULL-%03d", i)
		s.mustStockedProduct(t, fmt.Sprintf("e2e-full-%03d", i), sku, 100, 10)
		full = append(full, e2eLine{sku, 1})
	}
	hundred, extra := full[:100], full[100]

	tests := []struct {
		name   string
		start  []e2eLine // the cart's lines before the request
		method string    // on the cart; "" means POST /api/carts with body
		path   string    // after /api/carts/{id}
		body   any
		code   string
	}{
		{"UnknownSKU", nil, "POST", "/items", e2eLine{"NO-SUCH-SKU", 1}, "unknown_sku"},
		{"UnknownSKUMalformed", nil, "POST", "/items", e2eLine{"no such sku!", 1}, "unknown_sku"},
		{"UnknownSKUSet", nil, "PUT", "/items/NO-SUCH-SKU", map[string]int{"quantity": 1}, "unknown_sku"},
		{"DraftSKU", nil, "POST", "/items", e2eLine{"E2E-DRAFT", 1}, "unknown_sku"},
		{"DraftSKUSet", []e2eLine{{"E2E-A", 1}}, "PUT", "/items/E2E-DRAFT", map[string]int{"quantity": 1}, "unknown_sku"},
		{"ArchivedSKU", nil, "POST", "/items", e2eLine{"E2E-ARCH", 1}, "unknown_sku"},
		{"DeletedProductSKU", nil, "POST", "/items", e2eLine{"E2E-GONE", 1}, "unknown_sku"},
		{"UnknownSKUNewCart", nil, "", "", []e2eLine{{"E2E-A", 1}, {"NO-SUCH-SKU", 1}}, "unknown_sku"},
		{"DraftSKUNewCart", nil, "", "", []e2eLine{{"E2E-DRAFT", 1}}, "unknown_sku"},

		{"QuantityZero", nil, "POST", "/items", e2eLine{"E2E-A", 0}, "quantity_limit"},
		{"QuantityNegative", nil, "POST", "/items", e2eLine{"E2E-A", -1}, "quantity_limit"},
		{"Quantity100", nil, "POST", "/items", e2eLine{"E2E-A", 100}, "quantity_limit"},
		{"QuantityHuge", nil, "POST", "/items", e2eLine{"E2E-A", math.MaxInt32}, "quantity_limit"},
		{"QuantitySumOver99", []e2eLine{{"E2E-A", 60}}, "POST", "/items", e2eLine{"E2E-A", 40}, "quantity_limit"},
		{"QuantitySet100", []e2eLine{{"E2E-A", 1}}, "PUT", "/items/E2E-A", map[string]int{"quantity": 100}, "quantity_limit"},
		{"QuantitySetNegative", []e2eLine{{"E2E-A", 1}}, "PUT", "/items/E2E-A", map[string]int{"quantity": -1}, "quantity_limit"},
		{"QuantityNewCart100", nil, "", "", []e2eLine{{"E2E-A", 100}}, "quantity_limit"},
		{"QuantityNewCartZero", nil, "", "", []e2eLine{{"E2E-A", 0}}, "quantity_limit"},
		{"QuantityNewCartSumOver99", nil, "", "", []e2eLine{{"E2E-A", 50}, {"E2E-A", 50}}, "quantity_limit"},

		{"CartFull", hundred, "POST", "/items", extra, "cart_full"},
		{"CartFullSet", hundred, "PUT", "/items/" + extra.SKU, map[string]int{"quantity": 1}, "cart_full"},
		{"CartFullNewCart", nil, "", "", full, "cart_full"},

		{"CurrencyMismatch", []e2eLine{{"E2E-A", 1}}, "POST", "/items", e2eLine{"E2E-EUR", 1}, "currency_mismatch"},
		{"CurrencyMismatchSet", []e2eLine{{"E2E-A", 1}}, "PUT", "/items/E2E-EUR", map[string]int{"quantity": 1}, "currency_mismatch"},
		{"CurrencyMismatchNewCart", nil, "", "", []e2eLine{{"E2E-A", 1}, {"E2E-EUR", 1}}, "currency_mismatch"},

		{"InsufficientStock", nil, "POST", "/items", e2eLine{"E2E-LOW", 3}, "insufficient_stock"},
		{"InsufficientStockSum", []e2eLine{{"E2E-LOW", 2}}, "POST", "/items", e2eLine{"E2E-LOW", 1}, "insufficient_stock"},
		{"InsufficientStockSet", []e2eLine{{"E2E-LOW", 1}}, "PUT", "/items/E2E-LOW", map[string]int{"quantity": 3}, "insufficient_stock"},
		{"InsufficientStockNewCart", nil, "", "", []e2eLine{{"E2E-LOW", 3}}, "insufficient_stock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.method == "" {
				res := s.do(t, "POST", "/api/carts", map[string]any{"items": tt.body})
				e2eWantProblem(t, "POST /api/carts", res, 422, tt.code)
				return
			}
			c := s.mustNewCart(t, tt.start)
			_, etag := s.cartCall(t, 200, "GET", "/api/carts/"+c.ID, nil)
			path := "/api/carts/" + c.ID + tt.path
			res := s.do(t, tt.method, path, tt.body)
			e2eWantProblem(t, tt.method+" "+path, res, 422, tt.code)

			after, tag := s.cartCall(t, 200, "GET", "/api/carts/"+c.ID, nil)
			if diff := cmp.Diff(c, after); diff != "" || tag != etag {
				t.Errorf("a refused write changed the cart: ETag %q → %q (-before +after):\n%s", etag, tag, diff)
			}
		})
	}

	// What the rules allow, right at their limits.
	allowed := []struct {
		name   string
		start  []e2eLine
		method string
		path   string
		body   any
		want   map[string]int
	}{
		{"Quantity99", nil, "POST", "/items", e2eLine{"E2E-A", 99}, map[string]int{"E2E-A": 99}},
		{"QuantitySumTo99", []e2eLine{{"E2E-A", 60}}, "POST", "/items", e2eLine{"E2E-A", 39}, map[string]int{"E2E-A": 99}},
		{"AllOfTheStock", []e2eLine{{"E2E-LOW", 1}}, "POST", "/items", e2eLine{"E2E-LOW", 1}, map[string]int{"E2E-LOW": 2}},
		{"FullCartExistingLine", hundred, "POST", "/items", hundred[0], nil},
		{"FullCartRemoveThenAdd", hundred[:99], "POST", "/items", extra, nil},
		{"DecreaseBelowStock", []e2eLine{{"E2E-LOW", 2}}, "PUT", "/items/E2E-LOW", map[string]int{"quantity": 1}, map[string]int{"E2E-LOW": 1}},
	}
	// An empty cart takes the currency of its first line (README), and then
	// holds to it.
	t.Run("EmptyCartTakesFirstLineCurrency", func(t *testing.T) {
		c := s.mustNewCart(t, nil)
		got, _ := s.cartCall(t, 200, "POST", "/api/carts/"+c.ID+"/items", e2eLine{"E2E-EUR", 1})
		if got.Currency != "EUR" || got.Subtotal.Currency != "EUR" {
			t.Errorf("got currency %q, subtotal %v; want EUR", got.Currency, got.Subtotal)
		}
		res := s.do(t, "POST", "/api/carts/"+c.ID+"/items", e2eLine{"E2E-A", 1})
		e2eWantProblem(t, "add a USD line to a EUR cart", res, 422, "currency_mismatch")
	})
	for _, tt := range allowed {
		t.Run("Allowed/"+tt.name, func(t *testing.T) {
			c := s.mustNewCart(t, tt.start)
			got, _ := s.cartCall(t, 200, tt.method, "/api/carts/"+c.ID+tt.path, tt.body)
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, e2eQuantities(got)); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			}
		})
	}
}
