package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// This file holds the E2E test of unknown query parameters: every route
// refuses a parameter it does not take, naming it.

func TestE2EUnknownQueryParams(t *testing.T) {
	t.Parallel()
	s := startE2E(t, true)
	for _, tt := range []struct {
		path, param string
		admin       bool
	}{
		{"/api/products?categry=books", "categry", false},
		{"/api/products?category=books&limit=5&colour=red", "colour", false},
		{"/api/products?attr.=x", "attr.", false},
		{"/api/products/no-such-handle?x=1", "x", false},
		{"/api/categories?limit=5", "limit", false},
		{"/api/health?verbose=1", "verbose", false},
		{"/api/admin/orders?email=a@example.com", "email", true},
		{"/api/admin/orders?status=placed&sort=id", "sort", true},
		{"/api/admin/customers?status=x", "status", true},
		{"/api/admin/deadletters?limit=1", "limit", true},
	} {
		var res *Response
		if tt.admin {
			res = s.do(t, "GET", tt.path, nil, "x-functions-key", testAdminKey)
		} else {
			res = s.do(t, "GET", tt.path, nil)
		}
		e2eWantProblem(t, "GET "+tt.path, res, 400, "invalid_request")
		var p e2eProblem
		json.Unmarshal(res.Body, &p)
		if !strings.Contains(p.Detail, `"`+tt.param+`"`) {
			t.Errorf("GET %s: detail %q does not name %q", tt.path, p.Detail, tt.param)
		}
	}
	// What each route takes is still answered, and ?code= on an admin route.
	for _, tt := range []struct {
		path  string
		admin bool
	}{
		{"/api/products?category=books&q=a&limit=5", false},
		{"/api/admin/orders?status=placed&limit=5", true},
		{"/api/admin/customers?limit=5", true},
		{"/api/admin/deadletters?queue=orders&code=" + testAdminKey, false},
	} {
		var res *Response
		if tt.admin {
			res = s.do(t, "GET", tt.path, nil, "x-functions-key", testAdminKey)
		} else {
			res = s.do(t, "GET", tt.path, nil)
		}
		e2eWantStatus(t, "GET "+tt.path, res, 200)
	}
	// An unauthorized request learns nothing of the parameters.
	res := s.do(t, "GET", "/api/admin/orders?email=a@example.com", nil)
	e2eWantProblem(t, "GET /api/admin/orders?email= without the key", res, 401, "unauthorized")
}
