package cosmos

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
)

// Product and customer events. The event log lives in the relational
// store, which no Cosmos DB transaction reaches, so a change writes its
// event beside itself, atomically with it, as a pending event (see
// events.Pending), and a relay appends it to the log by its ID and then
// removes it:
//
//   - a product change's event is an event document ("~event:" + the event
//     ID, type "event") in the product's category partition, the last
//     operation of the change's transactional batch. Its order is the
//     product document's version, which every write raises by one
//     (conditionally on the ETag it read), so a product's events append in
//     the order of its changes.
//   - customer.created rides in the new customer document itself (its
//     customers partition holds nothing else), in "event"; ReplaceCustomer
//     keeps it, and the relay clears it with a replace conditional on the
//     ETag (a change in between makes the next relay clear it).

// typeEvent is the type of pending event documents.
const typeEvent = "event"

// eventDoc is a pending event in the products container.
type eventDoc struct {
	ID       string          `json:"id"`
	Category string          `json:"category"`
	Type     string          `json:"type"`
	Subject  string          `json:"subject"`
	Order    int64           `json:"order"`
	Event    json.RawMessage `json:"event"`
}

// newEventDoc returns the pending event of type t about product id in
// category, its order being the product's version; nil when no maker is
// set.
func newEventDoc(m events.Maker, t events.Type, category, id string, version int64, data any) (*eventDoc, error) {
	if m == nil {
		return nil, nil
	}
	e, err := m.NewEvent(t, id, time.Now().UTC(), data)
	if err != nil {
		return nil, err
	}
	body, err := events.MarshalPending(e)
	if err != nil {
		return nil, err
	}
	return &eventDoc{ID: "~event:" + e.ID, Category: category, Type: typeEvent, Subject: e.Subject, Order: version, Event: body}, nil
}

// add adds the creation of e to b; nothing when e is nil.
func (e *eventDoc) add(b *azcosmos.TransactionalBatch) error {
	if e == nil {
		return nil
	}
	body, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("cosmos: encode event: %w", err)
	}
	b.CreateItem(body, nil)
	return nil
}

// Pending returns the catalog's pending events (events.Outbox): about
// subject, or all of them when subject is "". It is one query across
// partitions, as the pending events of a product that moved between
// categories are in both.
func (s *CatalogStore) Pending(ctx context.Context, subject string) ([]events.Pending, error) {
	q, ps := "SELECT * FROM c WHERE c.type = @type", []azcosmos.QueryParameter{{Name: "@type", Value: typeEvent}}
	if subject != "" {
		q += " AND c.subject = @subject"
		ps = append(ps, azcosmos.QueryParameter{Name: "@subject", Value: subject})
	}
	docs, err := query[eventDoc](ctx, s.c, "", q, ps, 0)
	if err != nil {
		return nil, translate(err, "pending product events")
	}
	out := make([]events.Pending, 0, len(docs))
	for _, d := range docs {
		e, err := events.ParsePending(d.Event)
		if err != nil {
			return nil, fmt.Errorf("cosmos: pending event %s: %w", d.ID, err)
		}
		out = append(out, events.Pending{Event: e, Order: d.Order, Done: func(ctx context.Context) error {
			_, err := s.c.DeleteItem(ctx, azcosmos.NewPartitionKeyString(d.Category), d.ID, nil)
			if err != nil && !notFound(err) {
				return translate(err, "delete pending event "+d.ID)
			}
			return nil
		}})
	}
	return out, nil
}

// Pending returns the customers' pending events (events.Outbox): those
// of customer documents that still hold one, about subject, or all of
// them when subject is "".
func (s *CustomerStore) Pending(ctx context.Context, subject string) ([]events.Pending, error) {
	var docs []customerDoc
	if id, ok := strings.CutPrefix(subject, "customers/"); ok {
		d, err := s.read(ctx, id)
		if commerce.ErrorKind(err) == commerce.KindNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, *d)
	} else {
		q, ps := "SELECT * FROM c WHERE c.type = @type AND IS_DEFINED(c.event)", []azcosmos.QueryParameter{{Name: "@type", Value: typeCustomer}}
		var err error
		if docs, err = query[customerDoc](ctx, s.c, "", q, ps, 0); err != nil {
			return nil, translate(err, "pending customer events")
		}
	}
	var out []events.Pending
	for _, d := range docs {
		if len(d.Event) == 0 || string(d.Event) == "null" {
			continue
		}
		e, err := events.ParsePending(d.Event)
		if err != nil {
			return nil, fmt.Errorf("cosmos: pending event of customer %s: %w", d.ID, err)
		}
		if subject != "" && e.Subject != subject {
			continue
		}
		out = append(out, events.Pending{Event: e, Done: func(ctx context.Context) error {
			d.Event = nil
			body, err := json.Marshal(d)
			if err != nil {
				return fmt.Errorf("cosmos: encode customer: %w", err)
			}
			_, err = s.c.ReplaceItem(ctx, azcosmos.NewPartitionKeyString(d.ID), d.ID, body, ifMatch(d.ETag))
			if err != nil && !notFound(err) && status(err) != http.StatusPreconditionFailed {
				return translate(err, "clear the pending event of customer "+d.ID)
			}
			return nil
		}})
	}
	return out, nil
}
