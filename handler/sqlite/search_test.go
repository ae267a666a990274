package sqlite_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/sqlite"
	"shopfn/handler/storetest"
)

// TestSearchWords checks that the embedded store's q matches words: English
// stems, any case, diacritics folded, every word, as well as the text as
// typed.
func TestSearchWords(t *testing.T) {
	ctx := context.Background()
	s := sqlite.NewCatalogStore(MustOpen(t))
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	add := func(i int, handle, title, description string) *commerce.Product {
		p := storetest.NewProduct(t0.Add(time.Duration(i)*time.Millisecond), handle, "home", handle+"-1")
		p.Title, p.Description = title, description
		if err := s.CreateProduct(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	speaker := add(0, "speaker", "Halcyon Bluetooth Speaker", "Loud and waterproof.")
	add(1, "chair", "Café chair", "Comfortable seating for running errands.")
	add(2, "lamp", "Desk lamp", "A warm light; not a speakerphone.")
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"speakers", []string{"speaker"}},
		{"SPEAKER", []string{"speaker", "lamp"}}, // the text as typed is in "speakerphone"
		{"cafe", []string{"chair"}},
		{"chairs", []string{"chair"}},
		{"run", []string{"chair"}},
		{"loud speakers", []string{"speaker"}},
		{"loud chairs", nil},
		{`"speaker" OR lamp*`, nil}, // no FTS5 syntax applies
		{"%", nil},
	} {
		ps, err := s.ListProducts(ctx, commerce.ProductFilter{Query: tt.q, Limit: 10})
		if err != nil {
			t.Fatalf("q=%s: %v", tt.q, err)
		}
		var got []string
		for _, p := range ps {
			got = append(got, p.Handle)
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(tt.want))
		if !slices.Equal(got, want) {
			t.Errorf("q=%s: got %v, want %v", tt.q, got, want)
		}
	}
	if err := s.DeleteProduct(ctx, speaker.ID); err != nil {
		t.Fatal(err)
	}
	if ps, err := s.ListProducts(ctx, commerce.ProductFilter{Query: "speakers", Limit: 10}); err != nil || len(ps) != 0 {
		t.Errorf("q=speakers after the delete: got %d products, %v; want none", len(ps), err)
	}
}

// TestReindexAtOpen checks that a file whose products have no listing index
// rows (made before they existed) gets them when it is opened.
func TestReindexAtOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shopfn.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	p := storetest.NewProduct(time.Now(), "old", "home", "OLD-1")
	if err := sqlite.NewCatalogStore(db).CreateProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"product_prices", "product_terms", "product_titles", "product_text"} {
		if _, err := db.Write.ExecContext(ctx, `DELETE FROM `+table); err != nil {
			t.Fatal(err)
		}
	}
	// A file that old has no schema stamp either.
	if _, err := db.Write.ExecContext(ctx, `PRAGMA user_version = 0`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f := commerce.ProductFilter{Sort: commerce.SortPrice, Currency: "USD", Query: "titles", Limit: 10,
		Options: map[string][]string{"size": {"m"}}}
	ps, err := sqlite.NewCatalogStore(db).ListProducts(ctx, f)
	if err != nil || len(ps) != 1 {
		t.Errorf("after reopening: got %d products, %v; want the old one, indexed", len(ps), err)
	}
}

// TestSearchRank checks a relevance listing on the embedded store: the
// products whose title has the query's words (stemmed) or its text come
// before those matching in the description only, each in creation order,
// and paging on (rank, ID) lists each once.
func TestSearchRank(t *testing.T) {
	ctx := context.Background()
	s := sqlite.NewCatalogStore(MustOpen(t))
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	add := func(i int, handle, title, description string) {
		p := storetest.NewProduct(t0.Add(time.Duration(i)*time.Millisecond), handle, "home", handle+"-1")
		p.Title, p.Description = title, description
		if err := s.CreateProduct(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	add(0, "stand", "Desk stand", "Holds two speakers.")
	add(1, "speaker", "Halcyon Speaker", "Loud.")
	add(2, "phone", "Speakerphone", "For calls.")
	add(3, "cable", "Cable", "For any speaker.")
	add(4, "lamp", "Lamp", "Bright.")
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"speakers", []string{"speaker", "stand", "cable"}},
		{"speaker", []string{"speaker", "phone", "stand", "cable"}}, // "speakerphone" has the text as typed
	} {
		f := commerce.ProductFilter{Query: tt.q, Sort: commerce.SortRelevance, Limit: 1}
		var got []string
		for range 10 {
			ps, err := s.ListProducts(ctx, f)
			if err != nil {
				t.Fatalf("q=%s: %v", tt.q, err)
			}
			if len(ps) == 0 {
				break
			}
			got = append(got, ps[0].Handle)
			f.After, f.AfterKey = ps[0].ID, f.SortKey(&ps[0])
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("q=%s by relevance, one per page: got %v, want %v", tt.q, got, tt.want)
		}
	}
}
