package cosmos

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
)

// CustomerStore is the Cosmos DB commerce.CustomerStore on the customers
// container (partition key /id): one document per customer, with its
// addresses, alone in its logical partition, and key documents that find
// it by issuer and subject and by email (see the package doc).
type CustomerStore struct {
	c *azcosmos.ContainerClient
	// Events, when set, makes customer.created, which CreateCustomer
	// writes into the new customer's document as a pending event.
	Events events.Maker
}

var _ commerce.CustomerStore = (*CustomerStore)(nil)

// NewCustomerStore returns a CustomerStore on db's customers container.
func NewCustomerStore(db *DB) *CustomerStore { return &CustomerStore{c: db.customers} }

// typeCustomer is the type of customer documents (keys are typeKey).
const typeCustomer = "customer"

// customerDoc is a customer as stored.
type customerDoc struct {
	ID            string       `json:"id"`
	Type          string       `json:"type"`
	Issuer        string       `json:"issuer"`
	Subject       string       `json:"subject"`
	SubjectKey    string       `json:"subjectKey"`
	Email         string       `json:"email"`
	EmailKey      string       `json:"emailKey"`
	EmailVerified bool         `json:"emailVerified"`
	Name          string       `json:"name"`
	Phone         string       `json:"phone"`
	Groups        []string     `json:"groups"`
	Addresses     []addressDoc `json:"addresses"`
	CartID        string       `json:"cartId,omitempty"`
	CreatedAt     string       `json:"createdAt"`
	UpdatedAt     string       `json:"updatedAt"`
	// Event is customer.created until the relay has appended it to the
	// event log (event.go).
	Event json.RawMessage `json:"event,omitempty"`
	ETag  string          `json:"_etag,omitempty"`
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

func toCustomerDoc(c *commerce.Customer) customerDoc {
	d := customerDoc{ID: c.ID, Type: typeCustomer, Issuer: c.Issuer, Subject: c.Subject, SubjectKey: c.Identity().SubjectKey(),
		Email: c.Email, EmailKey: commerce.EmailKey(c.Email), EmailVerified: c.EmailVerified, Name: c.Name, Phone: c.Phone,
		Groups: c.Groups, CreatedAt: formatTime(c.CreatedAt), UpdatedAt: formatTime(c.UpdatedAt),
		Addresses: make([]addressDoc, len(c.Addresses)), CartID: c.CartID}
	for i, a := range c.Addresses {
		d.Addresses[i] = addressDoc{ID: a.ID, Name: a.Name, Line1: a.Line1, Line2: a.Line2, City: a.City,
			PostalCode: a.PostalCode, Country: a.Country, Region: a.Region, IsDefault: a.IsDefault}
	}
	return d
}

func (d *customerDoc) customer() (*commerce.Customer, error) {
	c := &commerce.Customer{ID: d.ID, Issuer: d.Issuer, Subject: d.Subject, Email: d.Email, EmailVerified: d.EmailVerified,
		Name: d.Name, Phone: d.Phone, Groups: d.Groups, ETag: d.ETag, CartID: d.CartID, Addresses: make([]commerce.CustomerAddress, len(d.Addresses))}
	if c.Groups == nil {
		c.Groups = []string{}
	}
	var err error
	if c.CreatedAt, err = parseTime(d.CreatedAt); err != nil {
		return nil, fmt.Errorf("cosmos: customer %s: %w", d.ID, err)
	}
	if c.UpdatedAt, err = parseTime(d.UpdatedAt); err != nil {
		return nil, fmt.Errorf("cosmos: customer %s: %w", d.ID, err)
	}
	for i, a := range d.Addresses {
		c.Addresses[i] = commerce.CustomerAddress{ID: a.ID, IsDefault: a.IsDefault, Address: commerce.Address{
			Name: a.Name, Line1: a.Line1, Line2: a.Line2, City: a.City, PostalCode: a.PostalCode, Country: a.Country, Region: a.Region}}
	}
	return c, nil
}

// CreateCustomer claims the customer's subject key, adds it to its email
// key, then creates its document, holding customer.created as a pending
// event when s.Events is set. The subject key decides concurrent first
// sign-ins: of two creates, Cosmos DB answers 409 to one.
func (s *CustomerStore) CreateCustomer(ctx context.Context, c *commerce.Customer) error {
	start := time.Now()
	d := toCustomerDoc(c)
	if s.Events != nil {
		e, err := s.Events.NewEvent(events.CustomerCreated, c.ID, time.Now().UTC(), events.CustomerFrom(*c))
		if err != nil {
			return err
		}
		if d.Event, err = events.MarshalPending(e); err != nil {
			return err
		}
	}
	key, err := s.claimSubject(ctx, d.SubjectKey, c.ID)
	if err != nil {
		return err
	}
	if err := s.addEmail(ctx, d.EmailKey, c.ID); err != nil {
		s.releaseSubject(ctx, key)
		return err
	}
	if time.Since(start) > customerClaimDeadline {
		s.releaseSubject(ctx, key)
		return commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "claiming the customer's keys took too long; retry")
	}
	body, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("cosmos: encode customer: %w", err)
	}
	resp, err := s.c.CreateItem(ctx, azcosmos.NewPartitionKeyString(c.ID), body, nil)
	if err != nil {
		s.releaseSubject(ctx, key)
		s.removeEmail(ctx, d.EmailKey, c.ID)
		return translate(err, "customer "+c.ID)
	}
	c.ETag = string(resp.ETag)
	return nil
}

