package api

import (
	"net/http"
	"net/url"
	"strconv"

	"shopfn/handler/commerce"
)

// customerQuery is a validated GET /api/admin/customers query.
type customerQuery struct {
	email string
	limit int
	after string
}

// parseCustomerQuery validates the query of GET /api/admin/customers. A
// cursor must be one this API returned for the same email and limit.
func (s *Server) parseCustomerQuery(v url.Values) (customerQuery, error) {
	for _, name := range []string{"email", "limit", "cursor"} {
		if len(v[name]) > 1 {
			return customerQuery{}, commerce.Invalidf(commerce.CodeInvalidRequest, "%s is given more than once", name)
		}
	}
	q := customerQuery{email: v.Get("email"), limit: defaultPageSize}
	if len(q.email) > commerce.MaxEmailLen {
		return q, commerce.Invalidf(commerce.CodeInvalidRequest, "email must be at most %d characters", commerce.MaxEmailLen)
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > commerce.MaxCustomerLimit {
			return q, commerce.Invalidf(commerce.CodeInvalidRequest, "limit must be an integer from 1 to %d", commerce.MaxCustomerLimit)
		}
		q.limit = n
	}
	if c := v.Get("cursor"); c != "" {
		after, ok := s.cursors.openID(c, "customers", 'u', q.email, strconv.Itoa(q.limit))
		if !ok {
			return q, commerce.Invalidf(commerce.CodeInvalidRequest, "cursor is not one this API returned for these email and limit values")
		}
		q.after = after
	}
	return q, nil
}

// customerPage is a page of GET /api/admin/customers.
type customerPage struct {
	Items      []commerce.Customer `json:"items"`
	NextCursor *string             `json:"nextCursor"`
}

func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request) error {
	if s.Customers == nil {
		return errNoSignIn
	}
	q, err := s.parseCustomerQuery(r.URL.Query())
	if err != nil {
		return err
	}
	cs, err := s.Customers.List(r.Context(), commerce.CustomerFilter{Email: q.email, After: q.after, Limit: q.limit + 1})
	if err != nil {
		return err
	}
	page := customerPage{Items: cs}
	if len(cs) > q.limit {
		page.Items = cs[:q.limit]
		next := s.cursors.sealID("customers", cs[q.limit-1].ID, q.email, strconv.Itoa(q.limit))
		page.NextCursor = &next
	}
	if page.Items == nil {
		page.Items = []commerce.Customer{}
	}
	s.writeJSON(w, r, http.StatusOK, page)
	return nil
}

// adminCustomer is a customer as staff read it.
type adminCustomer struct {
	*commerce.Customer
	// OrderCount is how many orders the customer placed or claimed.
	OrderCount int `json:"orderCount"`
}

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) error {
	if s.Customers == nil {
		return errNoSignIn
	}
	c, err := s.Customers.Customer(r.Context(), r.PathValue("customerId"))
	if err != nil {
		return err
	}
	return s.writeAdminCustomer(w, r, c)
}

// writeAdminCustomer answers with customer c as staff read it, with its
// order count.
func (s *Server) writeAdminCustomer(w http.ResponseWriter, r *http.Request, c *commerce.Customer) error {
	co, err := s.customerOrders()
	if err != nil {
		return err
	}
	n, err := co.CountCustomerOrders(r.Context(), c.ID)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, adminCustomer{Customer: c, OrderCount: n})
	return nil
}

func (s *Server) setCustomerGroups(w http.ResponseWriter, r *http.Request) error {
	if s.Customers == nil {
		return errNoSignIn
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var in struct {
		Groups *[]string `json:"groups"`
	}
	if err := decodeJSON(body, &in); err != nil {
		return err
	}
	if in.Groups == nil {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "groups is required (an empty list removes every group)")
	}
	c, err := s.Customers.SetGroups(r.Context(), r.PathValue("customerId"), *in.Groups)
	if err != nil {
		return err
	}
	return s.writeAdminCustomer(w, r, c)
}
