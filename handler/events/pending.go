package events

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// A store that the log does not live in (Cosmos DB documents, or SQLite
// documents beside Azure SQL) cannot write an event in the transaction of
// its change. It writes the event beside the change instead, atomically
// with it (in the same transactional batch, document or transaction), as a
// pending event, and a relay appends pending events to the log by their ID
// (a second append of one ID is a no-op) before removing them. A change is
// then never without its event: a crash between the change and the append
// leaves the pending event for the next relay.

// Maker makes new events; the relational store (sqlstore.DB) is one.
type Maker interface {
	NewEvent(t Type, id string, now time.Time, data any) (Event, error)
}

// Pending is an event written beside a document change, waiting to be
// appended to the log.
type Pending struct {
	// Event is the event, its Sequence unassigned: the log assigns it.
	Event Event
	// Order orders the pending events of one subject in the order of their
	// changes (the document's version).
	Order int64
	// Done removes the pending event from its store, once it is in the log.
	Done func(ctx context.Context) error
}

// Outbox holds a document store's pending events.
type Outbox interface {
	// Pending returns the pending events about subject, or every pending
	// event when subject is "".
	Pending(ctx context.Context, subject string) ([]Pending, error)
}

// SortPending sorts ps in the order to append them: by subject, then by
// Order, then by time and ID.
func SortPending(ps []Pending) {
	slices.SortStableFunc(ps, func(a, b Pending) int {
		if c := strings.Compare(a.Event.Subject, b.Event.Subject); c != 0 {
			return c
		}
		if a.Order != b.Order {
			if a.Order < b.Order {
				return -1
			}
			return 1
		}
		if c := a.Event.Time.Compare(b.Event.Time); c != 0 {
			return c
		}
		return strings.Compare(a.Event.ID, b.Event.ID)
	})
}

// MarshalPending returns the JSON form of e, an event New made whose
// Sequence is not assigned yet, to store as a pending event.
func MarshalPending(e Event) ([]byte, error) {
	if err := e.validate(false); err != nil {
		return nil, err
	}
	return json.Marshal(e)
}

// ParsePending decodes the JSON form MarshalPending returned.
func ParsePending(b []byte) (Event, error) {
	var e Event
	if err := json.Unmarshal(b, &e); err != nil {
		return Event{}, fmt.Errorf("%w: pending event: %v", ErrInvalid, err)
	}
	if err := e.validate(false); err != nil {
		return Event{}, err
	}
	return e, nil
}