// Customer returns a customer by ID.
func (s *CustomerStore) Customer(ctx context.Context, id string) (*commerce.Customer, error) {
	d, err := s.read(ctx, id)
	if err != nil {
		return nil, err
	}
	return d.customer()
}

// read returns the document of customer id.
func (s *CustomerStore) read(ctx context.Context, id string) (*customerDoc, error) {
	if !commerce.IsID(id, 'u') {
		return nil, commerce.NotFoundf("customer %q not found", id)
	}
	var d customerDoc
	if err := readItem(ctx, s.c, id, id, &d); err != nil {
		return nil, translate(err, "customer "+id)
	}
	if d.Type != typeCustomer {
		return nil, commerce.NotFoundf("customer %q not found", id)
	}
	return &d, nil
}

// CustomerBySubject reads the subject key, then the customer it names,
// which must hold the subject still.
func (s *CustomerStore) CustomerBySubject(ctx context.Context, subjectKey string) (*commerce.Customer, error) {
	var k customerKeyDoc
	if err := readItem(ctx, s.c, keySubject+subjectKey, keySubject+subjectKey, &k); err != nil {
		return nil, translate(err, "customer by subject")
	}
	d, err := s.read(ctx, k.CustomerID)
	if err != nil {
		return nil, err
	}
	if d.SubjectKey != subjectKey {
		return nil, commerce.NotFoundf("no customer for this subject")
	}
	return d.customer()
}

// ReplaceCustomer replaces the customer conditionally on etag, keeping
// its stored issuer, subject and creation time, and moves it between email
// keys when its email changed: added to the new one first, removed from the
// old one after (a stale entry is skipped by readers).
func (s *CustomerStore) ReplaceCustomer(ctx context.Context, c *commerce.Customer, etag string) error {
	old, err := s.read(ctx, c.ID)
	if err != nil {
		return err
	}
	if etag == "" || etag != old.ETag {
		return commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "customer %s has changed", c.ID)
	}
	d := toCustomerDoc(c)
	d.Issuer, d.Subject, d.SubjectKey, d.CreatedAt = old.Issuer, old.Subject, old.SubjectKey, old.CreatedAt
	d.Event = old.Event // a pending customer.created stays until relayed
	if d.EmailKey != old.EmailKey {
		if err := s.addEmail(ctx, d.EmailKey, c.ID); err != nil {
			return err
		}
	}
	body, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("cosmos: encode customer: %w", err)
	}
	resp, err := s.c.ReplaceItem(ctx, azcosmos.NewPartitionKeyString(c.ID), c.ID, body, ifMatch(etag))
	if err != nil {
		return translate(err, "customer "+c.ID)
	}
	if d.EmailKey != old.EmailKey {
		s.removeEmail(ctx, old.EmailKey, c.ID)
	}
	kept, err := d.customer()
	if err != nil {
		return err
	}
	c.Issuer, c.Subject, c.CreatedAt, c.ETag = kept.Issuer, kept.Subject, kept.CreatedAt, string(resp.ETag)
	return nil
}

// DeleteCustomer deletes the customer's document first (the data), then
// its email entry and its subject key. A failure after the first step
// leaves keys naming a customer that is gone: readers skip them, and the
// next sign-in of the subject takes the subject key over.
func (s *CustomerStore) DeleteCustomer(ctx context.Context, id string) error {
	d, err := s.read(ctx, id)
	if err != nil {
		return err
	}
	if _, err := s.c.DeleteItem(ctx, azcosmos.NewPartitionKeyString(id), id, nil); err != nil {
		return translate(err, "customer "+id)
	}
	if err := s.removeEmail(ctx, d.EmailKey, id); err != nil {
		return err
	}
	var k customerKeyDoc
	err = readItem(ctx, s.c, keySubject+d.SubjectKey, keySubject+d.SubjectKey, &k)
	switch {
	case notFound(err):
		return nil
	case err != nil:
		return translate(err, "customer subject key")
	case k.CustomerID == id:
		return s.releaseSubject(ctx, &k)
	}
	return nil
}

// ListCustomers lists by email through the email key (point reads), and
// otherwise with one cross-partition query, sorted here.
func (s *CustomerStore) ListCustomers(ctx context.Context, f commerce.CustomerFilter) ([]commerce.Customer, error) {
	if f.Limit <= 0 {
		return nil, nil
	}
	var docs []customerDoc
	if f.Email != "" {
		ids, err := s.emailIDs(ctx, commerce.EmailKey(f.Email))
		if err != nil {
			return nil, err
		}
		want := commerce.EmailKey(f.Email)
		for _, id := range ids {
			if id <= f.After {
				continue
			}
			d, err := s.read(ctx, id)
			if commerce.ErrorKind(err) == commerce.KindNotFound {
				continue
			}
			if err != nil {
				return nil, err
			}
			if d.EmailKey == want {
				docs = append(docs, *d)
			}
			if len(docs) == f.Limit {
				break
			}
		}
	} else {
		var err error
		docs, err = query[customerDoc](ctx, s.c, "", "SELECT * FROM c WHERE c.type = @type AND c.id > @after",
			[]azcosmos.QueryParameter{{Name: "@type", Value: typeCustomer}, {Name: "@after", Value: f.After}}, 0)
		if err != nil {
			return nil, translate(err, "list customers")
		}
		slices.SortFunc(docs, func(a, b customerDoc) int { return strings.Compare(a.ID, b.ID) })
		docs = docs[:min(len(docs), f.Limit)]
	}
	out := make([]commerce.Customer, len(docs))
	for i := range docs {
		c, err := docs[i].customer()
		if err != nil {
			return nil, err
		}
		out[i] = *c
	}
	return out, nil
}
