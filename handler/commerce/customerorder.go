package commerce

import (
	"context"
	"time"
)

// Redacted replaces a buyer's details (name, email, address) in the orders
// of an erased customer.
const Redacted = "[redacted]"

// MaxCustomerOrdersLimit bounds a page of a customer's orders.
const MaxCustomerOrdersLimit = 100

// CustomerOrderStore keeps which customer placed which order, in the
// relational store beside the orders (a row per order, indexed by customer
// for the order history). Implementations: sqlstore.OrderStore and
// memstore.OrderStore; storetest.TestCustomerOrders holds them to this
// behaviour.
type CustomerOrderStore interface {
	// CustomerOrders returns up to limit orders of a customer, newest
	// first, with IDs below before (every order when before is ""): stored
	// orders, and paid checkouts whose order is not stored yet as
	// processing. Each carries CustomerID.
	CustomerOrders(ctx context.Context, customerID, before string, limit int) ([]Order, error)

	// CountCustomerOrders returns how many orders a customer has.
	CountCustomerOrders(ctx context.Context, customerID string) (int, error)

	// OrderCustomer returns the customer of an order, or "" for a guest's.
	OrderCustomer(ctx context.Context, orderID string) (string, error)

	// ClaimOrder makes a guest order the customer's, with one conditional
	// insert: it reports whether the order is the customer's afterwards
	// (true again when it was already; false when another customer has
	// it). It returns "not_found" for an order that is not paid or stored.
	ClaimOrder(ctx context.Context, orderID, customerID string, now time.Time) (bool, error)

	// RedactCustomerOrders replaces the email and the shipping address of
	// every order of a customer, and of its checkout, by Redacted, keeping
	// lines, totals and status, and records the erasure at now (kept
	// after). It returns how many orders it redacted; running it again
	// redacts nothing more.
	RedactCustomerOrders(ctx context.Context, customerID string, now time.Time) (int, error)
}
