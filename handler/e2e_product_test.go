package main

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// This file holds the E2E tests of product reads.

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
