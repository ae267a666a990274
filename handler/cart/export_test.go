package cart

import "shopfn/handler/commerce"

// SetCartCustomer makes carts belong to the customer f names, until the
// test ends (restore).
func SetCartCustomer(f func(c *commerce.Cart) string) (restore func()) {
	old := cartCustomer
	cartCustomer = f
	return func() { cartCustomer = old }
}
