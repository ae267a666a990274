// Package customer holds the rules of customer records: who a signed-in
// customer is (created on first use from a verified identity), what they
// may change (name, phone, addresses), what staff may change (groups), and
// erasure. It stores through a commerce.CustomerStore and knows no HTTP
// and no token: package auth verifies tokens and hands it an identity.
package customer

import (
	"context"
	"time"

	"shopfn/handler/commerce"
)

// maxWriteAttempts bounds how often a change is tried again after another
// write to the same customer won the race (precondition_failed).
const maxWriteAttempts = 8

// createWait is how long SignIn waits, in all, for the customer a
// concurrent first sign-in is creating before it answers "unavailable".
const createWait = 5 * time.Second

// Eraser removes or redacts what another store holds about a customer
// before the customer's record is deleted. It must be idempotent: an
// erasure that failed half-way runs every eraser again.
type Eraser func(ctx context.Context, c *commerce.Customer) error

// Service applies the customer rules.
type Service struct {
	store commerce.CustomerStore
	now   func() time.Time
	// Erasers run, in order, before DeleteCustomer when a customer is
	// erased: main sets the open cart's deletion and the redaction of the
	// customer's orders.
	Erasers []Eraser
}

// NewService returns a Service on store; now is the clock.
func NewService(store commerce.CustomerStore, now func() time.Time) *Service {
	return &Service{store: store, now: now}
}

// SignIn returns the customer of a verified identity, creating it on first
// use from the identity's email, email_verified and name. Concurrent first
// sign-ins of one identity make one customer: the store's create decides
// by the issuer and subject, and the losers read the winner's. A later
// sign-in whose token carries another email or verification state updates
// them (the issuer is their source); the name stays the customer's.
func (s *Service) SignIn(ctx context.Context, id commerce.Identity) (*commerce.Customer, error) {
	key := id.SubjectKey()
	deadline := time.Now().Add(createWait)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		c, err := s.store.CustomerBySubject(ctx, key)
		if err == nil {
			return s.follow(ctx, c, id)
		}
		if commerce.ErrorKind(err) != commerce.KindNotFound {
			return nil, err
		}
		c = s.newCustomer(id)
		err = s.store.CreateCustomer(ctx, c)
		if err == nil {
			return c, nil
		}
		if commerce.ErrorCode(err) != commerce.CodeConflict {
			return nil, err
		}
		// Another sign-in holds the subject and is writing its customer.
		if time.Now().After(deadline) {
			return nil, commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "another sign-in of this customer is still in progress; retry")
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// newCustomer returns the customer a first sign-in of id makes.
func (s *Service) newCustomer(id commerce.Identity) *commerce.Customer {
	now := s.now().UTC()
	return &commerce.Customer{
		ID: commerce.NewCustomerID(now), Issuer: id.Issuer, Subject: id.Subject,
		Email: tokenEmail(id.Email), EmailVerified: id.EmailVerified && tokenEmail(id.Email) != "",
		Name: tokenName(id.Name), Groups: []string{}, Addresses: []commerce.CustomerAddress{},
		CreatedAt: now, UpdatedAt: now,
	}
}

// follow updates c's email and its verification from id's token when the
// token carries an email that differs.
func (s *Service) follow(ctx context.Context, c *commerce.Customer, id commerce.Identity) (*commerce.Customer, error) {
	email := tokenEmail(id.Email)
	if email == "" || (email == c.Email && id.EmailVerified == c.EmailVerified) {
		return c, nil
	}
	return s.change(ctx, c.ID, func(c *commerce.Customer) error {
		c.Email, c.EmailVerified = email, id.EmailVerified
		return nil
	})
}

// Customer returns a customer by ID, or "not_found".
func (s *Service) Customer(ctx context.Context, id string) (*commerce.Customer, error) {
	if !commerce.IsID(id, 'u') {
		return nil, commerce.NotFoundf("customer %q not found", id)
	}
	return s.store.Customer(ctx, id)
}

// List returns the customers f selects, in ID order; f.Limit is at most
// commerce.MaxCustomerLimit.
func (s *Service) List(ctx context.Context, f commerce.CustomerFilter) ([]commerce.Customer, error) {
	if f.Limit < 1 || f.Limit > commerce.MaxCustomerLimit+1 {
		return nil, commerce.Invalidf(commerce.CodeInvalidRequest, "limit must be from 1 to %d", commerce.MaxCustomerLimit)
	}
	return s.store.ListCustomers(ctx, f)
}

// Erase deletes a customer: every Eraser runs, then the record with its
// addresses and keys goes. The same identity signing in afterwards makes a
// new, empty customer.
func (s *Service) Erase(ctx context.Context, id string) error {
	c, err := s.Customer(ctx, id)
	if err != nil {
		return err
	}
	for _, e := range s.Erasers {
		if err := e(ctx, c); err != nil {
			return err
		}
	}
	return s.store.DeleteCustomer(ctx, id)
}

// change reads customer id, applies f, and stores the result conditionally
// on the version read, trying again when another write came between (409
// "conflict" after maxWriteAttempts). An error from f is returned as is,
// with nothing stored.
func (s *Service) change(ctx context.Context, id string, f func(c *commerce.Customer) error) (*commerce.Customer, error) {
	for attempt := 1; ; attempt++ {
		c, err := s.Customer(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := f(c); err != nil {
			return nil, err
		}
		c.UpdatedAt = s.now().UTC()
		err = s.store.ReplaceCustomer(ctx, c, c.ETag)
		if err == nil {
			return c, nil
		}
		if commerce.ErrorCode(err) != commerce.CodePreconditionFailed {
			return nil, err
		}
		if attempt == maxWriteAttempts {
			return nil, commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "the customer was changed by other requests meanwhile; retry")
		}
	}
}

// sleep waits d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
