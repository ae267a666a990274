package sample

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// This file holds the hardlines categories, in the retail sense: durable
// goods such as electronics, kitchenware, sports gear and toys.

// electronics is gadgets and audio. Its titles start with a brand, and its
// variants differ by color.
var electronics = category{
	id:        "electronics",
	skuPrefix: "ELEC",
	count:     32,
	title:     "%s %s",
	// The "adjectives" of electronics are brand names.
	adjectives: []string{"Voltra", "Northwave", "Kestrel", "Aurelo", "Brightline", "Halcyon", "Tidewell", "Quanta", "Lumio", "Corvid"},
	items: []item{
		{noun: "Bluetooth Speaker", price: 5999, lo: 5, hi: 40, phrase: "A portable Bluetooth speaker with deep bass and a waterproof body for the beach, the garden or the kitchen"},
		{noun: "Wireless Earbuds", price: 7999, lo: 1, hi: 5, phrase: "True wireless earbuds with a pocket charging case, touch controls and clear microphones for calls"},
		{noun: "Noise-Cancelling Headphones", price: 19999, lo: 2, hi: 6, phrase: "Over-ear headphones with active noise cancelling and up to 30 hours of battery for travel and work"},
		{noun: "Smartwatch", price: 24999, lo: 1, hi: 3, phrase: "A smartwatch with heart-rate tracking, built-in GPS, sleep monitoring and phone notifications"},
		{noun: "Fitness Tracker", price: 6999, lo: 1, hi: 2, phrase: "A slim fitness tracker that counts steps, calories and sleep, with a week of battery life"},
		{noun: "Power Bank", price: 3999, lo: 10, hi: 65, phrase: "A 20,000 mAh power bank that fast-charges phones, tablets and earbuds over USB-C"},
		{noun: "USB-C Wall Charger", price: 2999, lo: 20, hi: 100, phrase: "A compact USB-C wall charger with fast charging for phones, tablets and laptops"},
		{noun: "LED Desk Lamp", price: 4499, lo: 5, hi: 15, phrase: "An LED desk lamp with adjustable brightness, color temperature and a wireless charging base"},
		{noun: "HD Webcam", price: 6999, lo: 2, hi: 5, phrase: "A 1080p HD webcam with autofocus and a built-in microphone for video calls and streaming"},
		{noun: "Mechanical Keyboard", price: 10999, lo: 2, hi: 5, phrase: "A mechanical keyboard with tactile switches and RGB backlit keys for typing and gaming"},
		{noun: "Wireless Mouse", price: 3499, lo: 1, hi: 2, phrase: "An ergonomic wireless mouse with silent clicks and months of battery life for office and home"},
		{noun: "27-Inch 4K Monitor", price: 29999, lo: 25, hi: 45, phrase: "A 27-inch IPS monitor with sharp 4K resolution and accurate color for work, photo editing and gaming"},
		{noun: "Soundbar", price: 27999, lo: 40, hi: 200, phrase: "A TV soundbar with Dolby Atmos and a wireless subwoofer for movies, sports and music"},
		{noun: "E-Reader", price: 13999, lo: 1, hi: 3, phrase: "A glare-free e-reader with a 7-inch display, adjustable warm light and weeks of battery"},
	},
	option: "color",
	values: []value{
		{"Black", "BLK", 0}, {"White", "WHT", 0}, {"Silver", "SLV", 0},
		{"Graphite", "GRA", 0}, {"Midnight Blue", "BLU", 0}, {"Rose Gold", "RGD", 0},
	},
	minVariants: 1,
	extras: []string{
		"Includes a USB-C charging cable and a quick-start guide.",
		"Backed by a two-year manufacturer warranty.",
		"Works with iPhone, Android, Mac and Windows.",
		"Free shipping and free 30-day returns.",
	},
	details: func(r *rand.Rand, brand string, it item, _ []value) (map[string]any, string) {
		watts := between(r, it.lo, it.hi)
		attributes := map[string]any{"brand": brand, "wattage": float64(watts)}
		return attributes, fmt.Sprintf("Designed by %s and rated at %d W.", brand, watts)
	},
}

