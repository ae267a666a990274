package main

import (
	"context"

	"shopfn/handler/commerce"
)

// customerGroups returns the groups of a cart's customer, read from the
// customer records once per priced cart; a guest ("") has none, and so has
// a customer who is gone.
func customerGroups(customers commerce.CustomerStore) func(ctx context.Context, customerID string) ([]string, error) {
	return func(ctx context.Context, customerID string) ([]string, error) {
		if customerID == "" {
			return nil, nil
		}
		c, err := customers.Customer(ctx, customerID)
		if commerce.ErrorKind(err) == commerce.KindNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return c.Groups, nil
	}
}
