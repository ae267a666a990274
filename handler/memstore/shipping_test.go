package memstore_test

import (
	"testing"

	"shopfn/handler/commerce"
	"shopfn/handler/memstore"
	"shopfn/handler/storetest"
)

func TestShippingOptionStore(t *testing.T) {
	storetest.TestShippingOptionStore(t, func(t *testing.T) commerce.ShippingOptionStore { return memstore.NewShippingOptionStore() })
}

func TestTaxRateStore(t *testing.T) {
	storetest.TestTaxRateStore(t, func(t *testing.T) commerce.TaxRateStore { return memstore.NewTaxRateStore() })
}
