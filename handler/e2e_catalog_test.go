package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

// e2eMoney, e2eVariant and e2eProduct are the catalog's JSON as clients
// see it. e2eProduct is also the body of admin product writes.
type e2eMoney struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

type e2eVariant struct {
	SKU     string            `json:"sku"`
	Title   string            `json:"title"`
	Options map[string]string `json:"options"`
	Price   e2eMoney          `json:"price"`
}

type e2eProduct struct {
	ID          string         `json:"id,omitempty"`
	Handle      string         `json:"handle"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Category    string         `json:"category"`
	Attributes  map[string]any `json:"attributes"`
	Images      []string       `json:"images"`
	Status      string         `json:"status"`
	Variants    []e2eVariant   `json:"variants"`
	CreatedAt   time.Time      `json:"createdAt,omitzero"`
	UpdatedAt   time.Time      `json:"updatedAt,omitzero"`
}

type e2ePage struct {
	Items      []e2eProduct `json:"items"`
	NextCursor *string      `json:"nextCursor"`
}

type e2eCategory struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	ProductCount int    `json:"productCount"`
}

type e2eStock struct {
	SKU       string `json:"sku"`
	OnHand    int64  `json:"onHand"`
	Committed int64  `json:"committed"`
	Reserved  int64  `json:"reserved"`
	Available int64  `json:"available"`
}

// e2eProductInput returns an active product in category "e2e" with one
// USD variant.
func e2eProductInput(handle, sku string, amount int64) e2eProduct {
	return e2eProduct{
		Handle:      handle,
		Title:       "E2E " + handle,
		Description: "A product the end-to-end tests made.",
		Category:    "e2e",
		Attributes:  map[string]any{"material": "cotton", "weightGrams": 250.0},
		Images:      []string{"https://images.example.com/" + handle + ".jpg"},
		Status:      "active",
		Variants: []e2eVariant{
			{SKU: sku, Title: "M", Options: map[string]string{"size": "M"}, Price: e2eMoney{Amount: amount, Currency: "USD"}},
		},
	}
}

// mustCreateProduct creates a product via admin and returns it as created.
func (s e2eShop) mustCreateProduct(tb testing.TB, in e2eProduct) e2eProduct {
	tb.Helper()
	res := s.admin(tb, "POST", "/api/admin/products", in)
	e2eWantStatus(tb, "POST /api/admin/products "+in.Handle, res, 201)
	e2eCheckShape(tb, "created product", res.Body, e2eProductShape)
	var p e2eProduct
	res.JSON(tb, &p)
	return p
}

// mustReplaceProduct replaces a product via admin and returns it.
func (s e2eShop) mustReplaceProduct(tb testing.TB, p e2eProduct) e2eProduct {
	tb.Helper()
	res := s.admin(tb, "PUT", "/api/admin/products/"+p.ID, p)
	e2eWantStatus(tb, "PUT /api/admin/products/"+p.ID, res, 200)
	e2eCheckShape(tb, "replaced product", res.Body, e2eProductShape)
	var out e2eProduct
	res.JSON(tb, &out)
	return out
}

// mustSetStock sets a SKU's on-hand count via admin.
func (s e2eShop) mustSetStock(tb testing.TB, sku string, onHand int64) e2eStock {
	tb.Helper()
	res := s.admin(tb, "PUT", "/api/admin/inventory/"+sku, map[string]int64{"onHand": onHand})
	e2eWantStatus(tb, "PUT /api/admin/inventory/"+sku, res, 200)
	e2eCheckShape(tb, "stock level", res.Body, e2eStockShape)
	var l e2eStock
	res.JSON(tb, &l)
	return l
}

// getProduct returns GET /api/products/{idOrHandle}, checking a 200's shape.
func (s e2eShop) getProduct(tb testing.TB, idOrHandle string, header ...string) (*Response, e2eProduct) {
	tb.Helper()
	res := s.do(tb, "GET", "/api/products/"+url.PathEscape(idOrHandle), nil, header...)
	var p e2eProduct
	if res.Status == 200 {
		e2eCheckShape(tb, "product "+idOrHandle, res.Body, e2eProductShape)
		res.JSON(tb, &p)
	}
	return res, p
}

// page returns one page of GET /api/products.
func (s e2eShop) page(tb testing.TB, q url.Values) e2ePage {
	tb.Helper()
	path := "/api/products?" + q.Encode()
	res := s.do(tb, "GET", path, nil)
	e2eWantStatus(tb, "GET "+path, res, 200)
	e2eCheckShape(tb, "GET "+path, res.Body, e2ePageShape)
	var p e2ePage
	res.JSON(tb, &p)
	if p.Items == nil {
		tb.Errorf("GET %s: items = null, want an array", path)
	}
	return p
}

// walk follows nextCursor through every page of GET /api/products with
// query q and returns the products in order. It reports a product listed
// twice, a page longer than the limit, and any product that is not active.
// between, when not nil, runs after each page but the last.
func (s e2eShop) walk(tb testing.TB, q url.Values, between func()) []e2eProduct {
	tb.Helper()
	limit := 20
	if l := q.Get("limit"); l != "" {
		limit, _ = strconv.Atoi(l)
	}
	seen := make(map[string]bool)
	var all []e2eProduct
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			tb.Fatalf("walk %v: more than 1000 pages", q)
		}
		v := maps.Clone(q)
		if v == nil {
			v = url.Values{}
		}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		p := s.page(tb, v)
		if len(p.Items) > limit {
			tb.Errorf("walk %v: page %d has %d items, more than limit %d", q, pages, len(p.Items), limit)
		}
		for _, it := range p.Items {
			if seen[it.ID] {
				tb.Errorf("walk %v: product %s (%s) listed twice", q, it.ID, it.Handle)
			}
			seen[it.ID] = true
			if it.Status != "active" {
				tb.Errorf("walk %v: product %s has status %q; only active products may be listed", q, it.Handle, it.Status)
			}
			all = append(all, it)
		}
		if p.NextCursor == nil {
			return all
		}
		if *p.NextCursor == cursor {
			tb.Fatalf("walk %v: nextCursor %q repeats the cursor", q, cursor)
		}
		cursor = *p.NextCursor
		if between != nil {
			between()
		}
	}
}

// categories returns GET /api/categories.
func (s e2eShop) categories(tb testing.TB) []e2eCategory {
	tb.Helper()
	res := s.do(tb, "GET", "/api/categories", nil)
	e2eWantStatus(tb, "GET /api/categories", res, 200)
	e2eCheckShape(tb, "GET /api/categories", res.Body, e2eCategoriesShape)
	var body struct {
		Items []e2eCategory `json:"items"`
	}
	res.JSON(tb, &body)
	return body.Items
}

// e2eIDs returns the IDs of ps, sorted.
func e2eIDs(ps []e2eProduct) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	slices.Sort(out)
	return out
}

func TestE2EHealth(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	res := s.do(t, "GET", "/api/health", nil)
	e2eWantStatus(t, "GET /api/health", res, 200)
	var got map[string]any
	res.JSON(t, &got)
	if diff := cmp.Diff(map[string]any{"status": "ok"}, got); diff != "" {
		t.Errorf("GET /api/health body mismatch (-want +got):\n%s", diff)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET /api/health Content-Type = %q, want application/json", ct)
	}
}

func TestE2ECatalogListing(t *testing.T) {
	t.Parallel()
	s := startE2E(t, true)
	const seeded = 204

	all := s.walk(t, url.Values{"limit": {"7"}}, nil)

	t.Run("WalkSeededCatalog", func(t *testing.T) {
		if len(all) != seeded {
			t.Errorf("walking with limit=7 listed %d products, want %d", len(all), seeded)
		}
		// The same set, walked with the largest page size.
		big := s.walk(t, url.Values{"limit": {"100"}}, nil)
		if diff := cmp.Diff(e2eIDs(big), e2eIDs(all)); diff != "" {
			t.Errorf("limit=7 and limit=100 list different products (-limit=100 +limit=7):\n%s", diff)
		}
		for _, p := range all {
			if len(p.Variants) == 0 {
				t.Errorf("product %s has no variants", p.Handle)
			}
			for _, v := range p.Variants {
				if v.Price.Currency != "USD" {
					t.Errorf("product %s variant %s price currency %q, want USD", p.Handle, v.SKU, v.Price.Currency)
				}
			}
		}
	})

	t.Run("Limits", func(t *testing.T) {
		for _, tt := range []struct {
			query string
			want  int
		}{
			{"", 20},
			{"limit=1", 1},
			{"limit=20", 20},
			{"limit=100", 100},
		} {
			q, _ := url.ParseQuery(tt.query)
			p := s.page(t, q)
			if len(p.Items) != tt.want {
				t.Errorf("GET /api/products?%s: %d items, want %d", tt.query, len(p.Items), tt.want)
			}
			if p.NextCursor == nil {
				t.Errorf("GET /api/products?%s: nextCursor = null, want a cursor (%d products exist)", tt.query, seeded)
			}
		}
	})

	t.Run("Categories", func(t *testing.T) {
		want := make(map[string]int)
		for _, p := range all {
			want[p.Category]++
		}
		cats := s.categories(t)
		got := make(map[string]int)
		for _, c := range cats {
			if _, dup := got[c.ID]; dup {
				t.Errorf("category %q listed twice", c.ID)
			}
			got[c.ID] = c.ProductCount
			if c.Name == "" {
				t.Errorf("category %q has no name", c.ID)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("category counts differ from a full listing (-listing +categories):\n%s", diff)
		}
	})

	t.Run("CategoryFilter", func(t *testing.T) {
		byCat := make(map[string][]e2eProduct)
		for _, p := range all {
			byCat[p.Category] = append(byCat[p.Category], p)
		}
		if len(byCat) < 2 {
			t.Fatalf("the seeded catalog has %d categories, want several", len(byCat))
		}
		for cat, want := range byCat {
			got := s.walk(t, url.Values{"category": {cat}, "limit": {"10"}}, nil)
			for _, p := range got {
				if p.Category != cat {
					t.Errorf("category=%s listed %s of category %q", cat, p.Handle, p.Category)
				}
			}
			if diff := cmp.Diff(e2eIDs(want), e2eIDs(got)); diff != "" {
				t.Errorf("category=%s lists other products than the full listing has (-listing +filtered):\n%s", cat, diff)
			}
		}
		p := s.page(t, url.Values{"category": {"no-such-category"}})
		if len(p.Items) != 0 || p.NextCursor != nil {
			t.Errorf("category=no-such-category: got %d items, cursor %v; want none", len(p.Items), p.NextCursor)
		}
	})

	t.Run("Search", func(t *testing.T) {
		// A word from a description, with every letter's case flipped.
		var word string
		var from e2eProduct
	find:
		for _, p := range all {
			for _, w := range strings.FieldsFunc(p.Description, func(r rune) bool { return !unicode.IsLetter(r) }) {
				if len(w) >= 7 && !strings.Contains(strings.ToLower(p.Title), strings.ToLower(w)) {
					word, from = w, p
					break find
				}
			}
		}
		if word == "" {
			t.Fatal("no description in the seeded catalog has a word of 7 letters")
		}
		titleWord := strings.Fields(all[0].Title)[len(strings.Fields(all[0].Title))-1]
		// SQL wildcards must match only themselves.
		for _, q := range []string{e2eFlipCase(word), strings.ToUpper(word), e2eFlipCase(titleWord), "%", "_", "%" + word[1:]} {
			lower := strings.ToLower(q)
			var want []e2eProduct
			for _, p := range all {
				if strings.Contains(strings.ToLower(p.Title), lower) || strings.Contains(strings.ToLower(p.Description), lower) {
					want = append(want, p)
				}
			}
			got := s.walk(t, url.Values{"q": {q}, "limit": {"100"}}, nil)
			if diff := cmp.Diff(e2eIDs(want), e2eIDs(got)); diff != "" {
				t.Errorf("q=%s lists other products than those whose title or description contain it (-want +got):\n%s", q, diff)
			}
		}
		got := s.walk(t, url.Values{"q": {e2eFlipCase(word)}, "limit": {"100"}}, nil)
		if !slices.Contains(e2eIDs(got), from.ID) {
			t.Errorf("q=%s does not find %s, whose description is %q", e2eFlipCase(word), from.Handle, from.Description)
		}
		p := s.page(t, url.Values{"q": {"zzqxj-no-such-word"}})
		if len(p.Items) != 0 || p.NextCursor != nil {
			t.Errorf("q=zzqxj-no-such-word: got %d items, cursor %v; want none", len(p.Items), p.NextCursor)
		}
	})

	t.Run("BadQuery", func(t *testing.T) {
		for _, q := range []string{
			"limit=0", "limit=101", "limit=x", "limit=-1", "limit=1.5",
			"cursor=!!!", "cursor=abc",
			"category=Bad%20Cat", "category=BAD", "category=a_b",
		} {
			res := s.do(t, "GET", "/api/products?"+q, nil)
			e2eWantProblem(t, "GET /api/products?"+q, res, 400, "invalid_request")
		}
	})
}

// e2eFlipCase swaps the case of every letter of s.
func e2eFlipCase(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsUpper(r) {
			return unicode.ToLower(r)
		}
		return unicode.ToUpper(r)
	}, s)
}

func TestE2ECatalogPagingUnderInserts(t *testing.T) {
	t.Parallel()
	s := startE2E(t, true)
	before := s.walk(t, url.Values{"limit": {"100"}}, nil)
	existed := make(map[string]bool, len(before))
	for _, p := range before {
		existed[p.ID] = true
	}

	// Products are created while the catalog is walked: one between every
	// two pages, and more from another goroutine throughout.
	var mu sync.Mutex
	created := make(map[string]bool)
	n := 0
	create := func(tb testing.TB) {
		mu.Lock()
		n++
		i := n
		mu.Unlock()
		in := e2eProductInput(fmt.Sprintf("e2e-insert-%d", i), fmt.Sprintf("E2E-INS-%d", i), 1000)
		res, err := s.send("POST", "/api/admin/products", in, "x-functions-key", testAdminKey)
		if err != nil {
			tb.Error(err)
			return
		}
		e2eCheckResponse(tb, "POST", "/api/admin/products", res)
		if res.Status != 201 {
			tb.Errorf("POST /api/admin/products while paging: got %d %s, want 201", res.Status, res.Body)
			return
		}
		var p e2eProduct
		if err := json.Unmarshal(res.Body, &p); err != nil {
			tb.Error(err)
			return
		}
		mu.Lock()
		created[p.ID] = true
		mu.Unlock()
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; i < 60; i++ {
			select {
			case <-stop:
				return
			default:
				create(t)
			}
		}
	})
	// Moving the clock on makes new IDs sort among the pages still to come,
	// as well as behind the cursor.
	walked := s.walk(t, url.Values{"limit": {"7"}}, func() {
		s.Clock.Advance(12 * time.Millisecond)
		create(t)
	})
	close(stop)
	wg.Wait()

	count := make(map[string]int)
	for _, p := range walked {
		count[p.ID]++
	}
	for id := range existed {
		if count[id] != 1 {
			t.Errorf("product %s existed before paging began but was listed %d times, want 1", id, count[id])
		}
	}
	for id := range count {
		if !existed[id] && !created[id] {
			t.Errorf("paging listed %s, which neither existed nor was created", id)
		}
	}

	t.Logf("paging listed %d products, %d of them created while paging (%d created in all)", len(walked), len(walked)-len(existed), len(created))

	// Once writes stop, the listing holds everything.
	after := s.walk(t, url.Values{"limit": {"100"}}, nil)
	if got, want := len(after), len(existed)+len(created); got != want {
		t.Errorf("after paging, the catalog lists %d products, want %d", got, want)
	}
}

func TestE2EProductGet(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	in := e2eProductInput("e2e-get-tee", "E2E-GET-M", 2500)
	in.Variants = append(in.Variants, e2eVariant{SKU: "E2E-GET-L", Title: "L", Options: map[string]string{"size": "L"}, Price: e2eMoney{2700, "USD"}})
	created := s.mustCreateProduct(t, in)

	want := in
	want.ID, want.CreatedAt, want.UpdatedAt = created.ID, created.CreatedAt, created.UpdatedAt
	if diff := cmp.Diff(want, created); diff != "" {
		t.Errorf("created product differs from what was sent (-sent +created):\n%s", diff)
	}
	if created.ID == "" || created.CreatedAt.IsZero() || created.UpdatedAt.IsZero() {
		t.Errorf("created product has id %q, createdAt %v, updatedAt %v; want all set", created.ID, created.CreatedAt, created.UpdatedAt)
	}

	var etag string
	for _, key := range []string{created.ID, created.Handle} {
		res, got := s.getProduct(t, key)
		e2eWantStatus(t, "GET /api/products/"+key, res, 200)
		if diff := cmp.Diff(created, got); diff != "" {
			t.Errorf("GET /api/products/%s differs from the created product (-created +got):\n%s", key, diff)
		}
		tag := res.Header.Get("ETag")
		if tag == "" {
			t.Fatalf("GET /api/products/%s: no ETag header", key)
		}
		if etag != "" && tag != etag {
			t.Errorf("GET by handle ETag = %q, by id %q; want the same", tag, etag)
		}
		etag = tag

		res, _ = s.getProduct(t, key, "If-None-Match", tag)
		if res.Status != 304 || len(res.Body) != 0 {
			t.Errorf("GET /api/products/%s If-None-Match: %s: got %d %q, want 304 with no body", key, tag, res.Status, res.Body)
		}
		res, _ = s.getProduct(t, key, "If-None-Match", `"not-the-etag"`)
		if res.Status != 200 {
			t.Errorf("GET /api/products/%s If-None-Match: other: got %d, want 200", key, res.Status)
		}
	}

	for _, key := range []string{"p00000000000000000000000000", "no-such-handle", "NoSuchHandle", "x"} {
		res, _ := s.getProduct(t, key)
		e2eWantProblem(t, "GET /api/products/"+key, res, 404, "not_found")
	}

	// Not active: not found, by id and by handle, even after a cached read.
	for _, status := range []string{"draft", "archived"} {
		p := created
		p.Status = status
		s.mustReplaceProduct(t, p)
		for _, key := range []string{created.ID, created.Handle} {
			res, _ := s.getProduct(t, key)
			e2eWantProblem(t, "GET /api/products/"+key+" ("+status+")", res, 404, "not_found")
		}
	}
	p := created
	p.Status = "active"
	s.mustReplaceProduct(t, p)
	if res, _ := s.getProduct(t, created.ID); res.Status != 200 {
		t.Errorf("GET /api/products/%s after reactivating: got %d, want 200", created.ID, res.Status)
	}
	if res, _ := s.getProduct(t, created.ID, "If-None-Match", etag); res.Status != 200 {
		t.Errorf("GET /api/products/%s with the ETag of an older version: got %d, want 200", created.ID, res.Status)
	}
}

func TestE2EDraftAndArchivedHidden(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	const word = "Quokkaberry"
	mk := func(handle, sku, category, status string) e2eProduct {
		in := e2eProductInput(handle, sku, 1000)
		in.Title, in.Category, in.Status = word+" "+handle, category, status
		return s.mustCreateProduct(t, in)
	}
	active := mk("e2e-visible", "E2E-VIS-1", "e2e-shown", "active")
	mk("e2e-draft", "E2E-DRAFT-1", "e2e-shown", "draft")
	mk("e2e-archived", "E2E-ARCH-1", "e2e-shown", "archived")
	draftOnly := mk("e2e-draft-only", "E2E-DRAFT-2", "e2e-hidden", "draft")

	for _, q := range []url.Values{{}, {"q": {word}}, {"category": {"e2e-shown"}}, {"category": {"e2e-hidden"}}} {
		got := e2eIDs(s.walk(t, q, nil))
		want := []string{active.ID}
		if q.Get("category") == "e2e-hidden" {
			want = []string{}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GET /api/products?%s (-want +got):\n%s", q.Encode(), diff)
		}
	}
	counts := make(map[string]int)
	for _, c := range s.categories(t) {
		counts[c.ID] = c.ProductCount
	}
	if diff := cmp.Diff(map[string]int{"e2e-shown": 1}, counts); diff != "" {
		t.Errorf("GET /api/categories must count only active products (-want +got):\n%s", diff)
	}
	for _, key := range []string{draftOnly.ID, draftOnly.Handle, "e2e-archived"} {
		res, _ := s.getProduct(t, key)
		e2eWantProblem(t, "GET /api/products/"+key, res, 404, "not_found")
	}
}

func TestE2EInventory(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	s.mustCreateProduct(t, e2eProductInput("e2e-inv", "E2E-INV-1", 1000))

	for _, onHand := range []int64{7, 0, 250} {
		l := s.mustSetStock(t, "E2E-INV-1", onHand)
		if l.SKU != "E2E-INV-1" || l.OnHand != onHand || l.Available != l.OnHand-l.Reserved {
			t.Errorf("PUT /api/admin/inventory/E2E-INV-1 onHand %d: got %+v, want sku, onHand %d and available = onHand - reserved", onHand, l, onHand)
		}
		res := s.do(t, "GET", "/api/inventory/E2E-INV-1", nil)
		e2eWantStatus(t, "GET /api/inventory/E2E-INV-1", res, 200)
		e2eCheckShape(t, "GET /api/inventory/E2E-INV-1", res.Body, e2eInventoryShape)
		var got struct {
			SKU       string `json:"sku"`
			Available int64  `json:"available"`
		}
		res.JSON(t, &got)
		if got.SKU != "E2E-INV-1" || got.Available != l.OnHand-l.Reserved {
			t.Errorf("GET /api/inventory/E2E-INV-1 after onHand %d: got %+v, want available %d", onHand, got, l.OnHand-l.Reserved)
		}
	}

	for _, sku := range []string{"NO-SUCH-SKU", "bad sku", "x"} {
		res := s.do(t, "GET", "/api/inventory/"+url.PathEscape(sku), nil)
		e2eWantProblem(t, "GET /api/inventory/"+sku, res, 404, "not_found")
	}
	res := s.admin(t, "PUT", "/api/admin/inventory/NO-SUCH-SKU", map[string]int{"onHand": 5})
	e2eWantProblem(t, "PUT /api/admin/inventory/NO-SUCH-SKU", res, 404, "not_found")
	for _, body := range []string{`{"onHand":-1}`, `{}`, `{"onHand":null}`} {
		res := s.admin(t, "PUT", "/api/admin/inventory/E2E-INV-1", body)
		e2eWantProblem(t, "PUT /api/admin/inventory/E2E-INV-1 "+body, res, 400, "invalid_request")
	}
}

func TestE2EAdminAuth(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	p := s.mustCreateProduct(t, e2eProductInput("e2e-auth", "E2E-AUTH-1", 1000))
	changed := p
	changed.Title = "Changed without a key"

	routes := []struct {
		method, path string
		body         any
	}{
		{"POST", "/api/admin/products", e2eProductInput("e2e-auth-new", "E2E-AUTH-2", 1000)},
		{"PUT", "/api/admin/products/" + p.ID, changed},
		{"DELETE", "/api/admin/products/" + p.ID, nil},
		{"PUT", "/api/admin/inventory/E2E-AUTH-1", map[string]int{"onHand": 3}},
	}
	keys := []struct {
		name   string
		query  string
		header []string
	}{
		{"NoKey", "", nil},
		{"WrongHeader", "", []string{"x-functions-key", "wrong"}},
		{"EmptyHeader", "", []string{"x-functions-key", ""}},
		{"KeyPrefix", "", []string{"x-functions-key", testAdminKey[:len(testAdminKey)-1]}},
		{"WrongCode", "?code=wrong", nil},
		{"EmptyCode", "?code=", nil},
	}
	for _, k := range keys {
		for _, r := range routes {
			t.Run(k.name+"/"+r.method+r.path, func(t *testing.T) {
				res := s.do(t, r.method, r.path+k.query, r.body, k.header...)
				e2eWantProblem(t, r.method+" "+r.path+k.query, res, 401, "unauthorized")
			})
		}
	}

	// Nothing changed.
	if res, got := s.getProduct(t, p.ID); res.Status != 200 || got.Title != p.Title {
		t.Errorf("after unauthorized writes, GET product: got %d title %q, want 200 %q", res.Status, got.Title, p.Title)
	}
	if res := s.do(t, "GET", "/api/products/e2e-auth-new", nil); res.Status != 404 {
		t.Errorf("after an unauthorized create, GET /api/products/e2e-auth-new: got %d, want 404", res.Status)
	}

	// The key works in ?code= too.
	res := s.do(t, "POST", "/api/admin/products?code="+url.QueryEscape(testAdminKey), e2eProductInput("e2e-auth-code", "E2E-AUTH-3", 1000))
	e2eWantStatus(t, "POST /api/admin/products?code=<key>", res, 201)
}

func TestE2EAdminProducts(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)

	t.Run("Lifecycle", func(t *testing.T) {
		in := e2eProductInput("e2e-life", "E2E-LIFE-1", 1000)
		res := s.admin(t, "POST", "/api/admin/products", in)
		e2eWantStatus(t, "POST /api/admin/products", res, 201)
		e2eCheckShape(t, "created product", res.Body, e2eProductShape)
		var created e2eProduct
		res.JSON(t, &created)
		loc := res.Header.Get("Location")
		if loc == "" {
			t.Fatal("POST /api/admin/products: no Location header")
		}
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatalf("Location %q: %v", loc, err)
		}
		locRes := s.do(t, "GET", u.RequestURI(), nil)
		e2eWantStatus(t, "GET Location "+loc, locRes, 200)
		var atLoc e2eProduct
		locRes.JSON(t, &atLoc)
		if diff := cmp.Diff(created, atLoc); diff != "" {
			t.Errorf("GET Location differs from the created product (-created +got):\n%s", diff)
		}
		etag1 := locRes.Header.Get("ETag")

		// Replace with the current ETag.
		v2 := created
		v2.Title, v2.Description = "E2E life, second edition", "Now with more life."
		res = s.admin(t, "PUT", "/api/admin/products/"+created.ID, v2, "If-Match", etag1)
		e2eWantStatus(t, "PUT with the current If-Match", res, 200)
		var got e2eProduct
		res.JSON(t, &got)
		if got.ID != created.ID || got.Title != v2.Title || !got.CreatedAt.Equal(created.CreatedAt) {
			t.Errorf("PUT returned id %q title %q createdAt %v; want id %q title %q createdAt unchanged %v",
				got.ID, got.Title, got.CreatedAt, created.ID, v2.Title, created.CreatedAt)
		}
		getRes, _ := s.getProduct(t, created.ID)
		etag2 := getRes.Header.Get("ETag")
		if etag2 == etag1 {
			t.Errorf("ETag %q did not change when the product changed", etag1)
		}

		// A stale ETag is refused and changes nothing.
		v3 := created
		v3.Title = "Lost update"
		res = s.admin(t, "PUT", "/api/admin/products/"+created.ID, v3, "If-Match", etag1)
		e2eWantProblem(t, "PUT with a stale If-Match", res, 412, "precondition_failed")
		if _, now := s.getProduct(t, created.ID); now.Title != v2.Title {
			t.Errorf("after a refused stale PUT, title = %q, want %q", now.Title, v2.Title)
		}

		// No If-Match: last writer wins.
		v4 := created
		v4.Title = "E2E life, third edition"
		s.mustReplaceProduct(t, v4)
		if _, now := s.getProduct(t, created.ID); now.Title != v4.Title {
			t.Errorf("after PUT without If-Match, title = %q, want %q", now.Title, v4.Title)
		}

		res = s.admin(t, "DELETE", "/api/admin/products/"+created.ID, nil)
		if res.Status != 204 || len(res.Body) != 0 {
			t.Errorf("DELETE /api/admin/products/%s: got %d %q, want 204 with no body", created.ID, res.Status, res.Body)
		}
		for _, key := range []string{created.ID, created.Handle} {
			res, _ := s.getProduct(t, key)
			e2eWantProblem(t, "GET after DELETE "+key, res, 404, "not_found")
		}
		res = s.admin(t, "DELETE", "/api/admin/products/"+created.ID, nil)
		e2eWantProblem(t, "DELETE twice", res, 404, "not_found")
		res = s.admin(t, "PUT", "/api/admin/products/"+created.ID, v4)
		e2eWantProblem(t, "PUT after DELETE", res, 404, "not_found")
		// Its handle and SKU are free again.
		s.mustCreateProduct(t, in)
	})

	t.Run("Conflicts", func(t *testing.T) {
		a := s.mustCreateProduct(t, e2eProductInput("e2e-conflict-a", "E2E-CONF-A", 1000))
		b := s.mustCreateProduct(t, e2eProductInput("e2e-conflict-b", "E2E-CONF-B", 1000))
		tests := []struct {
			name   string
			method string
			path   string
			body   e2eProduct
			code   string
		}{
			{"CreateDuplicateHandle", "POST", "/api/admin/products", e2eProductInput("e2e-conflict-a", "E2E-CONF-NEW", 1000), "handle_taken"},
			{"CreateTakenSKU", "POST", "/api/admin/products", e2eProductInput("e2e-conflict-new", "E2E-CONF-A", 1000), "sku_taken"},
			{"ReplaceWithTakenHandle", "PUT", "/api/admin/products/" + b.ID, func() e2eProduct { p := b; p.Handle = a.Handle; return p }(), "handle_taken"},
			{"ReplaceWithTakenSKU", "PUT", "/api/admin/products/" + b.ID, func() e2eProduct {
				p := b
				p.Variants = append(slices.Clone(p.Variants), e2eVariant{SKU: "E2E-CONF-A", Price: e2eMoney{100, "USD"}})
				return p
			}(), "sku_taken"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := s.admin(t, tt.method, tt.path, tt.body)
				e2eWantProblem(t, tt.method+" "+tt.path, res, 409, tt.code)
			})
		}
		for _, p := range []e2eProduct{a, b} {
			if res, got := s.getProduct(t, p.ID); res.Status != 200 || got.Handle != p.Handle || len(got.Variants) != 1 {
				t.Errorf("after refused conflicting writes, GET %s: got %d %+v, want it unchanged", p.Handle, res.Status, got)
			}
		}
		// A product may keep its own handle and SKUs.
		s.mustReplaceProduct(t, a)
	})

	t.Run("UpdatesVisibleAtOnce", func(t *testing.T) {
		p := s.mustCreateProduct(t, e2eProductInput("e2e-cached", "E2E-CACHE-1", 1000))
		q := url.Values{"q": {"e2e-cached"}}
		catQ := url.Values{"category": {"e2e-moved"}}
		// Read everything twice so that it is cached.
		for range 2 {
			s.getProduct(t, p.ID)
			s.getProduct(t, p.Handle)
			s.walk(t, url.Values{}, nil)
			s.walk(t, q, nil)
			s.walk(t, catQ, nil)
			s.categories(t)
		}

		moved := p
		moved.Title, moved.Category = "E2E cached, renamed", "e2e-moved"
		moved.Variants = []e2eVariant{{SKU: "E2E-CACHE-1", Title: "M", Options: map[string]string{"size": "M"}, Price: e2eMoney{1234, "USD"}}}
		s.mustReplaceProduct(t, moved)

		for _, key := range []string{p.ID, p.Handle} {
			if _, got := s.getProduct(t, key); got.Title != moved.Title || got.Variants[0].Price.Amount != 1234 {
				t.Errorf("GET /api/products/%s right after PUT: title %q price %+v, want %q 1234", key, got.Title, got.Variants, moved.Title)
			}
		}
		var inAll *e2eProduct
		for _, it := range s.walk(t, url.Values{}, nil) {
			if it.ID == p.ID {
				inAll = &it
			}
		}
		if inAll == nil || inAll.Title != moved.Title || inAll.Category != "e2e-moved" {
			t.Errorf("listing right after PUT shows %+v, want title %q category e2e-moved", inAll, moved.Title)
		}
		if got := e2eIDs(s.walk(t, catQ, nil)); !slices.Equal(got, []string{p.ID}) {
			t.Errorf("category=e2e-moved right after PUT lists %v, want [%s]", got, p.ID)
		}
		if got := s.walk(t, url.Values{"q": {"renamed"}}, nil); len(got) != 1 || got[0].ID != p.ID {
			t.Errorf("q=renamed right after PUT lists %v, want [%s]", e2eIDs(got), p.ID)
		}
		counts := make(map[string]int)
		for _, c := range s.categories(t) {
			counts[c.ID] = c.ProductCount
		}
		if counts["e2e-moved"] != 1 {
			t.Errorf("categories right after PUT: e2e-moved has %d products, want 1 (counts %v)", counts["e2e-moved"], counts)
		}

		e2eWantStatus(t, "DELETE /api/admin/products/"+p.ID, s.admin(t, "DELETE", "/api/admin/products/"+p.ID, nil), 204)
		if res, _ := s.getProduct(t, p.ID); res.Status != 404 {
			t.Errorf("GET right after DELETE: got %d, want 404", res.Status)
		}
		if got := s.walk(t, catQ, nil); len(got) != 0 {
			t.Errorf("category=e2e-moved right after DELETE lists %v, want none", e2eIDs(got))
		}
	})
}
