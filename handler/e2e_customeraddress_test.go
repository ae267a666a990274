package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// apiAddress is a customer address as the API answers it.
type apiAddress struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	PostalCode string `json:"postalCode"`
	Country    string `json:"country"`
	IsDefault  bool   `json:"isDefault"`
}

// testAddress is a valid address body.
func testAddress(line1 string, isDefault bool) map[string]any {
	return map[string]any{"name": "Ada Lovelace", "line1": line1, "line2": "", "city": "Springfield",
		"postalCode": "12345", "country": "US", "isDefault": isDefault}
}

// addresses reads GET /api/me/addresses.
func (c customerClient) addresses(tb testing.TB) []apiAddress {
	tb.Helper()
	res := c.do(tb, "GET", "/api/me/addresses", nil)
	if res.Status != 200 {
		tb.Fatalf("GET /api/me/addresses: got %d %s, want 200", res.Status, res.Body)
	}
	var page struct {
		Items []apiAddress `json:"items"`
	}
	res.JSON(tb, &page)
	return page.Items
}

// addAddress posts an address and returns it, failing unless it is 201.
func (c customerClient) addAddress(tb testing.TB, body map[string]any) apiAddress {
	tb.Helper()
	res := c.do(tb, "POST", "/api/me/addresses", body)
	if res.Status != http.StatusCreated {
		tb.Fatalf("POST /api/me/addresses: got %d %s, want 201", res.Status, res.Body)
	}
	var a apiAddress
	res.JSON(tb, &a)
	if !strings.HasPrefix(a.ID, "a") || res.Header.Get("Location") != "/api/me/addresses/"+a.ID {
		tb.Fatalf("POST /api/me/addresses: got id %q, Location %q", a.ID, res.Header.Get("Location"))
	}
	return a
}

func TestE2ECustomerAddresses(t *testing.T) {
	t.Parallel()
	p := MustRunMain(t, false)
	ada := devSignIn(t, p, "ada@example.com", "Ada")
	bob := devSignIn(t, p, "bob@example.com", "Bob")

	if got := ada.addresses(t); len(got) != 0 {
		t.Fatalf("a new customer's addresses: got %v, want none", got)
	}
	home := ada.addAddress(t, testAddress("1 Main St", true))
	work := ada.addAddress(t, testAddress("2 Side St", false))
	if got := ada.addresses(t); len(got) != 2 || got[0] != home || got[1] != work || !got[0].IsDefault {
		t.Errorf("addresses: got %+v, want home (default) and work", got)
	}

	// Making work the default makes home not.
	body := testAddress("2 Side St, Floor 3", true)
	res := ada.do(t, "PUT", "/api/me/addresses/"+work.ID, body)
	var put apiAddress
	res.JSON(t, &put)
	if res.Status != 200 || put.ID != work.ID || put.Line1 != "2 Side St, Floor 3" || !put.IsDefault {
		t.Errorf("PUT address: got %d %s", res.Status, res.Body)
	}
	if got := ada.addresses(t); got[0].IsDefault || !got[1].IsDefault {
		t.Errorf("after making work the default: got %+v, want only work default", got)
	}

	// Another customer's address, and addresses that do not exist, are 404.
	for _, tt := range []struct {
		who          customerClient
		method, path string
		body         any
	}{
		{bob, "PUT", "/api/me/addresses/" + home.ID, testAddress("x", false)},
		{bob, "DELETE", "/api/me/addresses/" + home.ID, nil},
		{ada, "PUT", "/api/me/addresses/a" + strings.Repeat("0", 26), testAddress("x", false)},
		{ada, "DELETE", "/api/me/addresses/not-an-id", nil},
	} {
		wantProblem(t, tt.method+" "+tt.path, tt.who.do(t, tt.method, tt.path, tt.body), 404, "not_found")
	}
	if got := bob.addresses(t); len(got) != 0 {
		t.Errorf("bob's addresses: got %v, want none", got)
	}

	// Bad addresses are the checkout's 422; bad JSON 400.
	for _, tt := range []struct {
		name   string
		change func(map[string]any)
	}{
		{"NoLine1", func(a map[string]any) { delete(a, "line1") }},
		{"BlankCity", func(a map[string]any) { a["city"] = "  " }},
		{"Country", func(a map[string]any) { a["country"] = "usa" }},
		{"LongLine2", func(a map[string]any) { a["line2"] = strings.Repeat("x", 201) }},
		{"Newline", func(a map[string]any) { a["name"] = "Ada\nLovelace" }},
	} {
		a := testAddress("3 Bad St", false)
		tt.change(a)
		wantProblem(t, "POST address "+tt.name, ada.do(t, "POST", "/api/me/addresses", a), 422, "invalid_address")
	}
	withID := testAddress("4 St", false)
	withID["id"] = home.ID
	wantProblem(t, "POST address with an id", ada.do(t, "POST", "/api/me/addresses", withID), 400, "invalid_request")
	wantProblem(t, "PUT address with another id", ada.do(t, "PUT", "/api/me/addresses/"+work.ID, withID), 400, "invalid_request")
	wantProblem(t, "POST address with an unknown field", ada.do(t, "POST", "/api/me/addresses", map[string]any{"street": "x"}), 400, "invalid_request")
	wantProblem(t, "POST address without a token", p.Do(t, "POST", "/api/me/addresses", testAddress("5 St", false)), 401, "unauthorized")

	// Delete, then fill the book to 20: the 21st is refused.
	if res := ada.do(t, "DELETE", "/api/me/addresses/"+home.ID, nil); res.Status != http.StatusNoContent {
		t.Fatalf("DELETE address: got %d %s, want 204", res.Status, res.Body)
	}
	wantProblem(t, "DELETE the deleted address", ada.do(t, "DELETE", "/api/me/addresses/"+home.ID, nil), 404, "not_found")
	for i := 1; i < 20; i++ {
		ada.addAddress(t, testAddress(fmt.Sprintf("%d Long Road", i), false))
	}
	wantProblem(t, "the 21st address", ada.do(t, "POST", "/api/me/addresses", testAddress("21 Long Road", false)), 409, "too_many_addresses")
	if got := ada.addresses(t); len(got) != 20 {
		t.Errorf("addresses after the refusal: got %d, want 20", len(got))
	}
}
