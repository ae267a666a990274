package sample

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"shopfn/handler/commerce"
)

// categories lists the categories of the sample catalog, in the order their
// products are made. Adding one here adds its products to the catalog.
var categories = []*category{
	&electronics,
	&clothing,
	&homeKitchen,
	&books,
	&sportsOutdoors,
	&beauty,
	&toys,
}

// category describes one category of the sample catalog: the words its titles
// are made of, how its variants differ, and how its attributes and
// descriptions are made.
//
// Attribute numbers are float64 and lists are []any, the types a JSON decoder
// gives them, so that a product read back from a JSON-backed store equals the
// one that was written.
type category struct {
	id        string // the category ID, a lower-case slug
	skuPrefix string // the first part of every SKU, e.g. "ELEC"
	count     int    // how many products to make

	// title is a format taking an adjective and an item's noun, e.g. "%s %s".
	title      string
	adjectives []string
	items      []item

	option      string  // the name of the variant option, e.g. "size"
	values      []value // the option's values, in display order
	scale       bool    // values form a scale (sizes): a product takes a run of neighbours
	minVariants int     // the fewest variants a product has, 1 or more

	// extras are optional closing sentences for descriptions.
	extras []string

	// details returns the attributes of a product made from adjective and it,
	// whose variants take values (none for a single-variant product), and a
	// description sentence about them.
	details func(r *rand.Rand, adjective string, it item, values []value) (map[string]any, string)
}

// item is a kind of product within a category, such as a Bluetooth speaker.
type item struct {
	noun   string   // the last words of the title, e.g. "Bluetooth Speaker"
	phrase string   // the first sentence of the description, without its full stop
	price  int64    // a typical price in cents; products cost 80% to 120% of it
	lo, hi int      // the range of the category's measured attribute (watts, grams, ...)
	kinds  []string // choices for one attribute (materials, sports, ...), as the category uses them
}

// value is one value of a category's variant option.
type value struct {
	name  string // the variant title and option value, e.g. "M" or "Black"
	code  string // the last part of the SKU, e.g. "M" or "BLK"
	delta int64  // the amount added to the product's base price, in cents
}

// maxHandle is the longest handle the catalog makes, leaving room within the
// 100-character limit for a suffix that makes it unique.
const maxHandle = 90

// products makes the category's products, each from a different pairing of
// adjective and item. It records the handles it uses in handles, and avoids
// those already there.
func (c *category) products(r *rand.Rand, handles map[string]bool) []commerce.Product {
	pairs := r.Perm(len(c.adjectives) * len(c.items))
	if c.count > len(pairs) {
		panic(fmt.Sprintf("sample: category %s wants %d products but has words for %d", c.id, c.count, len(pairs)))
	}
	out := make([]commerce.Product, c.count)
	for i, k := range pairs[:c.count] {
		adjective := c.adjectives[k%len(c.adjectives)]
		it := c.items[k/len(c.adjectives)]
		out[i] = c.product(r, i+1, adjective, it, handles)
	}
	return out
}

// product makes the category's n-th product from adjective and it. It leaves
// the ID and timestamps for Products to set.
func (c *category) product(r *rand.Rand, n int, adjective string, it item, handles map[string]bool) commerce.Product {
	title := fmt.Sprintf(c.title, adjective, it.noun)
	values := c.pickValues(r)
	attributes, detail := c.details(r, adjective, it, values)

	var sentences []string
	if it.phrase != "" {
		sentences = append(sentences, it.phrase+".")
	}
	sentences = append(sentences, detail)
	if r.IntN(2) == 0 {
		sentences = append(sentences, c.extras[r.IntN(len(c.extras))])
	}

	handle := uniqueHandle(slug(title), handles)
	images := make([]string, 1+r.IntN(MaxImages))
	for i := range images {
		images[i] = ImageURL(DefaultImageBase, handle, i+1)
	}

	// A price a little above or below the typical one, ending in .99.
	base := it.price*int64(80+r.IntN(41))/100/100*100 + 99

	return commerce.Product{
		Handle:      handle,
		Title:       title,
		Description: strings.Join(sentences, " "),
		Category:    c.id,
		Attributes:  attributes,
		Images:      images,
		Status:      commerce.StatusActive,
		Variants:    c.variants(n, base, values),
	}
}

// pickValues picks the option values of a product's variants: none for a
// single-variant product, otherwise between minVariants and 4 of them, in
// display order.
func (c *category) pickValues(r *rand.Rand) []value {
	k := min(c.minVariants+r.IntN(5-c.minVariants), len(c.values))
	if k <= 1 {
		return nil
	}
	if c.scale {
		start := r.IntN(len(c.values) - k + 1)
		return c.values[start : start+k]
	}
	picked := make([]value, 0, k)
	for i, v := range c.values {
		// Keep v with probability (values still wanted) / (values left).
		if r.IntN(len(c.values)-i) < k-len(picked) {
			picked = append(picked, v)
		}
	}
	return picked
}

// variants makes the variants of the category's n-th product, one for each of
// values, or a single "Default" variant when there are none.
func (c *category) variants(n int, base int64, values []value) []commerce.Variant {
	sku := fmt.Sprintf("%s-%04d", c.skuPrefix, n)
	if len(values) == 0 {
		return []commerce.Variant{{
			SKU:     sku,
			Title:   "Default",
			Options: map[string]string{},
			Price:   usd(base),
		}}
	}
	variants := make([]commerce.Variant, len(values))
	for i, v := range values {
		variants[i] = commerce.Variant{
			SKU:     sku + "-" + v.code,
			Title:   v.name,
			Options: map[string]string{c.option: v.name},
			Price:   usd(base + v.delta),
		}
	}
	return variants
}

// usd returns an amount of cents in US dollars.
func usd(cents int64) commerce.Money {
	return commerce.Money{Amount: cents, Currency: "USD"}
}

// slug returns s in lower case with every run of characters other than
// letters and digits replaced by one hyphen, apostrophes dropped, and no
// hyphen at either end. It is at most maxHandle characters long.
func slug(s string) string {
	var b strings.Builder
	gap := false
	for _, ch := range strings.ToLower(s) {
		switch {
		case ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9':
			if gap && b.Len() > 0 {
				b.WriteByte('-')
			}
			gap = false
			b.WriteRune(ch)
		case ch == '\'':
			// "Chef's" becomes "chefs", not "chef-s".
		default:
			gap = true
		}
	}
	out := b.String()
	if len(out) > maxHandle {
		out = strings.TrimRight(out[:maxHandle], "-")
	}
	return out
}

// uniqueHandle returns handle, or handle with "-2", "-3", ... appended when
// it is already in handles, and records the result in handles.
func uniqueHandle(handle string, handles map[string]bool) string {
	h := handle
	for i := 2; handles[h]; i++ {
		h = fmt.Sprintf("%s-%d", handle, i)
	}
	handles[h] = true
	return h
}

// pick returns a random element of list.
func pick(r *rand.Rand, list []string) string {
	return list[r.IntN(len(list))]
}

// between returns a random integer from lo to hi inclusive.
func between(r *rand.Rand, lo, hi int) int {
	return lo + r.IntN(hi-lo+1)
}
