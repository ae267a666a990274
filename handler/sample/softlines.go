package sample

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// This file holds the softlines categories, in the retail sense: clothing
// and personal care, and, beside them, books.

// clothing is everyday wear. Its variants differ by size, and every product
// comes in at least two neighbouring sizes.
var clothing = category{
	id:         "clothing",
	skuPrefix:  "CLTH",
	count:      32,
	title:      "%s %s",
	adjectives: []string{"Classic", "Relaxed", "Everyday", "Lightweight", "Vintage", "Essential", "Heritage", "Urban", "Weekend", "Coastal"},
	items: []item{
		{noun: "T-Shirt", price: 2499, kinds: []string{"Cotton", "Organic Cotton", "Cotton Blend"}, phrase: "A soft crew-neck t-shirt for everyday wear, layering and weekends"},
		{noun: "Hoodie", price: 5999, kinds: []string{"Cotton Fleece", "Recycled Polyester Fleece"}, phrase: "A warm pullover hoodie with a kangaroo pocket and a lined hood"},
		{noun: "Chinos", price: 5499, kinds: []string{"Cotton Twill", "Stretch Cotton"}, phrase: "Tailored chinos with a comfortable stretch waist for the office or the weekend"},
		{noun: "Jeans", price: 6999, kinds: []string{"Denim", "Stretch Denim"}, phrase: "Five-pocket jeans in a mid-rise cut that keep their shape all day"},
		{noun: "Crewneck Sweater", price: 7999, kinds: []string{"Merino Wool", "Lambswool", "Cotton"}, phrase: "A knitted crewneck sweater that keeps you warm on cold days"},
		{noun: "Rain Jacket", price: 11999, kinds: []string{"Nylon", "Recycled Polyester"}, phrase: "A waterproof rain jacket with taped seams and a packable hood"},
		{noun: "Polo Shirt", price: 3999, kinds: []string{"Pique Cotton", "Cotton"}, phrase: "A breathable polo shirt with a ribbed collar, smart enough for work"},
		{noun: "Running Shorts", price: 3499, kinds: []string{"Polyester", "Recycled Polyester"}, phrase: "Lightweight running shorts with a built-in liner and a zip pocket"},
		{noun: "Flannel Shirt", price: 4999, kinds: []string{"Cotton Flannel"}, phrase: "A brushed flannel shirt in a classic plaid, perfect for fall"},
		{noun: "Leggings", price: 5999, kinds: []string{"Nylon Spandex", "Recycled Nylon"}, phrase: "High-waisted leggings with four-way stretch for yoga, the gym and running"},
		{noun: "Wrap Dress", price: 8999, kinds: []string{"Viscose", "Linen"}, phrase: "A flowing wrap dress with a tie waist for summer days and evenings out"},
		{noun: "Cardigan", price: 6999, kinds: []string{"Merino Wool", "Cotton", "Cashmere Blend"}, phrase: "A cozy button-up cardigan with ribbed cuffs for layering"},
	},
	option: "size",
	values: []value{
		{"XS", "XS", 0}, {"S", "S", 0}, {"M", "M", 0},
		{"L", "L", 0}, {"XL", "XL", 0}, {"XXL", "XXL", 200},
	},
	scale:       true,
	minVariants: 2,
	extras: []string{
		"Machine wash cold, tumble dry low.",
		"Free exchanges and returns within 30 days.",
		"Ethically made in Portugal.",
		"True to size; size up for a looser fit.",
	},
	details: func(r *rand.Rand, _ string, it item, values []value) (map[string]any, string) {
		material := pick(r, it.kinds)
		sizes := make([]any, len(values))
		for i, v := range values {
			sizes[i] = v.name
		}
		attributes := map[string]any{"material": material, "sizes": sizes}
		first, last := values[0].name, values[len(values)-1].name
		return attributes, fmt.Sprintf("Made from %s in sizes %s to %s.", strings.ToLower(material), first, last)
	},
}

