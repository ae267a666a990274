package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shopfn/handler/commerce"
)

// customerOrders returns the store of orders' customers, or 503 when the
// order store keeps none.
func (s *Server) customerOrders() (commerce.CustomerOrderStore, error) {
	co, ok := s.Orders.(commerce.CustomerOrderStore)
	if !ok {
		return nil, commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "this order store keeps no customers")
	}
	return co, nil
}

// myOrdersQuery is a validated GET /api/me/orders query.
type myOrdersQuery struct {
	limit  int
	before string
}

// parseMyOrdersQuery validates the query of GET /api/me/orders. A cursor
// must be one this API returned to the same customer for the same limit.
func (s *Server) parseMyOrdersQuery(v url.Values, customerID string) (myOrdersQuery, error) {
	for _, name := range []string{"limit", "cursor"} {
		if len(v[name]) > 1 {
			return myOrdersQuery{}, commerce.Invalidf(commerce.CodeInvalidRequest, "%s is given more than once", name)
		}
	}
	q := myOrdersQuery{limit: defaultPageSize}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > commerce.MaxCustomerOrdersLimit {
			return q, commerce.Invalidf(commerce.CodeInvalidRequest, "limit must be an integer from 1 to %d", commerce.MaxCustomerOrdersLimit)
		}
		q.limit = n
	}
	if c := v.Get("cursor"); c != "" {
		before, ok := s.cursors.openID(c, "myorders", 'o', customerID, strconv.Itoa(q.limit))
		if !ok {
			return q, commerce.Invalidf(commerce.CodeInvalidRequest, "cursor is not one this API returned for this limit")
		}
		q.before = before
	}
	return q, nil
}

// myOrderPage is a page of GET /api/me/orders.
type myOrderPage struct {
	Items      []commerce.Order `json:"items"`
	NextCursor *string          `json:"nextCursor"`
}

// listMyOrders answers GET /api/me/orders: the customer's orders, newest
// first.
func (s *Server) listMyOrders(w http.ResponseWriter, r *http.Request) error {
	c, err := s.signedIn(w, r)
	if err != nil {
		return err
	}
	co, err := s.customerOrders()
	if err != nil {
		return err
	}
	q, err := s.parseMyOrdersQuery(r.URL.Query(), c.ID)
	if err != nil {
		return err
	}
	orders, err := co.CustomerOrders(r.Context(), c.ID, q.before, q.limit+1)
	if err != nil {
		return err
	}
	page := myOrderPage{Items: orders}
	if len(orders) > q.limit {
		page.Items = orders[:q.limit]
		next := s.cursors.sealID("myorders", orders[q.limit-1].ID, c.ID, strconv.Itoa(q.limit))
		page.NextCursor = &next
	}
	if page.Items == nil {
		page.Items = []commerce.Order{}
	}
	s.writeJSON(w, r, http.StatusOK, page)
	return nil
}

// claimOrder answers POST /api/me/orders/claim: a guest order attached to
// the signed-in customer whose verified email is the order's.
func (s *Server) claimOrder(w http.ResponseWriter, r *http.Request) error {
	c, err := s.signedIn(w, r)
	if err != nil {
		return err
	}
	co, err := s.customerOrders()
	if err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var in struct {
		OrderID *string `json:"orderId"`
	}
	if err := decodeJSON(body, &in); err != nil {
		return err
	}
	if in.OrderID == nil {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "orderId is required")
	}
	if !c.EmailVerified || c.Email == "" {
		return commerce.Errorf(commerce.KindUnauthorized, commerce.CodeEmailNotVerified, "only a verified email claims orders: sign in with a token whose email is verified")
	}
	id := *in.OrderID
	notFound := commerce.NotFoundf("order %q not found", clipID(id))
	if !commerce.IsID(id, 'o') {
		return notFound
	}
	o, err := s.Orders.Order(r.Context(), id)
	if err != nil {
		return orderNotFound(err, id)
	}
	if o.CustomerID != c.ID && (o.CustomerID != "" || !strings.EqualFold(o.Email, c.Email)) {
		return notFound // never says whose it is, or that the email differs
	}
	ok, err := co.ClaimOrder(r.Context(), id, c.ID, s.cfg.Now().UTC())
	if err != nil {
		return orderNotFound(err, id)
	}
	if !ok {
		return notFound
	}
	o.CustomerID = c.ID
	s.writeJSON(w, r, http.StatusOK, o)
	return nil
}

// ownsOrder reports whether r is made by the customer of order o, which
// has one. A request without a token does not; a refused token is 401.
func (s *Server) ownsOrder(w http.ResponseWriter, r *http.Request, o *commerce.Order) (bool, error) {
	if len(r.Header.Values("Authorization")) == 0 || s.Auth == nil {
		return false, nil
	}
	c, err := s.signedIn(w, r)
	if err != nil {
		return false, err
	}
	return c.ID == o.CustomerID, nil
}
