package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
	"shopfn/handler/sqlstore"
)

// The catalog and the customers live in the document store. On the
// embedded SQLite file that is also the relational store, their events are
// written to the log in the transaction of the change
// (sqlite.CatalogStore.Events). On Cosmos DB (or with SHOPFN_SQL=sqlserver
// and SQLite documents) no transaction spans both stores: the document
// store writes each event atomically with its change as a pending event
// (cosmos/event.go, sqlite.Outbox), and docRelay appends pending events to
// the log by their ID, then removes them: right after the change, and from
// a poller for the ones a crash or an unavailable log left behind. A
// committed change is never without its event; a relay that appended an
// event and died before removing it appends nothing twice.

// docRelayEvery is how often the poller looks for pending events.
const docRelayEvery = 2 * time.Second

// docRelay appends the document stores' pending events to the event log.
type docRelay struct {
	db       *sqlstore.DB // makes the events
	log      *sqlstore.EventStore
	outboxes []events.Outbox
	lg       *slog.Logger
}

// relay appends the pending events about subject (all of them when
// subject is "") to the log, each subject's in the order of its changes,
// and removes each once it is there. It stops at the first failure, so
// that no event is appended before an earlier one of its subject.
func (r *docRelay) relay(ctx context.Context, subject string) error {
	for _, o := range r.outboxes {
		ps, err := o.Pending(ctx, subject)
		if err != nil {
			return fmt.Errorf("pending events: %w", err)
		}
		events.SortPending(ps)
		for _, p := range ps {
			if _, err := r.log.AppendOnce(ctx, p.Event); err != nil {
				return fmt.Errorf("relay event %s: %w", p.Event.ID, err)
			}
			if err := p.Done(ctx); err != nil {
				return fmt.Errorf("relay event %s: %w", p.Event.ID, err)
			}
		}
	}
	return nil
}

// after relays the pending events of the subject of type t about id once
// the change succeeded. A failure is logged and not returned: the change
// and its pending event are made, and the poller appends it later.
func (r *docRelay) after(ctx context.Context, err error, t events.Type, id string) error {
	if err != nil || r == nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if rerr := r.relay(ctx, events.Subject(t, id)); rerr != nil {
		r.lg.Warn("event kept pending: the change is made, its event will be appended by the relay", "type", t, "subject", events.Subject(t, id), "err", rerr)
	}
	return nil
}

// Run relays every pending event every interval until ctx ends.
func (r *docRelay) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := r.relay(ctx, ""); err != nil && ctx.Err() == nil {
			r.lg.Warn("relay pending document events", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// eventingCatalog is a catalog store that writes pending product.* events
// and relays them after each change.
type eventingCatalog struct {
	commerce.CatalogStore
	r *docRelay
}

func (c eventingCatalog) CreateProduct(ctx context.Context, p *commerce.Product) error {
	return c.r.after(ctx, c.CatalogStore.CreateProduct(ctx, p), events.ProductCreated, p.ID)
}

func (c eventingCatalog) ReplaceProduct(ctx context.Context, p *commerce.Product, ifMatch string) error {
	return c.r.after(ctx, c.CatalogStore.ReplaceProduct(ctx, p, ifMatch), events.ProductUpdated, p.ID)
}

func (c eventingCatalog) DeleteProduct(ctx context.Context, id string) error {
	return c.r.after(ctx, c.CatalogStore.DeleteProduct(ctx, id), events.ProductDeleted, id)
}

// eventingCustomers is a customer store that relays customer.created
// after each new customer.
type eventingCustomers struct {
	commerce.CustomerStore
	r *docRelay
}

func (c eventingCustomers) CreateCustomer(ctx context.Context, cu *commerce.Customer) error {
	return c.r.after(ctx, c.CustomerStore.CreateCustomer(ctx, cu), events.CustomerCreated, cu.ID)
}
