package main

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// customerPage is a page of GET /api/admin/customers.
type customerPage struct {
	Items      []apiCustomer `json:"items"`
	NextCursor *string       `json:"nextCursor"`
}

// listCustomers reads one page, failing unless it is 200.
func listCustomers(tb testing.TB, p *Program, query string) customerPage {
	tb.Helper()
	res := p.Admin(tb, "GET", "/api/admin/customers"+query, nil)
	if res.Status != 200 {
		tb.Fatalf("GET /api/admin/customers%s: got %d %s, want 200", query, res.Status, res.Body)
	}
	var page customerPage
	res.JSON(tb, &page)
	return page
}

func TestE2ECustomerAdmin(t *testing.T) {
	t.Parallel()
	p := MustRunMain(t, false)
	var ids []string
	for i := range 5 {
		ids = append(ids, devSignIn(t, p, fmt.Sprintf("shopper%d@example.com", i), "").me(t).ID)
	}
	devSignIn(t, p, "SHOPPER2@example.com", "").me(t) // the same subject as shopper2: no new customer

	// Paging: in ID order (oldest first; the test clock stands still, so
	// here all were made in one millisecond), with signed cursors for the
	// same filters.
	var got []string
	query := "?limit=2"
	for pages := 0; ; pages++ {
		page := listCustomers(t, p, query)
		for _, c := range page.Items {
			got = append(got, c.ID)
		}
		if page.NextCursor == nil {
			break
		}
		if pages > 5 {
			t.Fatal("more pages than customers")
		}
		query = "?limit=2&cursor=" + url.QueryEscape(*page.NextCursor)
		if pages == 0 {
			wantProblem(t, "a cursor with another limit", p.Admin(t, "GET", "/api/admin/customers?limit=3&cursor="+url.QueryEscape(*page.NextCursor), nil), 400, "invalid_request")
			wantProblem(t, "a cursor with an email", p.Admin(t, "GET", "/api/admin/customers?limit=2&email=a@b.c&cursor="+url.QueryEscape(*page.NextCursor), nil), 400, "invalid_request")
		}
	}
	if diff := cmp.Diff(slices.Sorted(slices.Values(ids)), got); diff != "" {
		t.Errorf("customers over the pages (-want +got):\n%s", diff)
	}
	for _, q := range []string{"?cursor=forged", "?limit=0", "?limit=101", "?limit=x", "?email=a&email=b"} {
		wantProblem(t, "GET /api/admin/customers"+q, p.Admin(t, "GET", "/api/admin/customers"+q, nil), 400, "invalid_request")
	}
	wantProblem(t, "list without the admin key", p.Do(t, "GET", "/api/admin/customers", nil), 401, "unauthorized")

	// By email, ignoring case.
	page := listCustomers(t, p, "?email=Shopper3%40Example.COM")
	if len(page.Items) != 1 || page.Items[0].ID != ids[3] || page.Items[0].Email != "shopper3@example.com" {
		t.Errorf("by email: got %+v, want shopper3", page.Items)
	}
	if page := listCustomers(t, p, "?email=nobody%40example.com"); len(page.Items) != 0 || page.NextCursor != nil {
		t.Errorf("by an unknown email: got %+v, want no customers", page)
	}

	// One customer, with its order count; groups.
	res := p.Admin(t, "GET", "/api/admin/customers/"+ids[1], nil)
	var c apiCustomer
	res.JSON(t, &c)
	if res.Status != 200 || c.ID != ids[1] || c.OrderCount == nil || *c.OrderCount != 0 {
		t.Errorf("GET customer: got %d %s, want it with orderCount 0", res.Status, res.Body)
	}
	res = p.Admin(t, "PUT", "/api/admin/customers/"+ids[1]+"/groups", map[string]any{"groups": []string{"vip", "b2b", "vip"}})
	res.JSON(t, &c)
	if res.Status != 200 || !cmp.Equal(c.Groups, []string{"b2b", "vip"}) {
		t.Errorf("PUT groups: got %d %s, want groups [b2b vip]", res.Status, res.Body)
	}
	shopper1 := devSignIn(t, p, "shopper1@example.com", "")
	if me := shopper1.me(t); !cmp.Equal(me.Groups, []string{"b2b", "vip"}) {
		t.Errorf("GET /api/me after PUT groups: got %v, want [b2b vip]", me.Groups)
	}
	wantProblem(t, "PATCH /api/me with groups", shopper1.do(t, "PATCH", "/api/me", map[string]any{"groups": []string{}}), 400, "invalid_request")
	tooMany := make([]string, 21)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("g%d", i)
	}
	for _, tt := range []struct {
		name string
		body any
	}{
		{"UpperCase", map[string]any{"groups": []string{"VIP"}}},
		{"Space", map[string]any{"groups": []string{"v ip"}}},
		{"Empty", map[string]any{"groups": []string{""}}},
		{"TooMany", map[string]any{"groups": tooMany}},
		{"Missing", map[string]any{}},
	} {
		wantProblem(t, "PUT groups "+tt.name, p.Admin(t, "PUT", "/api/admin/customers/"+ids[1]+"/groups", tt.body), 400, "invalid_request")
	}
	res = p.Admin(t, "PUT", "/api/admin/customers/"+ids[1]+"/groups", map[string]any{"groups": []string{}})
	res.JSON(t, &c)
	if res.Status != 200 || c.Groups == nil || len(c.Groups) != 0 {
		t.Errorf("PUT groups []: got %d %s, want no groups", res.Status, res.Body)
	}
	for _, id := range []string{"u" + strings.Repeat("0", 26), "nonsense"} {
		wantProblem(t, "GET customer "+id, p.Admin(t, "GET", "/api/admin/customers/"+id, nil), 404, "not_found")
		wantProblem(t, "PUT groups of "+id, p.Admin(t, "PUT", "/api/admin/customers/"+id+"/groups", map[string]any{"groups": []string{}}), 404, "not_found")
	}
	wantProblem(t, "GET customer without the admin key", p.Do(t, "GET", "/api/admin/customers/"+ids[1], nil), 401, "unauthorized")
}
