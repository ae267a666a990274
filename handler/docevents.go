package main

import (
	"context"
	"log/slog"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
	"shopfn/handler/sqlstore"
)

// The catalog and the customers live in the document store. On the
// embedded SQLite file that is also the relational store, their events are
// written in the transaction of the change (sqlite.CatalogStore.Events).
// On Cosmos DB (or with SHOPFN_SQL=sqlserver and SQLite documents) no
// transaction spans both stores: these wrappers append the event to the
// relational log right after the document write succeeded. A process
// killed between the two loses that one event (the change is made, its
// event never written); receivers that must not miss a product change
// reconcile from GET /api/products, as the README says.

// eventAppender writes events to the log after a document change.
type eventAppender struct {
	db  *sqlstore.DB
	log *sqlstore.EventStore
	lg  *slog.Logger
}

// after appends the event of type t about id once the change succeeded;
// a failure to append is logged, since the change is made already.
func (a eventAppender) after(ctx context.Context, err error, t events.Type, id string, data any) error {
	if err != nil {
		return err
	}
	ctx = context.WithoutCancel(ctx)
	e, eerr := a.db.NewEvent(t, id, time.Now().UTC(), data)
	if eerr == nil {
		eerr = a.log.Append(ctx, e)
	}
	if eerr != nil {
		a.lg.Error("event lost: the document change is made but its event could not be written", "type", t, "subject", events.Subject(t, id), "err", eerr)
	}
	return nil
}

// eventingCatalog is a catalog store that appends product.* events.
type eventingCatalog struct {
	commerce.CatalogStore
	a eventAppender
}

func (c eventingCatalog) CreateProduct(ctx context.Context, p *commerce.Product) error {
	return c.a.after(ctx, c.CatalogStore.CreateProduct(ctx, p), events.ProductCreated, p.ID, events.ProductFrom(*p))
}

func (c eventingCatalog) ReplaceProduct(ctx context.Context, p *commerce.Product, ifMatch string) error {
	return c.a.after(ctx, c.CatalogStore.ReplaceProduct(ctx, p, ifMatch), events.ProductUpdated, p.ID, events.ProductFrom(*p))
}

func (c eventingCatalog) DeleteProduct(ctx context.Context, id string) error {
	return c.a.after(ctx, c.CatalogStore.DeleteProduct(ctx, id), events.ProductDeleted, id, events.ProductDeletedData{ID: id, DeletedAt: time.Now().UTC()})
}

// eventingCustomers is a customer store that appends customer.created.
type eventingCustomers struct {
	commerce.CustomerStore
	a eventAppender
}

func (c eventingCustomers) CreateCustomer(ctx context.Context, cu *commerce.Customer) error {
	return c.a.after(ctx, c.CustomerStore.CreateCustomer(ctx, cu), events.CustomerCreated, cu.ID, events.CustomerFrom(*cu))
}
