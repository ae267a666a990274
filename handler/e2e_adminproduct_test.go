package main

import (
	"net/url"
	"slices"
	"testing"
)

// This file holds the E2E test of the admin product reads: every status
// listed, one product read back with its ETag.

func TestE2EAdminProductReads(t *testing.T) {
	t.Parallel()
	s := startE2E(t, true)
	draftIn := e2eProductInput("e2e-admin-draft", "E2E-ADMIN-DRAFT", 1500)
	draftIn.Status = "draft"
	res := s.admin(t, "POST", "/api/admin/products", draftIn)
	e2eWantStatus(t, "POST draft", res, 201)
	created := res.Header.Get("ETag")
	var draft e2eProduct
	res.JSON(t, &draft)
	archivedIn := e2eProductInput("e2e-admin-archived", "E2E-ADMIN-ARCH", 1500)
	archivedIn.Status = "archived"
	archived := s.mustCreateProduct(t, archivedIn)

	// A draft is read back, with the ETag of its last write, and replaced
	// with it.
	res = s.admin(t, "GET", "/api/admin/products/"+draft.ID, nil)
	e2eWantStatus(t, "GET /api/admin/products/{draft}", res, 200)
	e2eCheckShape(t, "admin product", res.Body, e2eProductShape)
	if got := res.Header.Get("ETag"); got == "" || got != created {
		t.Errorf("GET /api/admin/products/{id}: ETag %q, want the create's %q", got, created)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	draftIn.Title = "Renamed draft"
	res = s.admin(t, "PUT", "/api/admin/products/"+draft.ID, draftIn, "If-Match", created)
	e2eWantStatus(t, "PUT draft with the read ETag", res, 200)
	replaced := res.Header.Get("ETag")
	res = s.admin(t, "GET", "/api/admin/products/"+draft.ID, nil)
	var got e2eProduct
	res.JSON(t, &got)
	if res.Header.Get("ETag") != replaced || got.Title != "Renamed draft" {
		t.Errorf("after PUT: ETag %q title %q, want %q %q", res.Header.Get("ETag"), got.Title, replaced, "Renamed draft")
	}
	res, _ = s.getProduct(t, draft.ID)
	e2eWantProblem(t, "storefront GET of a draft", res, 404, "not_found")

	// Listings: every status, or one.
	list := func(q url.Values) []string {
		t.Helper()
		var ids []string
		for pages := 0; pages < 100; pages++ {
			res := s.admin(t, "GET", "/api/admin/products?"+q.Encode(), nil)
			e2eWantStatus(t, "GET /api/admin/products?"+q.Encode(), res, 200)
			var p e2ePage
			res.JSON(t, &p)
			for _, it := range p.Items {
				ids = append(ids, it.ID)
				if st := q.Get("status"); st != "" && it.Status != st {
					t.Errorf("status=%s listed %s with status %s", st, it.Handle, it.Status)
				}
			}
			if p.NextCursor == nil {
				return ids
			}
			q.Set("cursor", *p.NextCursor)
		}
		t.Fatal("more than 100 pages")
		return nil
	}
	active := s.walk(t, url.Values{"limit": {"100"}}, nil)
	every := list(url.Values{"limit": {"100"}})
	if len(every) != len(active)+2 || !slices.Contains(every, draft.ID) || !slices.Contains(every, archived.ID) {
		t.Errorf("admin listing has %d products, want %d active and the draft and the archived one", len(every), len(active))
	}
	if got := list(url.Values{"status": {"draft"}, "limit": {"1"}}); !slices.Equal(got, []string{draft.ID}) {
		t.Errorf("status=draft listed %v, want only %s", got, draft.ID)
	}
	if got := list(url.Values{"status": {"archived"}, "q": {"e2e-admin"}}); !slices.Equal(got, []string{archived.ID}) {
		t.Errorf("status=archived&q= listed %v, want only %s", got, archived.ID)
	}
	if got := list(url.Values{"status": {"active"}, "limit": {"50"}}); len(got) != len(active) {
		t.Errorf("status=active listed %d, want %d", len(got), len(active))
	}

	// A cursor of the admin listing is not one of the storefront's.
	res = s.admin(t, "GET", "/api/admin/products?limit=1", nil)
	var p e2ePage
	res.JSON(t, &p)
	res = s.do(t, "GET", "/api/products?limit=1&cursor="+url.QueryEscape(*p.NextCursor), nil)
	e2eWantProblem(t, "admin cursor on the storefront", res, 400, "invalid_request")

	for _, tt := range []struct {
		path   string
		status int
		code   string
	}{
		{"/api/admin/products?status=deleted", 400, "invalid_request"},
		{"/api/admin/products?sort=price", 400, "invalid_request"},
		{"/api/admin/products/p00000000000000000000000000", 404, "not_found"},
		{"/api/admin/products/not-an-id", 404, "not_found"},
	} {
		e2eWantProblem(t, "GET "+tt.path, s.admin(t, "GET", tt.path, nil), tt.status, tt.code)
	}
	e2eWantProblem(t, "GET /api/admin/products without the key", s.do(t, "GET", "/api/admin/products", nil), 401, "unauthorized")
	e2eWantProblem(t, "GET /api/admin/products/{id} without the key", s.do(t, "GET", "/api/admin/products/"+draft.ID, nil), 401, "unauthorized")
}