// beauty is skin and hair care. Its variants differ by scent. An item's
// kinds, when set, are the skin types it may be made for.
var beauty = category{
	id:         "beauty",
	skuPrefix:  "BEAU",
	count:      26,
	title:      "%s %s",
	adjectives: []string{"Hydrating", "Radiant", "Gentle", "Botanical", "Nourishing", "Pure", "Calming", "Revitalizing", "Clean", "Glow"},
	items: []item{
		{noun: "Vitamin C Serum", price: 3499, lo: 30, hi: 50, phrase: "A lightweight vitamin C face serum that brightens dull skin and evens out skin tone"},
		{noun: "Daily Moisturizer", price: 2899, lo: 50, hi: 100, phrase: "A daily face moisturizer with hyaluronic acid for all-day hydration"},
		{noun: "Foaming Cleanser", price: 1799, lo: 150, hi: 250, phrase: "A gentle foaming facial cleanser that removes makeup, oil and dirt without drying"},
		{noun: "Sunscreen SPF 50", price: 1999, lo: 50, hi: 150, phrase: "A broad-spectrum SPF 50 sunscreen that absorbs quickly and leaves no white cast"},
		{noun: "Shampoo", kinds: hairCare, price: 1499, lo: 250, hi: 500, phrase: "A sulfate-free shampoo that cleans gently and adds shine to every hair type"},
		{noun: "Conditioner", kinds: hairCare, price: 1499, lo: 250, hi: 500, phrase: "A nourishing conditioner that detangles and softens hair for smooth, frizz-free results"},
		{noun: "Body Lotion", price: 1699, lo: 200, hi: 400, phrase: "A rich body lotion with shea butter that soothes dry skin for 24 hours"},
		{noun: "Lip Balm", price: 699, lo: 5, hi: 15, phrase: "A moisturizing lip balm with beeswax that protects and repairs chapped lips"},
		{noun: "Hand Cream", price: 1199, lo: 50, hi: 100, phrase: "A fast-absorbing hand cream that repairs dry, cracked hands without a greasy feel"},
		{noun: "Retinol Night Cream", price: 3999, lo: 30, hi: 50, phrase: "A retinol night cream that smooths fine lines and wrinkles while you sleep"},
		{noun: "Argan Hair Oil", kinds: hairCare, price: 2499, lo: 50, hi: 100, phrase: "An argan hair oil that tames frizz, protects against heat and adds shine"},
		{noun: "Body Wash", price: 1299, lo: 250, hi: 500, phrase: "A creamy body wash with natural oils that cleanses without stripping skin"},
	},
	option: "scent",
	values: []value{
		{"Unscented", "UNS", 0}, {"Lavender", "LAV", 0}, {"Citrus", "CIT", 0},
		{"Rose", "ROS", 0}, {"Eucalyptus", "EUC", 0}, {"Coconut", "COC", 0},
	},
	minVariants: 1,
	extras: []string{
		"Cruelty-free and vegan.",
		"Dermatologist tested and free from parabens.",
		"Comes in a recyclable bottle.",
		"Made in small batches in Vermont.",
	},
	details: func(r *rand.Rand, _ string, it item, _ []value) (map[string]any, string) {
		ml := between(r, it.lo/5, it.hi/5) * 5
		kinds := it.kinds
		if kinds == nil {
			kinds = skinTypes
		}
		skin := pick(r, kinds)
		attributes := map[string]any{"volumeMl": float64(ml), "skinType": skin}
		if skin == "all" {
			return attributes, fmt.Sprintf("Gentle enough for every skin type; %d ml.", ml)
		}
		return attributes, fmt.Sprintf("Suitable for %s skin; %d ml.", skin, ml)
	},
}

// skinTypes are the values of the beauty attribute "skinType". Hair care
// products, whose kinds are hairCare, are all "all".
var (
	skinTypes = []string{"all", "dry", "oily", "combination", "sensitive"}
	hairCare  = []string{"all"}
)

// books is fiction. Titles are "The" with an adjective and a noun, every book
// has the same typical price, and variants differ by format.
var books = category{
	id:        "books",
	skuPrefix: "BOOK",
	count:     30,
	title:     "The %s %s",
	adjectives: []string{"Silent", "Hidden", "Last", "Broken", "Golden", "Distant",
		"Forgotten", "Midnight", "Burning", "Secret", "Winter", "Crimson"},
	items: bookItems("Harbor", "Garden", "Kingdom", "Orchard", "Lighthouse", "River",
		"Library", "Archive", "Mountain", "Letter", "Island", "Station"),
	option: "format",
	values: []value{
		{"Hardcover", "HC", 1000}, {"Paperback", "PB", 0}, {"Ebook", "EB", -700},
	},
	minVariants: 1,
	extras: []string{
		"Named one of the best books of the year by the Northern Review.",
		"Includes a reading group guide.",
		"A perfect pick for book clubs.",
		"The first book in a new series.",
	},
	details: func(r *rand.Rand, _ string, it item, values []value) (map[string]any, string) {
		author := pick(r, firstNames) + " " + pick(r, lastNames)
		pages := between(r, it.lo, it.hi)
		g := genres[r.IntN(len(genres))]
		attributes := map[string]any{"author": author, "pages": float64(pages), "genre": g.name}
		about := fmt.Sprintf("%s by %s. %d pages", g.lead, author, pages)
		if len(values) > 0 {
			formats := make([]string, len(values))
			for i, v := range values {
				formats[i] = strings.ToLower(v.name)
			}
			about += ", in " + joinList(formats)
		}
		return attributes, about + "."
	},
}

// bookItems returns a book item for each title noun.
func bookItems(nouns ...string) []item {
	items := make([]item, len(nouns))
	for i, n := range nouns {
		items[i] = item{noun: n, price: 1799, lo: 180, hi: 720}
	}
	return items
}

// genres are the genres of the sample books, with how a description opens.
var genres = []struct{ name, lead string }{
	{"mystery", "A gripping mystery novel"},
	{"thriller", "A fast-paced thriller"},
	{"fantasy", "An epic fantasy novel"},
	{"science fiction", "A thought-provoking science fiction novel"},
	{"historical fiction", "A sweeping historical novel"},
	{"literary fiction", "A moving literary novel"},
	{"romance", "A heartwarming romance novel"},
}

// The names sample authors are made from.
var (
	firstNames = []string{"Maya", "Daniel", "Priya", "Tomas", "Elena", "Samuel", "Aisha", "Jonah", "Clara", "Mateo", "Ingrid", "Kwame"}
	lastNames  = []string{"Lindqvist", "Okafor", "Hart", "Moreau", "Castillo", "Nakamura", "Whitfield", "Brennan", "Sato", "Adeyemi", "Novak", "Ellery"}
)

// joinList joins words as an English list: "a", "a and b", "a, b and c".
func joinList(words []string) string {
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