// homeKitchen is cookware and tableware. Its variants differ by color, and
// whether a product is dishwasher safe follows from its material.
var homeKitchen = category{
	id:         "home-kitchen",
	skuPrefix:  "HOME",
	count:      30,
	title:      "%s %s",
	adjectives: []string{"Essential", "Classic", "Professional", "Everyday", "Nordic", "Rustic", "Modern", "Heritage", "Artisan", "Compact"},
	items: []item{
		{noun: "Chef's Knife", price: 8999, kinds: []string{"Stainless Steel", "Carbon Steel", "Damascus Steel"}, phrase: "An 8-inch chef's knife with a razor-sharp blade for chopping, slicing and dicing"},
		{noun: "Nonstick Frying Pan", price: 4499, kinds: []string{"Aluminum", "Stainless Steel"}, phrase: "A nonstick frying pan for eggs, pancakes and stir-fries that works on gas, electric and induction stoves"},
		{noun: "Dutch Oven", price: 12999, kinds: []string{"Enameled Cast Iron", "Cast Iron"}, phrase: "A heavy Dutch oven for slow cooking, braising, soups, stews and homemade bread"},
		{noun: "Cutting Board", price: 3499, kinds: []string{"Bamboo", "Acacia Wood", "Walnut"}, phrase: "A large cutting board with a juice groove that is gentle on knife edges"},
		{noun: "Mixing Bowl Set", price: 3999, kinds: []string{"Stainless Steel", "Glass"}, phrase: "A set of nesting mixing bowls for baking, salads and meal prep"},
		{noun: "French Press", price: 3499, kinds: []string{"Glass", "Stainless Steel"}, phrase: "A French press coffee maker that brews rich, full-bodied coffee in four minutes"},
		{noun: "Coffee Mug Set", price: 2999, kinds: []string{"Ceramic", "Stoneware", "Porcelain"}, phrase: "A set of four microwave-safe coffee mugs for coffee, tea and hot chocolate"},
		{noun: "Storage Jar Set", price: 3299, kinds: []string{"Glass", "Borosilicate Glass"}, phrase: "Airtight storage jars that keep pasta, rice, flour and coffee beans fresh"},
		{noun: "Saucepan", price: 5999, kinds: []string{"Stainless Steel", "Copper"}, phrase: "A saucepan with a tight-fitting lid and pouring spouts for sauces, grains and soups"},
		{noun: "Utensil Set", price: 2499, kinds: []string{"Silicone", "Beech Wood"}, phrase: "A set of cooking utensils (spatula, ladle, slotted spoon and tongs) that is safe for nonstick pans"},
		{noun: "Dinnerware Set", price: 8999, kinds: []string{"Porcelain", "Stoneware"}, phrase: "A 12-piece dinnerware set of dinner plates, side plates and bowls for everyday meals"},
		{noun: "Baking Sheet", price: 1999, kinds: []string{"Aluminum", "Carbon Steel"}, phrase: "A rimmed baking sheet that bakes cookies evenly and roasts vegetables to a crisp"},
	},
	option: "color",
	values: []value{
		{"Charcoal", "CHR", 0}, {"Cream", "CRM", 0}, {"Sage", "SGE", 0},
		{"Terracotta", "TER", 0}, {"Navy", "NVY", 0}, {"Stone", "STN", 0},
	},
	minVariants: 1,
	extras: []string{
		"Backed by a lifetime guarantee.",
		"Makes a thoughtful housewarming or wedding gift.",
		"Designed in Copenhagen and built to last for years.",
		"Arrives in recyclable, plastic-free packaging.",
	},
	details: func(r *rand.Rand, _ string, it item, _ []value) (map[string]any, string) {
		material := pick(r, it.kinds)
		safe := !handWashOnly[material]
		attributes := map[string]any{"material": material, "dishwasherSafe": safe}
		care := "dishwasher safe"
		if !safe {
			care = "hand wash only"
		}
		return attributes, fmt.Sprintf("Made from %s; %s.", strings.ToLower(material), care)
	},
}

