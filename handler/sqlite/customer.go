package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
)

// CustomerStore is the embedded commerce.CustomerStore: customers as JSON
// documents with a version for optimistic concurrency, keyed by ID, by the
// hash of their issuer and subject (unique: the insert decides concurrent
// first sign-ins) and by the hash of their email.
type CustomerStore struct {
	db *DB
	// Observe, when set, is told of every call.
	Observe Observe
	// Events, when set, writes customer.created in the transaction that
	// creates the customer.
	Events EventWriter
}

var _ commerce.CustomerStore = (*CustomerStore)(nil)

// NewCustomerStore returns a CustomerStore on db.
func NewCustomerStore(db *DB) *CustomerStore { return &CustomerStore{db: db} }

// customerDoc is a customer as stored in customers.doc.
type customerDoc struct {
	ID            string       `json:"id"`
	Issuer        string       `json:"issuer"`
	Subject       string       `json:"subject"`
	Email         string       `json:"email"`
	EmailVerified bool         `json:"emailVerified"`
	Name          string       `json:"name"`
	Phone         string       `json:"phone"`
	Groups        []string     `json:"groups"`
	Addresses     []addressDoc `json:"addresses"`
	CartID        string       `json:"cartId,omitempty"`
	CreatedAt     time.Time    `json:"createdAt"`
	UpdatedAt     time.Time    `json:"updatedAt"`
}

// addressDoc is one address of a customerDoc.
type addressDoc struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	PostalCode string `json:"postalCode"`
	Country    string `json:"country"`
	Region     string `json:"region,omitempty"`
	IsDefault  bool   `json:"isDefault"`
}

// CreateCustomer stores a new customer; a subject or ID that has one is a
// conflict. With s.Events, customer.created is written in the same
// transaction.
func (s *CustomerStore) CreateCustomer(ctx context.Context, c *commerce.Customer) (err error) {
	defer s.Observe.call("sqlite.create customer", time.Now(), &err)
	doc, err := encodeCustomer(c)
	if err != nil {
		return err
	}
	tx, err := s.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: create customer: %w", err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT INTO customers (id, subject_key, email_key, version, doc) VALUES (?, ?, ?, 1, ?)`,
		c.ID, c.Identity().SubjectKey(), commerce.EmailKey(c.Email), doc)
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE constraint failed") {
			return commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "this subject has a customer")
		}
		return fmt.Errorf("sqlite: create customer: %w", err)
	}
	if err := writeEvent(ctx, s.Events, tx, events.CustomerCreated, c.ID, events.CustomerFrom(*c)); err != nil {
		return fmt.Errorf("sqlite: create customer: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: create customer: %w", err)
	}
	c.ETag = etag(1)
	return nil
}

// Customer returns a customer by ID.
func (s *CustomerStore) Customer(ctx context.Context, id string) (_ *commerce.Customer, err error) {
	defer s.Observe.call("sqlite.read customer", time.Now(), &err)
	return s.read(ctx, `SELECT doc, version FROM customers WHERE id = ?`, id)
}

// CustomerBySubject returns the customer of a subject key.
func (s *CustomerStore) CustomerBySubject(ctx context.Context, key string) (_ *commerce.Customer, err error) {
	defer s.Observe.call("sqlite.read customer by subject", time.Now(), &err)
	return s.read(ctx, `SELECT doc, version FROM customers WHERE subject_key = ?`, key)
}

func (s *CustomerStore) read(ctx context.Context, query, arg string) (*commerce.Customer, error) {
	var doc []byte
	var version int64
	err := s.db.Read.QueryRowContext(ctx, query, arg).Scan(&doc, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, commerce.NotFoundf("customer not found")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: read customer: %w", err)
	}
	return decodeCustomer(doc, version)
}

