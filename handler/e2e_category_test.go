package main

import (
	"strings"
	"testing"
)

// This file holds the E2E test of the category documents: created,
// replaced and ordered in GET /api/categories, and deleted only once no
// product has the category.

func TestE2ECategoryDocuments(t *testing.T) {
	t.Parallel()
	s := startE2E(t, true)
	before := s.categories(t)
	if len(before) < 2 {
		t.Fatalf("the seeded catalog lists %d categories, want several", len(before))
	}
	seeded := before[1] // the second by ID; a document moves it first

	type body struct {
		Name     string `json:"name"`
		Position int    `json:"position"`
	}
	res := s.admin(t, "POST", "/api/admin/categories/"+seeded.ID, body{Name: "Featured " + seeded.Name, Position: 5})
	e2eWantStatus(t, "POST a seeded category", res, 201)
	res = s.admin(t, "POST", "/api/admin/categories/"+seeded.ID, body{Name: "Again", Position: 1})
	e2eWantProblem(t, "POST it again", res, 409, "conflict")
	res = s.admin(t, "POST", "/api/admin/categories/e2e-new", body{Name: "Coming soon", Position: 1})
	e2eWantStatus(t, "POST a category without products", res, 201)
	res = s.admin(t, "PUT", "/api/admin/categories/e2e-new", body{Name: "New arrivals", Position: 10})
	e2eWantStatus(t, "PUT replaces", res, 200)

	cats := s.categories(t)
	if len(cats) != len(before)+1 {
		t.Fatalf("GET /api/categories lists %d categories, want %d: %+v", len(cats), len(before)+1, cats)
	}
	// Documents first by position, then the others by ID as before.
	if cats[0].ID != seeded.ID || cats[0].Name != "Featured "+seeded.Name || cats[0].ProductCount != seeded.ProductCount ||
		cats[0].Position == nil || *cats[0].Position != 5 {
		t.Errorf("first category %+v, want %s named %q with %d products at position 5", cats[0], seeded.ID, "Featured "+seeded.Name, seeded.ProductCount)
	}
	if cats[1].ID != "e2e-new" || cats[1].Name != "New arrivals" || cats[1].ProductCount != 0 || cats[1].Position == nil || *cats[1].Position != 10 {
		t.Errorf("second category %+v, want e2e-new named New arrivals with 0 products at position 10", cats[1])
	}
	for i, c := range cats[2:] {
		if c.Position != nil || c.ID == seeded.ID || i > 0 && c.ID < cats[i+1].ID {
			t.Errorf("undocumented categories after the documents: %+v, want by ID without position", cats[2:])
			break
		}
	}

	// A category products have cannot be deleted; one they do not have can.
	res = s.admin(t, "DELETE", "/api/admin/categories/"+seeded.ID, nil)
	e2eWantProblem(t, "DELETE a category products have", res, 409, "conflict")
	if !strings.Contains(string(res.Body), "still has products") {
		t.Errorf("409 body %s does not say why", res.Body)
	}
	res = s.admin(t, "DELETE", "/api/admin/categories/e2e-new", nil)
	e2eWantStatus(t, "DELETE an unused category", res, 204)
	res = s.admin(t, "DELETE", "/api/admin/categories/e2e-new", nil)
	e2eWantProblem(t, "DELETE it again", res, 404, "not_found")

	// A draft counts as using its category.
	draft := e2eProductInput("e2e-cat-draft", "E2E-CAT-DRAFT", 900)
	draft.Category, draft.Status = "e2e-drafts", "draft"
	s.mustCreateProduct(t, draft)
	res = s.admin(t, "PUT", "/api/admin/categories/e2e-drafts", body{Name: "Drafts"})
	e2eWantStatus(t, "PUT the draft's category", res, 200)
	res = s.admin(t, "DELETE", "/api/admin/categories/e2e-drafts", nil)
	e2eWantProblem(t, "DELETE a category a draft has", res, 409, "conflict")

	// Bad input is 400 with a stable code.
	for _, tc := range []struct {
		what, path string
		body       any
	}{
		{"upper-case id", "/api/admin/categories/Books", body{Name: "Books"}},
		{"empty name", "/api/admin/categories/books", body{Name: ""}},
		{"blank name", "/api/admin/categories/books", body{Name: "   "}},
		{"control character", "/api/admin/categories/books", body{Name: "Books\u0007"}},
		{"bidi override", "/api/admin/categories/books", body{Name: "Books\u202e"}},
		{"position too high", "/api/admin/categories/books", body{Name: "Books", Position: 1_000_001}},
		{"negative position", "/api/admin/categories/books", body{Name: "Books", Position: -1}},
		{"unknown field", "/api/admin/categories/books", map[string]any{"name": "Books", "rank": 1}},
	} {
		res := s.admin(t, "PUT", tc.path, tc.body)
		e2eWantProblem(t, "PUT "+tc.what, res, 400, "invalid_request")
	}
	res = s.do(t, "PUT", "/api/admin/categories/books", body{Name: "Books"})
	e2eWantStatus(t, "PUT without the admin key", res, 401)
}
