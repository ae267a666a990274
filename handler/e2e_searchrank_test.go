package main

import (
	"net/url"
	"slices"
	"testing"
	"time"
)

// This file holds the E2E test of search ranking: with q and no sort, title
// matches come before description matches, and cursors keep that order.

func TestE2ESearchRanking(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	// Created in this order: the description match first, so that the
	// creation order and the relevance order differ.
	create := func(handle, title, description string) string {
		in := e2eProductInput(handle, "E2E-"+handle, 1000)
		in.Title, in.Description = title, description
		return s.mustCreateProduct(t, in).ID
	}
	inDescription := create("rank-desc", "E2E lantern", "Pairs well with a zorblax on the table.")
	time.Sleep(2 * time.Millisecond) // a later millisecond: IDs after inDescription's
	inTitle := create("rank-title", "Zorblax kettle", "Boils water.")
	inBoth := create("rank-both", "Zorblax mug", "A zorblax for tea.")
	create("rank-none", "E2E spoon", "Stirs tea.")

	ids := func(ps []e2eProduct) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	// Title matches, then the rest, each in creation (ID) order; products
	// made in one millisecond are in ID order, which is not theirs.
	want := append(slices.Sorted(slices.Values([]string{inTitle, inBoth})), inDescription)
	for _, limit := range []string{"1", "2", "20"} {
		got := ids(s.walk(t, url.Values{"q": {"zorblax"}, "limit": {limit}}, nil))
		if !slices.Equal(got, want) {
			t.Errorf("q=zorblax&limit=%s: got %v, want title matches first %v", limit, got, want)
		}
	}
	if got := ids(s.walk(t, url.Values{"q": {"Zorblax"}, "sort": {"relevance"}, "limit": {"1"}}, nil)); !slices.Equal(got, want) {
		t.Errorf("q=Zorblax&sort=relevance: got %v, want %v", got, want)
	}
	// An explicit sort still wins over relevance.
	if got := ids(s.walk(t, url.Values{"q": {"zorblax"}, "sort": {"created"}, "limit": {"2"}}, nil)); !slices.Equal(got, slices.Sorted(slices.Values([]string{inDescription, inTitle, inBoth}))) {
		t.Errorf("q=zorblax&sort=created: got %v, want ID order", got)
	}
	// Relevance needs a query to rank by.
	res := s.do(t, "GET", "/api/products?sort=relevance", nil)
	e2eWantProblem(t, "sort=relevance without q", res, 400, "invalid_request")
}