// handWashOnly holds the kitchen materials a dishwasher would damage.
var handWashOnly = map[string]bool{
	"Carbon Steel": true, "Damascus Steel": true, "Cast Iron": true, "Copper": true,
	"Bamboo": true, "Acacia Wood": true, "Walnut": true, "Beech Wood": true,
}

// sportsOutdoors is gear for fitness, camping and outdoor sports. Its
// variants differ by color.
var sportsOutdoors = category{
	id:         "sports-outdoors",
	skuPrefix:  "SPRT",
	count:      28,
	title:      "%s %s",
	adjectives: []string{"Summit", "Ultralight", "All-Weather", "Alpine", "Explorer", "Endurance", "Basecamp", "Ridge", "Pathfinder", "Horizon"},
	items: []item{
		{noun: "Yoga Mat", price: 3999, lo: 900, hi: 2500, kinds: []string{"yoga", "pilates"}, phrase: "A non-slip yoga mat with extra cushioning for yoga, pilates, stretching and home workouts"},
		{noun: "Insulated Water Bottle", price: 2999, lo: 300, hi: 500, kinds: []string{"hiking", "running", "cycling"}, phrase: "A stainless steel water bottle with double-wall insulation that keeps drinks cold for 24 hours"},
		{noun: "Hiking Backpack", price: 11999, lo: 900, hi: 1600, kinds: []string{"hiking"}, phrase: "A 30-liter hiking backpack with a rain cover, padded hip belt and hydration sleeve"},
		{noun: "Camping Tent", price: 19999, lo: 1800, hi: 3500, kinds: []string{"camping"}, phrase: "A two-person dome tent that pitches in minutes, with a waterproof fly for camping and festivals"},
		{noun: "Sleeping Bag", price: 8999, lo: 800, hi: 1800, kinds: []string{"camping"}, phrase: "A three-season mummy sleeping bag, warm down to 30°F and packable for backpacking"},
		{noun: "Trekking Poles", price: 6999, lo: 400, hi: 600, kinds: []string{"hiking"}, phrase: "A pair of collapsible trekking poles with cork grips for hiking, snowshoeing and steep trails"},
		{noun: "Trail Running Shoes", price: 12999, lo: 220, hi: 320, kinds: []string{"running"}, phrase: "Trail running shoes with a grippy outsole and a cushioned midsole for muddy and rocky paths"},
		{noun: "Adjustable Dumbbells", price: 24999, lo: 5000, hi: 20000, kinds: []string{"fitness"}, phrase: "A pair of adjustable dumbbells from 5 to 50 pounds for strength training at home"},
		{noun: "Resistance Bands", price: 1999, lo: 200, hi: 500, kinds: []string{"fitness", "pilates"}, phrase: "A set of five resistance bands with handles for strength, mobility and physical therapy"},
		{noun: "Bike Helmet", price: 7999, lo: 250, hi: 400, kinds: []string{"cycling"}, phrase: "A lightweight bike helmet with MIPS protection and plenty of vents for road and mountain biking"},
		{noun: "Tennis Racket", price: 14999, lo: 260, hi: 320, kinds: []string{"tennis"}, phrase: "A graphite tennis racket with a large sweet spot for control and power"},
		{noun: "LED Headlamp", price: 2999, lo: 60, hi: 120, kinds: []string{"running", "camping", "hiking"}, phrase: "A rechargeable LED headlamp with a red light mode for running, camping and night hikes"},
	},
	option: "color",
	values: []value{
		{"Black", "BLK", 0}, {"Forest Green", "GRN", 0}, {"Orange", "ORG", 0},
		{"Slate Gray", "SLT", 0}, {"Red", "RED", 0}, {"Sky Blue", "SKY", 0},
	},
	minVariants: 1,
	extras: []string{
		"Tested in the field by our outdoor team.",
		"Free shipping on orders over $50.",
		"Covered by our one-year, no-questions-asked guarantee.",
		"Made with recycled materials where possible.",
	},
	details: func(r *rand.Rand, _ string, it item, _ []value) (map[string]any, string) {
		sport := pick(r, it.kinds)
		grams := between(r, it.lo/10, it.hi/10) * 10
		weight := fmt.Sprintf("%d g", grams)
		if grams >= 1000 {
			weight = fmt.Sprintf("%.1f kg", float64(grams)/1000)
		}
		attributes := map[string]any{"sport": sport, "weightGrams": float64(grams)}
		return attributes, fmt.Sprintf("Great for %s; weighs %s.", sport, weight)
	},
}

