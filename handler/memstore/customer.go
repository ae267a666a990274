package memstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"shopfn/handler/commerce"
)

// CustomerStore is an in-memory commerce.CustomerStore: customers as JSON
// documents with a version, and their subject keys.
type CustomerStore struct {
	mu        sync.Mutex
	customers map[string]storedCustomer
	bySubject map[string]string // subject key -> customer ID
}

// storedCustomer is a stored customer.
type storedCustomer struct {
	doc      []byte
	version  int64
	emailKey string
}

// customerDoc is a customer as stored, with the fields the API hides.
type customerDoc struct {
	ID            string                     `json:"id"`
	Issuer        string                     `json:"issuer"`
	Subject       string                     `json:"subject"`
	Email         string                     `json:"email"`
	EmailVerified bool                       `json:"emailVerified"`
	Name          string                     `json:"name"`
	Phone         string                     `json:"phone"`
	Groups        []string                   `json:"groups"`
	Addresses     []commerce.CustomerAddress `json:"addresses"`
	CartID        string                     `json:"cartId,omitempty"`
	CreatedAt     time.Time                  `json:"createdAt"`
	UpdatedAt     time.Time                  `json:"updatedAt"`
}

var _ commerce.CustomerStore = (*CustomerStore)(nil)

// NewCustomerStore returns an empty CustomerStore.
func NewCustomerStore() *CustomerStore {
	return &CustomerStore{customers: map[string]storedCustomer{}, bySubject: map[string]string{}}
}

// CreateCustomer stores a new customer unless its subject has one.
func (s *CustomerStore) CreateCustomer(ctx context.Context, c *commerce.Customer) error {
	doc, err := json.Marshal(toDoc(c))
	if err != nil {
		return fmt.Errorf("memstore: encode customer: %w", err)
	}
	key := c.Identity().SubjectKey()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.bySubject[key]; ok {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "this subject has a customer")
	}
	if _, ok := s.customers[c.ID]; ok {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "customer %s exists", c.ID)
	}
	s.customers[c.ID] = storedCustomer{doc: doc, version: 1, emailKey: commerce.EmailKey(c.Email)}
	s.bySubject[key] = c.ID
	c.ETag = cartETag(1)
	return nil
}

// Customer returns a customer by ID.
func (s *CustomerStore) Customer(ctx context.Context, id string) (*commerce.Customer, error) {
	s.mu.Lock()
	sc, ok := s.customers[id]
	s.mu.Unlock()
	if !ok {
		return nil, commerce.NotFoundf("customer %q not found", id)
	}
	return decodeCustomer(sc)
}

// CustomerBySubject returns the customer of a subject key.
func (s *CustomerStore) CustomerBySubject(ctx context.Context, key string) (*commerce.Customer, error) {
	s.mu.Lock()
	id, ok := s.bySubject[key]
	s.mu.Unlock()
	if !ok {
		return nil, commerce.NotFoundf("no customer for this subject")
	}
	return s.Customer(ctx, id)
}

// ReplaceCustomer stores c if the stored version is still ifMatch.
func (s *CustomerStore) ReplaceCustomer(ctx context.Context, c *commerce.Customer, ifMatch string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, ok := s.customers[c.ID]
	if !ok {
		return commerce.NotFoundf("customer %q not found", c.ID)
	}
	version, err := strconv.ParseInt(strings.Trim(ifMatch, `"`), 10, 64)
	if err != nil || version != sc.version {
		return commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "customer %s has changed", c.ID)
	}
	old, err := decodeCustomer(sc)
	if err != nil {
		return err
	}
	d := toDoc(c)
	d.Issuer, d.Subject, d.CreatedAt = old.Issuer, old.Subject, old.CreatedAt
	doc, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("memstore: encode customer: %w", err)
	}
	s.customers[c.ID] = storedCustomer{doc: doc, version: sc.version + 1, emailKey: commerce.EmailKey(c.Email)}
	c.Issuer, c.Subject, c.CreatedAt, c.ETag = old.Issuer, old.Subject, old.CreatedAt, cartETag(sc.version+1)
	return nil
}

// DeleteCustomer removes a customer and its subject key.
func (s *CustomerStore) DeleteCustomer(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, ok := s.customers[id]
	if !ok {
		return commerce.NotFoundf("customer %q not found", id)
	}
	c, err := decodeCustomer(sc)
	if err != nil {
		return err
	}
	delete(s.customers, id)
	delete(s.bySubject, c.Identity().SubjectKey())
	return nil
}

// ListCustomers returns the customers f selects, in ID order.
func (s *CustomerStore) ListCustomers(ctx context.Context, f commerce.CustomerFilter) ([]commerce.Customer, error) {
	want := commerce.EmailKey(f.Email)
	s.mu.Lock()
	var ids []string
	for id, sc := range s.customers {
		if id > f.After && (want == "" || sc.emailKey == want) {
			ids = append(ids, id)
		}
	}
	s.mu.Unlock()
	slices.Sort(ids)
	var out []commerce.Customer
	for _, id := range ids {
		if len(out) == f.Limit {
			break
		}
		c, err := s.Customer(ctx, id)
		if commerce.ErrorKind(err) == commerce.KindNotFound {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, nil
}

func toDoc(c *commerce.Customer) *customerDoc {
	return &customerDoc{ID: c.ID, Issuer: c.Issuer, Subject: c.Subject, Email: c.Email, EmailVerified: c.EmailVerified,
		Name: c.Name, Phone: c.Phone, Groups: c.Groups, Addresses: c.Addresses, CartID: c.CartID, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func decodeCustomer(sc storedCustomer) (*commerce.Customer, error) {
	var d customerDoc
	if err := json.Unmarshal(sc.doc, &d); err != nil {
		return nil, fmt.Errorf("memstore: decode customer: %w", err)
	}
	c := &commerce.Customer{ID: d.ID, Issuer: d.Issuer, Subject: d.Subject, Email: d.Email, EmailVerified: d.EmailVerified,
		Name: d.Name, Phone: d.Phone, Groups: d.Groups, Addresses: d.Addresses, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
		ETag: cartETag(sc.version), CartID: d.CartID}
	if c.Groups == nil {
		c.Groups = []string{}
	}
	if c.Addresses == nil {
		c.Addresses = []commerce.CustomerAddress{}
	}
	return c, nil
}
