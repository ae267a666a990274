package sqlite_test

import (
	"testing"

	"shopfn/handler/commerce"
	"shopfn/handler/sqlite"
	"shopfn/handler/storetest"
)

func TestPriceListStore(t *testing.T) {
	storetest.TestPriceListStore(t, func(t *testing.T) commerce.PriceListStore { return sqlite.NewPriceListStore(MustOpen(t)) })
}
