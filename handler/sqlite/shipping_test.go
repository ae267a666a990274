package sqlite_test

import (
	"testing"

	"shopfn/handler/commerce"
	"shopfn/handler/sqlite"
	"shopfn/handler/storetest"
)

func TestShippingOptionStore(t *testing.T) {
	storetest.TestShippingOptionStore(t, func(t *testing.T) commerce.ShippingOptionStore { return sqlite.NewShippingOptionStore(MustOpen(t)) })
}

func TestTaxRateStore(t *testing.T) {
	storetest.TestTaxRateStore(t, func(t *testing.T) commerce.TaxRateStore { return sqlite.NewTaxRateStore(MustOpen(t)) })
}
