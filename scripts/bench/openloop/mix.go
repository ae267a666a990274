package main

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// cartLines is how many SKUs each cart cycles through, as in cart.lua: a
// cart holds at most cartLines lines, and a line reaches the 99-unit limit
// only after len(carts) * cartLines * 99 add-to-carts.
const cartLines = 20

// mix makes the requests: listing, product page and add-to-cart in turn.
type mix struct {
	listing  string
	products []string // URLs
	carts    []string // URLs of POST .../items
	bodies   [][]byte
	header   http.Header
	turn     counter // which of the three
	adds     counter // add-to-carts so far
	product  counter
}

// newMix reads the product, cart and SKU files.
func newMix(base, products, carts, skus string) (*mix, error) {
	m := &mix{listing: base + "/api/products?limit=20", header: http.Header{"Content-Type": {"application/json"}}}
	ids, err := lines(products)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		m.products = append(m.products, base+"/api/products/"+id)
	}
	if ids, err = lines(carts); err != nil {
		return nil, err
	}
	for _, id := range ids {
		m.carts = append(m.carts, base+"/api/carts/"+id+"/items")
	}
	if ids, err = lines(skus); err != nil {
		return nil, err
	}
	if len(ids) < cartLines {
		return nil, fmt.Errorf("%s: %d SKUs, want at least %d", skus, len(ids), cartLines)
	}
	for _, s := range ids {
		m.bodies = append(m.bodies, fmt.Appendf(nil, `{"sku":%q,"quantity":1}`, s))
	}
	return m, nil
}

// next is a vegeta.Targeter: it fills t with the next request of the mix.
func (m *mix) next(t *vegeta.Target) error {
	switch m.turn.next() % 3 {
	case 0:
		*t = vegeta.Target{Method: "GET", URL: m.listing}
	case 1:
		*t = vegeta.Target{Method: "GET", URL: m.products[m.product.next()%uint64(len(m.products))]}
	default:
		i := m.adds.next()
		n := uint64(len(m.carts))
		c, round := i%n, i/n
		s := (c + round%cartLines) % uint64(len(m.bodies))
		*t = vegeta.Target{Method: "POST", URL: m.carts[c], Body: m.bodies[s], Header: m.header}
	}
	return nil
}

// lines reads a file's non-empty lines.
func lines(path string) ([]string, error) {
	if path == "" {
		return nil, errors.New("-products, -carts and -skus are required")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s is empty", path)
	}
	return out, nil
}
