package commerce

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Identity is a signed-in customer as an OpenID Connect issuer vouches for
// it: what package auth hands the API once a bearer token verified. It
// carries no token.
type Identity struct {
	// Issuer and Subject name the customer at its issuer: one customer per
	// pair.
	Issuer  string
	Subject string
	// Email, EmailVerified and Name are the token's claims, when it has
	// them.
	Email         string
	EmailVerified bool
	Name          string
}

// SubjectKey returns the key that stands for the identity's issuer and
// subject in stores: a hash, so that no store key or request path carries
// the subject or the issuer's URL (which hold characters that document ids
// may not).
func (id Identity) SubjectKey() string {
	h := sha256.Sum256([]byte(id.Issuer + "\x00" + id.Subject))
	return hex.EncodeToString(h[:])
}

// EmailKey returns the key that stands for an email address in stores: a
// hash of the lower-cased address, so that lookups ignore case and no
// store key carries an address. The empty address has the empty key.
func EmailKey(email string) string {
	if email == "" {
		return ""
	}
	h := sha256.Sum256([]byte(strings.ToLower(email)))
	return hex.EncodeToString(h[:])
}

// Customer is a customer's record: who they are at their issuer, what they
// told the shop, the groups staff put them in, and their addresses.
type Customer struct {
	ID string `json:"id"`
	// Issuer and Subject are the Identity the customer was created for.
	Issuer  string `json:"-"`
	Subject string `json:"-"`
	// Email and EmailVerified follow the issuer's latest token.
	Email         string `json:"email"`
	EmailVerified bool   `json:"emailVerified"`
	// Name and Phone are the customer's to change.
	Name  string `json:"name"`
	Phone string `json:"phone"`
	// Groups are lower-case ids staff assign (price lists and promotions
	// target them).
	Groups []string `json:"groups"`
	// CartID is the customer's open cart, when it has one: the key that
	// keeps a customer to one open cart (it changes only by a write
	// conditional on the record's ETag). A cart it names that is gone,
	// expired or closed counts as none.
	CartID string `json:"-"`
	// Addresses is the address book, at most MaxAddresses.
	Addresses []CustomerAddress `json:"-"`
	CreatedAt time.Time         `json:"createdAt"`
	UpdatedAt time.Time         `json:"updatedAt"`
	// ETag is the stored version, for conditional writes.
	ETag string `json:"-"`
}

// Identity returns the identity the customer was created for.
func (c *Customer) Identity() Identity {
	return Identity{Issuer: c.Issuer, Subject: c.Subject, Email: c.Email, EmailVerified: c.EmailVerified, Name: c.Name}
}

// CustomerAddress is one address of a customer's address book: the
// checkout's shipping address shape, an id, and whether it is the default.
type CustomerAddress struct {
	ID string `json:"id"`
	Address
	IsDefault bool `json:"isDefault"`
}

// Limits on a customer record.
const (
	MaxAddresses     = 20
	MaxGroups        = 20
	MaxGroupLen      = 50
	MaxNameLen       = 200
	MaxPhoneLen      = 32
	MaxEmailLen      = 254
	MaxSubjectLen    = 255
	MaxCustomerLimit = 100
)

// CustomerFilter selects customers for a listing, in ID order (oldest
// first).
type CustomerFilter struct {
	// Email, when set, selects the customers with this address, compared
	// ignoring case.
	Email string
	// After is the last ID of the previous page.
	After string
	// Limit is how many customers to return at most.
	Limit int
}

// CustomerStore holds customer records in the document store, each with
// its addresses. Implementations: sqlite.CustomerStore,
// cosmos.CustomerStore, memstore.CustomerStore; storetest.TestCustomerStore
// holds them to this behaviour. Customer IDs name nothing when malformed:
// such a call answers "not_found" without asking the store.
type CustomerStore interface {
	// CreateCustomer stores a new customer and sets c.ETag. The issuer and
	// subject decide: when another customer holds them already (a
	// concurrent first sign-in won), it returns KindConflict "conflict" and
	// stores nothing; the caller then reads CustomerBySubject.
	CreateCustomer(ctx context.Context, c *Customer) error

	// Customer returns a customer by ID, or "not_found".
	Customer(ctx context.Context, id string) (*Customer, error)

	// CustomerBySubject returns the customer of an issuer and subject (see
	// Identity.SubjectKey), or "not_found".
	CustomerBySubject(ctx context.Context, subjectKey string) (*Customer, error)

	// ReplaceCustomer stores c over the customer c.ID if its ETag is still
	// ifMatch, and sets c.ETag. Issuer, Subject and CreatedAt are kept as
	// stored. It returns "not_found" when the customer is gone and
	// "precondition_failed" when it changed.
	ReplaceCustomer(ctx context.Context, c *Customer, ifMatch string) error

	// DeleteCustomer removes a customer, its addresses and its keys, so
	// that the same issuer and subject make a new customer afterwards. It
	// returns "not_found" when there is none.
	DeleteCustomer(ctx context.Context, id string) error

	// ListCustomers returns the customers f selects, in ID order.
	ListCustomers(ctx context.Context, f CustomerFilter) ([]Customer, error)
}
