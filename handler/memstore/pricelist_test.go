package memstore_test

import (
	"testing"

	"shopfn/handler/commerce"
	"shopfn/handler/memstore"
	"shopfn/handler/storetest"
)

func TestPriceListStore(t *testing.T) {
	storetest.TestPriceListStore(t, func(t *testing.T) commerce.PriceListStore { return memstore.NewPriceListStore() })
}
