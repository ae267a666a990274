package cosmos

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"shopfn/handler/commerce"
)

// The key documents of the customers container: "sub:" + the hash of an
// issuer and subject names one customer; "email:" + the hash of a
// lower-cased email lists the customers with that email. Each is alone in
// its logical partition (partition key = id).
const (
	keySubject = "sub:"
	keyEmail   = "email:"
)

// customerClaimGrace is how long a subject key whose customer does not
// exist is honoured after it was written: a sign-in is creating that
// customer. customerClaimDeadline is how long that sign-in may take, with a
// margin for clock skew. (A variable for tests.)
var customerClaimGrace = time.Minute

const customerClaimDeadline = 20 * time.Second

// maxEmailCustomers bounds the customers one email key lists; past it the
// oldest entry is dropped (it is found again when that customer changes).
const maxEmailCustomers = 100

// customerKeyDoc is a subject or email key.
type customerKeyDoc struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	// CustomerID is the customer a subject key names.
	CustomerID string `json:"customerId,omitempty"`
	// CustomerIDs are the customers an email key lists, in ID order.
	CustomerIDs []string `json:"customerIds,omitempty"`
	ETag        string   `json:"_etag,omitempty"`
	// TS is when the key was last written, in Unix seconds (_ts).
	TS int64 `json:"_ts,omitempty"`
}

// claimSubject creates the subject key for customer id. When it exists
// for a customer that holds it, or for one a sign-in is still creating
// (within customerClaimGrace), it returns "conflict". A key whose customer
// is gone (a crash between steps of a create or a delete) is taken over
// with a replace conditional on its ETag.
func (s *CustomerStore) claimSubject(ctx context.Context, subjectKey, id string) (*customerKeyDoc, error) {
	k := customerKeyDoc{ID: keySubject + subjectKey, Type: typeKey, CustomerID: id}
	body, err := json.Marshal(k)
	if err != nil {
		return nil, err
	}
	pk := azcosmos.NewPartitionKeyString(k.ID)
	taken := commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "this subject has a customer")
	for attempt := 1; attempt <= 3; attempt++ {
		resp, err := s.c.CreateItem(ctx, pk, body, nil)
		if err == nil {
			k.ETag = string(resp.ETag)
			return &k, nil
		}
		if status(err) != http.StatusConflict {
			return nil, translate(err, "claim customer subject")
		}
		var cur customerKeyDoc
		if err := readItem(ctx, s.c, k.ID, k.ID, &cur); notFound(err) {
			continue // deleted meanwhile
		} else if err != nil {
			return nil, translate(err, "claim customer subject")
		}
		d, err := s.read(ctx, cur.CustomerID)
		switch {
		case err == nil && d.SubjectKey == subjectKey:
			return nil, taken
		case err != nil && commerce.ErrorKind(err) != commerce.KindNotFound:
			return nil, err
		case time.Since(time.Unix(cur.TS, 0)) <= customerClaimGrace:
			return nil, taken // being created
		}
		resp, err = s.c.ReplaceItem(ctx, pk, k.ID, body, ifMatch(cur.ETag))
		if err == nil {
			k.ETag = string(resp.ETag)
			return &k, nil
		}
		if !notFound(err) && status(err) != http.StatusPreconditionFailed {
			return nil, translate(err, "claim customer subject")
		}
	}
	return nil, taken
}

// releaseSubject deletes a subject key conditionally on the ETag it had,
// so that a key someone took over since stays.
func (s *CustomerStore) releaseSubject(ctx context.Context, k *customerKeyDoc) error {
	_, err := s.c.DeleteItem(ctx, azcosmos.NewPartitionKeyString(k.ID), k.ID, ifMatch(k.ETag))
	if err != nil && !notFound(err) && status(err) != http.StatusPreconditionFailed {
		return translate(err, "release customer subject")
	}
	return nil
}

// emailIDs returns the customers an email key lists (none for the empty
// key or a key that does not exist).
func (s *CustomerStore) emailIDs(ctx context.Context, emailKey string) ([]string, error) {
	if emailKey == "" {
		return nil, nil
	}
	var k customerKeyDoc
	err := readItem(ctx, s.c, keyEmail+emailKey, keyEmail+emailKey, &k)
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err, "customers by email")
	}
	return k.CustomerIDs, nil
}

// addEmail adds customer id to an email key, creating it when missing.
func (s *CustomerStore) addEmail(ctx context.Context, emailKey, id string) error {
	return s.changeEmail(ctx, emailKey, func(ids []string) []string {
		if slices.Contains(ids, id) {
			return ids
		}
		ids = append(ids, id)
		slices.Sort(ids)
		if len(ids) > maxEmailCustomers {
			ids = ids[len(ids)-maxEmailCustomers:]
		}
		return ids
	})
}

// removeEmail removes customer id from an email key, deleting the key when
// it lists no one.
func (s *CustomerStore) removeEmail(ctx context.Context, emailKey, id string) error {
	return s.changeEmail(ctx, emailKey, func(ids []string) []string {
		return slices.DeleteFunc(ids, func(s string) bool { return s == id })
	})
}

// changeEmail applies f to an email key's list, with writes conditional on
// the key's ETag, trying again when another write came between.
func (s *CustomerStore) changeEmail(ctx context.Context, emailKey string, f func([]string) []string) error {
	if emailKey == "" {
		return nil
	}
	id := keyEmail + emailKey
	pk := azcosmos.NewPartitionKeyString(id)
	for attempt := 1; attempt <= 8; attempt++ {
		var k customerKeyDoc
		err := readItem(ctx, s.c, id, id, &k)
		exists := err == nil
		if err != nil && !notFound(err) {
			return translate(err, "customer email key")
		}
		before := slices.Clone(k.CustomerIDs)
		after := f(k.CustomerIDs)
		switch {
		case slices.Equal(before, after) && (exists || len(after) == 0):
			return nil
		case !exists:
			body, _ := json.Marshal(customerKeyDoc{ID: id, Type: typeKey, CustomerIDs: after})
			_, err = s.c.CreateItem(ctx, pk, body, nil)
		case len(after) == 0:
			_, err = s.c.DeleteItem(ctx, pk, id, ifMatch(k.ETag))
		default:
			body, _ := json.Marshal(customerKeyDoc{ID: id, Type: typeKey, CustomerIDs: after})
			_, err = s.c.ReplaceItem(ctx, pk, id, body, ifMatch(k.ETag))
		}
		if err == nil {
			return nil
		}
		if !notFound(err) && status(err) != http.StatusConflict && status(err) != http.StatusPreconditionFailed {
			return translate(err, "customer email key")
		}
	}
	return commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "the customer's email key changed too often; retry")
}
