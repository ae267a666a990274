package api

import (
	"net/http"

	"shopfn/handler/auth"
	"shopfn/handler/commerce"
	"shopfn/handler/customer"
)

// errNoSignIn answers customer routes on a server with no issuer (on Azure
// without SHOPFN_OIDC_ISSUER).
var errNoSignIn = commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "customer sign-in is not configured on this server (SHOPFN_OIDC_ISSUER)")

// signedIn verifies r's bearer token and returns its customer, created on
// first use. A refused token is 401 with WWW-Authenticate; writes are rate
// limited per customer as well as per address.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request) (*commerce.Customer, error) {
	w.Header().Set("Cache-Control", "no-store")
	if s.Auth == nil || s.Customers == nil {
		return nil, errNoSignIn
	}
	id, err := s.Auth.Authenticate(r)
	if err != nil {
		if commerce.ErrorKind(err) == commerce.KindUnauthorized {
			w.Header().Set("WWW-Authenticate", auth.Challenge(err))
		}
		return nil, err
	}
	c, err := s.Customers.SignIn(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if err := s.rateLimitKey(w, customerKey(c.ID)); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request) error {
	c, err := s.signedIn(w, r)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, c)
	return nil
}

// profileInput is the body of PATCH /api/me: the fields to change.
type profileInput struct {
	Name  *string `json:"name"`
	Phone *string `json:"phone"`
}

func (s *Server) patchMe(w http.ResponseWriter, r *http.Request) error {
	c, err := s.signedIn(w, r)
	if err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var in profileInput
	if err := decodeJSON(body, &in); err != nil {
		return err
	}
	p := customer.Profile{Name: in.Name, Phone: in.Phone}
	if c, err = s.Customers.Update(r.Context(), c.ID, p); err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, c)
	return nil
}

// deleteMe erases the signed-in customer.
func (s *Server) deleteMe(w http.ResponseWriter, r *http.Request) error {
	c, err := s.signedIn(w, r)
	if err != nil {
		return err
	}
	if err := s.Customers.Erase(r.Context(), c.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// addressPage is the answer of GET /api/me/addresses.
type addressPage struct {
	Items []commerce.CustomerAddress `json:"items"`
}

func (s *Server) listAddresses(w http.ResponseWriter, r *http.Request) error {
	c, err := s.signedIn(w, r)
	if err != nil {
		return err
	}
	page := addressPage{Items: c.Addresses}
	if page.Items == nil {
		page.Items = []commerce.CustomerAddress{}
	}
	s.writeJSON(w, r, http.StatusOK, page)
	return nil
}

// addressInput is the body of address writes: the checkout's shipping
// address and isDefault.
type addressInput struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	PostalCode string `json:"postalCode"`
	Country    string `json:"country"`
	Region     string `json:"region"`
	IsDefault  bool   `json:"isDefault"`
	// ID is accepted so that a client can send back what it read; it
	// must be the URL's.
	ID *string `json:"id"`
}

// parseAddress decodes and validates an address body.
func parseAddress(data []byte) (customer.AddressInput, *string, error) {
	var in addressInput
	if err := decodeJSON(data, &in); err != nil {
		return customer.AddressInput{}, nil, err
	}
	a := customer.AddressInput{IsDefault: in.IsDefault, Address: commerce.Address{
		Name: in.Name, Line1: in.Line1, Line2: in.Line2, City: in.City, PostalCode: in.PostalCode, Country: in.Country, Region: in.Region}}
	return a, in.ID, a.Validate()
}

func (s *Server) addAddress(w http.ResponseWriter, r *http.Request) error {
	c, err := s.signedIn(w, r)
	if err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	in, id, err := parseAddress(body)
	if err != nil {
		return err
	}
	if id != nil {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "id is assigned by the server; leave it out")
	}
	a, err := s.Customers.AddAddress(r.Context(), c.ID, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/me/addresses/"+a.ID)
	s.writeJSON(w, r, http.StatusCreated, a)
	return nil
}

func (s *Server) replaceAddress(w http.ResponseWriter, r *http.Request) error {
	c, err := s.signedIn(w, r)
	if err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	in, id, err := parseAddress(body)
	if err != nil {
		return err
	}
	addressID := r.PathValue("addressId")
	if id != nil && *id != addressID {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "the body's id is not the URL's")
	}
	a, err := s.Customers.ReplaceAddress(r.Context(), c.ID, addressID, in)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, a)
	return nil
}

func (s *Server) deleteAddress(w http.ResponseWriter, r *http.Request) error {
	c, err := s.signedIn(w, r)
	if err != nil {
		return err
	}
	if err := s.Customers.DeleteAddress(r.Context(), c.ID, r.PathValue("addressId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