// toys is games, puzzles and playthings. Its variants differ by color, and
// the recommended age follows from the number of pieces.
var toys = category{
	id:         "toys",
	skuPrefix:  "TOYS",
	count:      26,
	title:      "%s %s",
	adjectives: []string{"Classic", "Deluxe", "Rainbow", "Adventure", "Junior", "Magic", "Super", "Mega", "Starter", "Galaxy"},
	items: []item{
		{noun: "Building Blocks Set", price: 4999, lo: 100, hi: 1000, phrase: "A building blocks set that sparks creativity and is compatible with major brick brands"},
		{noun: "Jigsaw Puzzle", price: 1999, lo: 500, hi: 1000, phrase: "A jigsaw puzzle with thick, snug-fitting pieces and a full-size reference poster"},
		{noun: "Plush Teddy Bear", price: 2499, lo: 1, hi: 1, phrase: "A soft, huggable plush teddy bear that is machine washable and the perfect bedtime friend"},
		{noun: "Wooden Train Set", price: 5999, lo: 20, hi: 80, phrase: "A wooden train set with tracks, bridges and magnetic carriages for imaginative play"},
		{noun: "Remote Control Car", price: 3999, lo: 1, hi: 1, phrase: "A fast remote control car with rechargeable batteries and all-terrain tires"},
		{noun: "Family Board Game", price: 2999, lo: 50, hi: 200, phrase: "A family board game for 2 to 6 players that is easy to learn and fun for kids and adults"},
		{noun: "Art and Craft Kit", price: 2499, lo: 50, hi: 150, phrase: "An art and craft kit with crayons, markers, paints and stickers for creative kids"},
		{noun: "Dollhouse", price: 8999, lo: 30, hi: 80, phrase: "A three-story dollhouse with furniture and a working elevator for hours of pretend play"},
		{noun: "Science Experiment Kit", price: 3499, lo: 20, hi: 60, phrase: "A science experiment kit with 30 STEM experiments, from volcanoes to crystals"},
		{noun: "Marble Run", price: 3999, lo: 80, hi: 200, phrase: "A marble run construction set with ramps, spirals and funnels to build endless tracks"},
		{noun: "Stunt Kite", price: 1999, lo: 1, hi: 3, phrase: "An easy-to-fly stunt kite for beach days and windy afternoons in the park"},
		{noun: "Card Game", price: 1299, lo: 54, hi: 110, phrase: "A fast-paced card game for family game night that is small enough for travel"},
	},
	option: "color",
	values: []value{
		{"Red", "RED", 0}, {"Blue", "BLU", 0}, {"Yellow", "YEL", 0},
		{"Green", "GRN", 0}, {"Pink", "PNK", 0}, {"Purple", "PRP", 0},
	},
	minVariants: 1,
	extras: []string{
		"Safety tested to ASTM F963 toy standards.",
		"A great birthday or holiday gift for boys and girls.",
		"Comes in a sturdy storage box.",
		"Made with non-toxic, child-safe materials.",
	},
	details: func(r *rand.Rand, _ string, it item, _ []value) (map[string]any, string) {
		pieces := between(r, it.lo, it.hi)
		age := minAge(pieces)
		attributes := map[string]any{"minAge": float64(age), "pieces": float64(pieces)}
		if pieces == 1 {
			return attributes, fmt.Sprintf("For ages %d and up.", age)
		}
		return attributes, fmt.Sprintf("For ages %d and up, with %d pieces.", age, pieces)
	},
}

// minAge returns the youngest age a toy with the given number of pieces is
// recommended for: the more (and so the smaller) the pieces, the older.
func minAge(pieces int) int {
	switch {
	case pieces < 50:
		return 3
	case pieces < 150:
		return 6
	case pieces < 500:
		return 8
	default:
		return 12
	}
}