// ReplaceCustomer stores c if the stored version is still ifMatch, keeping
// the stored issuer, subject and creation time.
func (s *CustomerStore) ReplaceCustomer(ctx context.Context, c *commerce.Customer, ifMatch string) (err error) {
	defer s.Observe.call("sqlite.replace customer", time.Now(), &err)
	version, err := strconv.ParseInt(strings.Trim(ifMatch, `"`), 10, 64)
	if err != nil {
		version = -1 // matches no row; the customer's existence decides the error below
	}
	old, err := s.Customer(ctx, c.ID)
	if err != nil {
		return err
	}
	kept := *c
	kept.Issuer, kept.Subject, kept.CreatedAt = old.Issuer, old.Subject, old.CreatedAt
	doc, err := encodeCustomer(&kept)
	if err != nil {
		return err
	}
	// The version decides; what was read above never changes.
	res, err := s.db.Write.ExecContext(ctx, `UPDATE customers SET version = version + 1, email_key = ?, doc = ? WHERE id = ? AND version = ?`,
		commerce.EmailKey(c.Email), doc, c.ID, version)
	if err != nil {
		return fmt.Errorf("sqlite: replace customer: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		if _, err := s.Customer(ctx, c.ID); err != nil {
			return err
		}
		return commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "customer %s has changed", c.ID)
	}
	c.Issuer, c.Subject, c.CreatedAt, c.ETag = old.Issuer, old.Subject, old.CreatedAt, etag(version+1)
	return nil
}

// DeleteCustomer removes a customer, with its addresses and keys (one row).
func (s *CustomerStore) DeleteCustomer(ctx context.Context, id string) (err error) {
	defer s.Observe.call("sqlite.delete customer", time.Now(), &err)
	res, err := s.db.Write.ExecContext(ctx, `DELETE FROM customers WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete customer: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return commerce.NotFoundf("customer %q not found", id)
	}
	return nil
}

// ListCustomers returns the customers f selects, in ID order.
func (s *CustomerStore) ListCustomers(ctx context.Context, f commerce.CustomerFilter) (_ []commerce.Customer, err error) {
	defer s.Observe.call("sqlite.list customers", time.Now(), &err)
	query, args := `SELECT doc, version FROM customers WHERE id > ?`, []any{f.After}
	if f.Email != "" {
		query, args = query+` AND email_key = ?`, append(args, commerce.EmailKey(f.Email))
	}
	rows, err := s.db.Read.QueryContext(ctx, query+` ORDER BY id LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list customers: %w", err)
	}
	defer rows.Close()
	var out []commerce.Customer
	for rows.Next() {
		var doc []byte
		var version int64
		if err := rows.Scan(&doc, &version); err != nil {
			return nil, fmt.Errorf("sqlite: list customers: %w", err)
		}
		c, err := decodeCustomer(doc, version)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list customers: %w", err)
	}
	return out, nil
}

// encodeCustomer returns c's document.
func encodeCustomer(c *commerce.Customer) ([]byte, error) {
	d := customerDoc{ID: c.ID, Issuer: c.Issuer, Subject: c.Subject, Email: c.Email, EmailVerified: c.EmailVerified,
		Name: c.Name, Phone: c.Phone, Groups: c.Groups, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		Addresses: make([]addressDoc, len(c.Addresses)), CartID: c.CartID}
	for i, a := range c.Addresses {
		d.Addresses[i] = addressDoc{ID: a.ID, Name: a.Name, Line1: a.Line1, Line2: a.Line2, City: a.City,
			PostalCode: a.PostalCode, Country: a.Country, Region: a.Region, IsDefault: a.IsDefault}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("sqlite: encode customer %s: %w", c.ID, err)
	}
	return b, nil
}

// decodeCustomer returns the customer a document holds, at version.
func decodeCustomer(doc []byte, version int64) (*commerce.Customer, error) {
	var d customerDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("sqlite: decode customer: %w", err)
	}
	c := &commerce.Customer{ID: d.ID, Issuer: d.Issuer, Subject: d.Subject, Email: d.Email, EmailVerified: d.EmailVerified,
		Name: d.Name, Phone: d.Phone, Groups: d.Groups, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
		Addresses: make([]commerce.CustomerAddress, len(d.Addresses)), ETag: etag(version), CartID: d.CartID}
	if c.Groups == nil {
		c.Groups = []string{}
	}
	for i, a := range d.Addresses {
		c.Addresses[i] = commerce.CustomerAddress{ID: a.ID, IsDefault: a.IsDefault, Address: commerce.Address{
			Name: a.Name, Line1: a.Line1, Line2: a.Line2, City: a.City, PostalCode: a.PostalCode, Country: a.Country, Region: a.Region}}
	}
	return c, nil
}
