package api

import (
	"net/url"
	"sort"
	"strings"

	"shopfn/handler/commerce"
)

// queryParams lists the query parameters each route takes, keyed by method
// and pattern. A name ending in '.' takes any name that starts with it
// (attr.brand, option.color). A route that is not listed takes none, and an
// admin route also takes "code", the admin key. Every other parameter is
// refused with 400 invalid_request naming it, so that a misspelt filter
// (?categry=books) is an error, not a silently unfiltered answer. The
// README's "Query parameters" table and openapi.json list the same names;
// TestQueryParamsDocumented holds them together.
var queryParams = map[string][]string{
	"GET /api/products":                            {"category", "q", "limit", "cursor", "sort", "currency", "minPrice", "maxPrice", "inStock", "facets", "attr.", "option."},
	"GET /api/inventory":                           {"sku"},
	"GET /api/inventory/{sku}":                     {"country"},
	"GET /api/carts/{cartId}/shipping-options":     {"country"},
	"GET /api/me/orders":                           {"limit", "cursor"},
	"GET /api/admin/products":                      {"status", "q", "limit", "cursor"},
	"GET /api/admin/orders":                        {"status", "limit", "cursor"},
	"GET /api/admin/customers":                     {"email", "limit", "cursor"},
	"GET /api/admin/deadletters":                   {"queue"},
	"GET /api/admin/events":                        {"after", "type", "limit"},
	"GET /api/admin/shopify/orders":                {"status", "shortfall", "limit", "cursor"},
	"GET /api/admin/subscriptions/{id}/deliveries": {"status"},
	"POST /api/testpay/authenticate/{paymentId}":   {"token", "outcome"},
}

// checkParams refuses a query that names a parameter rt does not take.
// rawQuery has passed validQuery.
func checkParams(rt Route, rawQuery string) error {
	if rawQuery == "" || rt.Method == "*" {
		return nil
	}
	allowed := queryParams[rt.Method+" "+rt.Pattern]
	// The names as url.ParseQuery reads them, without building its map:
	// this runs on every request with a query string.
	var unknown []string
	for rest := rawQuery; rest != ""; {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		if pair == "" {
			continue
		}
		name, _, _ := strings.Cut(pair, "=")
		if strings.ContainsAny(name, "%+") {
			n, err := url.QueryUnescape(name)
			if err != nil {
				return commerce.Invalidf(commerce.CodeInvalidRequest, "malformed query string")
			}
			name = n
		}
		if !takes(allowed, name) && !(rt.Admin && name == "code") {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	takesList := "no query parameters"
	if len(allowed) > 0 {
		takesList = strings.ReplaceAll(strings.Join(allowed, ", "), ".,", ".<name>,")
		if strings.HasSuffix(takesList, ".") {
			takesList += "<name>"
		}
	}
	return commerce.Invalidf(commerce.CodeInvalidRequest, "unknown query parameter %q: %s %s takes %s",
		unknown[0], rt.Method, rt.Pattern, takesList)
}

// takes reports whether name is one of allowed, or starts with one of its
// prefixes (names ending in '.') and has more after it.
func takes(allowed []string, name string) bool {
	for _, a := range allowed {
		if !strings.HasSuffix(a, ".") && a == name || strings.HasSuffix(a, ".") && len(name) > len(a) && strings.HasPrefix(name, a) {
			return true
		}
	}
	return false
}
