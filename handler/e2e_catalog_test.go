package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

// This file holds the E2E tests of health and catalog listing.

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
