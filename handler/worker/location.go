package worker

import (
	"context"

	"shopfn/handler/commerce"
)

// applyStockLevel applies an ERP's or a warehouse's count at the location
// it names, the default location when it names none.
func (f *Functions) applyStockLevel(ctx context.Context, e commerce.StockLevelSetEvent) error {
	if e.LocationID == "" || e.LocationID == commerce.DefaultLocation {
		_, err := f.Stock.ApplyStockLevel(ctx, e.SKU, *e.OnHand, e.Source, *e.Sequence)
		return err
	}
	ls, ok := f.Stock.(commerce.LocationStore)
	if !ok {
		return commerce.NotFoundf("location %q not found: the store has no locations", e.LocationID)
	}
	_, err := ls.ApplyLocationStockLevel(ctx, e.SKU, e.LocationID, *e.OnHand, e.Source, *e.Sequence)
	return err
}

// fulfilAt ships an order from the location the message names, the default
// location when it names none.
func (f *Functions) fulfilAt(ctx context.Context, e commerce.OrderFulfilledEvent) error {
	if e.LocationID == "" || e.LocationID == commerce.DefaultLocation {
		_, err := f.OrderStore.FulfilOrder(ctx, e.OrderID, f.Now().UTC())
		return err
	}
	// Orders are allocated to the default location only: nothing of this
	// one is at another.
	return commerce.Errorf(commerce.KindConflict, commerce.CodeNotAllocated, "order %s has no units allocated at location %s", e.OrderID, e.LocationID)
}
