// Package sample produces shopfn's built-in sample catalog: a couple of
// hundred active products in seven categories, with stock for every SKU.
// shopfn loads it into an empty store when it starts with no configuration,
// so that there is something to browse, search and buy straight away.
//
// The catalog is deterministic: every call to Products returns the same
// products, apart from their IDs and timestamps, and Stock returns the same
// counts for them.
package sample

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"shopfn/handler/commerce"
)

// The seeds of the PCG generators behind the catalog and its stock. Changing
// them changes every product.
const (
	productSeed = 0x5EED_0001
	stockSeed   = 0x5EED_0002
)

// Stock levels: most SKUs hold between minStock and maxStock units, and one
// SKU in every lowStockEvery holds only 1 to 3, so that low-stock behaviour is
// easy to see.
const (
	minStock      = 5
	maxStock      = 500
	lowStockEvery = 30
)

// Products returns the sample catalog, ordered so that its categories are
// interleaved. Every product is active and has 1 to 4 variants priced in USD.
//
// The product at index i gets the ID commerce.NewProductID(t) and CreatedAt
// and UpdatedAt t, where t is now plus i milliseconds, so the IDs sort in
// slice order. Everything else is the same on every call.
func Products(now time.Time) []commerce.Product {
	r := rand.New(rand.NewPCG(productSeed, productSeed))
	handles := make(map[string]bool)
	lists := make([][]commerce.Product, len(categories))
	for i, c := range categories {
		lists[i] = c.products(r, handles)
	}

	products := interleave(lists)
	for i := range products {
		t := now.Add(time.Duration(i) * time.Millisecond)
		products[i].ID = commerce.NewProductID(t)
		products[i].CreatedAt = t
		products[i].UpdatedAt = t
	}
	return products
}

// interleave returns the products of every list, taking the first product of
// each list in turn, then the second of each, and so on, so that a page of
// the catalog shows a mix of categories.
func interleave(lists [][]commerce.Product) []commerce.Product {
	var out []commerce.Product
	for i := 0; ; i++ {
		added := false
		for _, list := range lists {
			if i < len(list) {
				out = append(out, list[i])
				added = true
			}
		}
		if !added {
			return out
		}
	}
}

// Stock returns an on-hand count for every SKU of products, keyed by SKU.
// Most counts are between 5 and 500; about one SKU in thirty has only 1 to 3
// units. No count is zero. The same products always get the same counts.
func Stock(products []commerce.Product) map[string]int64 {
	r := rand.New(rand.NewPCG(stockSeed, stockSeed))
	stock := make(map[string]int64)
	n := 0
	for _, p := range products {
		for _, v := range p.Variants {
			if n%lowStockEvery == lowStockEvery/2 {
				stock[v.SKU] = 1 + r.Int64N(3)
			} else {
				stock[v.SKU] = minStock + r.Int64N(maxStock-minStock+1)
			}
			n++
		}
	}
	return stock
}

// Load creates every product of Products(now) in catalog and sets the on-hand
// count of each of its SKUs in inventory to the count Stock gives. It returns
// the number of products it created. It does not check that the stores are
// empty: that is the caller's decision.
//
// A product that already exists (another instance starting on the same
// empty stores created it first: a KindConflict) is skipped with its stock,
// which that instance sets, so many instances may load at once.
//
// Its image URLs start with imageBase, the API's address as a browser
// reaches it, where shopfn serves them (Image); "" keeps DefaultImageBase.
//
// On error Load stops and returns the number of products created so far,
// with an error that names the product or SKU that failed.
func Load(ctx context.Context, catalog commerce.CatalogStore, inventory commerce.InventoryStore, now time.Time, imageBase string) (int, error) {
	products := Products(now)
	if imageBase != "" {
		for i := range products {
			for j := range products[i].Images {
				products[i].Images[j] = ImageURL(imageBase, products[i].Handle, j+1)
			}
		}
	}
	stock := Stock(products)
	created := 0
	for i := range products {
		p := &products[i]
		if err := catalog.CreateProduct(ctx, p); commerce.ErrorKind(err) == commerce.KindConflict {
			continue
		} else if err != nil {
			return created, fmt.Errorf("sample: create %s: %w", p.Handle, err)
		}
		created++
		for _, v := range p.Variants {
			if _, err := inventory.SetOnHand(ctx, v.SKU, stock[v.SKU]); err != nil {
				return created, fmt.Errorf("sample: set stock of %s: %w", v.SKU, err)
			}
		}
	}
	return created, nil
}
