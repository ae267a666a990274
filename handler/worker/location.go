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

// fulfilAt ships what is left of an order at the location the message
// names (a redelivery finds nothing left and changes nothing), or, when it
// names none, everything left, from where it is allocated.
func (f *Functions) fulfilAt(ctx context.Context, e commerce.OrderFulfilledEvent) error {
	if e.LocationID == "" {
		_, err := f.OrderStore.FulfilOrder(ctx, e.OrderID, f.Now().UTC())
		return err
	}
	_, err := f.OrderStore.Fulfil(ctx, e.OrderID, commerce.FulfilmentRequest{LocationID: e.LocationID}, f.Now().UTC())
	return err
}
