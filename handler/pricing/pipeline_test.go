package pricing

import (
	"slices"
	"testing"
	"time"

	"shopfn/handler/commerce"
)

var now = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) *time.Time { t := now.Add(d); return &t }

func line(sku string, qty int, amount int64, cur string) Line {
	return Line{SKU: sku, Category: "cat-" + sku, Quantity: qty, Price: commerce.Money{Amount: amount, Currency: cur}}
}

func list(id, cur string, groups []string, prices ...commerce.ListPrice) commerce.PriceList {
	return commerce.PriceList{ID: id, Name: id, Currency: cur, CustomerGroups: groups, Status: commerce.PricingActive, Prices: prices}
}

func lp(sku string, amount int64) commerce.ListPrice {
	return commerce.ListPrice{SKU: sku, Amount: amount}
}

func promo(id string, typ string, value int64, target string) commerce.Promotion {
	return commerce.Promotion{ID: id, Automatic: true, Action: commerce.PromotionAction{Type: typ, Value: value, Target: target}, Stacking: commerce.StackingStack, Status: commerce.PricingActive}
}

// TestRunLists covers the list price and price list steps.
func TestRunLists(t *testing.T) {
	draft := list("draft", "USD", nil, lp("A", 1))
	draft.Status = commerce.PricingDraft
	future := list("future", "USD", nil, lp("A", 2))
	future.StartsAt = at(time.Hour)
	ended := list("ended", "USD", nil, lp("A", 3))
	ended.EndsAt = at(0)
	tests := []struct {
		name     string
		currency string
		lines    []Line
		lists    []commerce.PriceList
		groups   []string
		want     []int64 // unit prices
		wantList []string
	}{
		{"NoLists", "USD", []Line{line("A", 2, 1000, "USD")}, nil, nil, []int64{1000}, []string{""}},
		{"SaleForEveryone", "USD", []Line{line("A", 2, 1000, "USD")}, []commerce.PriceList{list("sale", "USD", nil, lp("A", 800))}, nil, []int64{800}, []string{"sale"}},
		{"GroupListNotForGuest", "USD", []Line{line("A", 1, 1000, "USD")}, []commerce.PriceList{list("vip", "USD", []string{"vip"}, lp("A", 700))}, nil, []int64{1000}, []string{""}},
		{"GroupListForMember", "USD", []Line{line("A", 1, 1000, "USD")}, []commerce.PriceList{list("vip", "USD", []string{"vip"}, lp("A", 700))}, []string{"staff", "vip"}, []int64{700}, []string{"vip"}},
		{"LowestWins", "USD", []Line{line("A", 1, 1000, "USD")}, []commerce.PriceList{list("a", "USD", nil, lp("A", 900)), list("b", "USD", []string{"vip"}, lp("A", 600)), list("c", "USD", nil, lp("A", 850))}, []string{"vip"}, []int64{600}, []string{"b"}},
		{"TieGoesToLowerID", "USD", []Line{line("A", 1, 1000, "USD")}, []commerce.PriceList{list("a", "USD", nil, lp("A", 900)), list("b", "USD", nil, lp("A", 900))}, nil, []int64{900}, []string{"a"}},
		{"HigherThanVariantIgnored", "USD", []Line{line("A", 1, 1000, "USD")}, []commerce.PriceList{list("up", "USD", nil, lp("A", 1100))}, nil, []int64{1000}, []string{""}},
		{"OtherCurrencyIgnored", "EUR", []Line{line("A", 1, 950, "EUR")}, []commerce.PriceList{list("usd", "USD", nil, lp("A", 1))}, nil, []int64{950}, []string{""}},
		{"EURList", "EUR", []Line{line("A", 1, 950, "EUR"), line("B", 1, 500, "EUR")}, []commerce.PriceList{list("eur", "EUR", nil, lp("B", 400))}, nil, []int64{950, 400}, []string{"", "eur"}},
		{"DraftStartedEnded", "USD", []Line{line("A", 1, 1000, "USD")}, []commerce.PriceList{draft, future, ended}, nil, []int64{1000}, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Run(Input{Currency: tt.currency, Now: now, Lines: tt.lines, Lists: NewLists(tt.lists), Groups: tt.groups})
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range r.Lines {
				if l.UnitPrice.Amount != tt.want[i] || l.PriceListID != tt.wantList[i] || l.UnitPrice.Currency != tt.currency {
					t.Errorf("line %d: got %v from list %q, want %d %s from list %q", i, l.UnitPrice, l.PriceListID, tt.want[i], tt.currency, tt.wantList[i])
				}
				if l.LineTotal.Amount != tt.want[i]*int64(l.Quantity) {
					t.Errorf("line %d total: got %v, want %d", i, l.LineTotal, tt.want[i]*int64(l.Quantity))
				}
				if (l.PriceListID != "") != (l.CompareAtPrice != nil) || l.CompareAtPrice != nil && *l.CompareAtPrice != tt.lines[i].Price {
					t.Errorf("line %d compareAtPrice: got %v, want the variant price only when a list applied", i, l.CompareAtPrice)
				}
			}
		})
	}
}

// TestRunPromotions covers stacking, exclusivity, spreading and bounds.
func TestRunPromotions(t *testing.T) {
	pct := func(id string, bp int64, prio int) commerce.Promotion {
		p := promo(id, commerce.ActionPercent, bp, commerce.TargetOrder)
		p.Priority = prio
		return p
	}
	excl := func(p commerce.Promotion) commerce.Promotion { p.Stacking = commerce.StackingExclusive; return p }
	fixed := func(id, cur string, v int64, target string) commerce.Promotion {
		p := promo(id, commerce.ActionFixed, v, target)
		p.Currency = cur
		return p
	}
	onSKU := func(p commerce.Promotion, skus ...string) commerce.Promotion { p.Rules.SKUs = skus; return p }
	three := []Line{line("A", 1, 333, "USD"), line("B", 1, 333, "USD"), line("C", 1, 334, "USD")}
	tests := []struct {
		name      string
		lines     []Line
		promos    []commerce.Promotion
		wantTotal int64   // discount total
		wantLines []int64 // adjustments per line
		wantIDs   []string
	}{
		{"None", three, nil, 0, []int64{0, 0, 0}, nil},
		{"TenPercentSpread", three, []commerce.Promotion{pct("p10", 1000, 0)}, 100, []int64{33, 33, 34}, []string{"p10"}},
		{"LargestRemainder", []Line{line("A", 1, 1, "USD"), line("B", 1, 1, "USD"), line("C", 1, 1, "USD")}, []commerce.Promotion{fixed("f2", "USD", 2, commerce.TargetOrder)}, 2, []int64{1, 1, 0}, []string{"f2"}},
		{"HalfEvenOnTotal", []Line{line("A", 1, 25, "USD")}, []commerce.Promotion{pct("p10", 1000, 0)}, 2, []int64{2}, []string{"p10"}},
		{"HalfEvenUp", []Line{line("A", 1, 35, "USD")}, []commerce.Promotion{pct("p10", 1000, 0)}, 4, []int64{4}, []string{"p10"}},
		{"StackInPriorityOrder", []Line{line("A", 1, 1000, "USD")}, []commerce.Promotion{fixed("f100", "USD", 100, commerce.TargetOrder), pct("p50", 5000, -1)}, 600, []int64{600}, []string{"p50", "f100"}},
		{"StackOtherOrder", []Line{line("A", 1, 1000, "USD")}, []commerce.Promotion{func() commerce.Promotion {
			p := fixed("f100", "USD", 100, commerce.TargetOrder)
			p.Priority = -2
			return p
		}(), pct("p50", 5000, -1)}, 550, []int64{550}, []string{"f100", "p50"}},
		{"ExclusiveAlone", []Line{line("A", 1, 1000, "USD")}, []commerce.Promotion{pct("p50", 5000, 0), excl(pct("x10", 1000, 5))}, 100, []int64{100}, []string{"x10"}},
		{"ExclusiveLowestPriority", []Line{line("A", 1, 1000, "USD")}, []commerce.Promotion{excl(pct("x50", 5000, 2)), excl(pct("x10", 1000, 1))}, 100, []int64{100}, []string{"x10"}},
		{"ExclusiveLargestOnTie", []Line{line("A", 1, 1000, "USD")}, []commerce.Promotion{excl(pct("x10", 1000, 1)), excl(pct("x50", 5000, 1))}, 500, []int64{500}, []string{"x50"}},
		{"NeverBelowZero", []Line{line("A", 1, 1000, "USD")}, []commerce.Promotion{fixed("big", "USD", 5000, commerce.TargetOrder), pct("p10", 1000, 1)}, 1000, []int64{1000}, []string{"big", "p10"}},
		{"FixedOtherCurrency", []Line{line("A", 1, 1000, "USD")}, []commerce.Promotion{fixed("eur", "EUR", 100, commerce.TargetOrder)}, 0, []int64{0}, nil},
		{"FixedPerUnitOnLines", []Line{line("A", 3, 1000, "USD"), line("B", 1, 50, "USD")}, []commerce.Promotion{onSKU(fixed("f", "USD", 100, commerce.TargetLines), "A", "B")}, 350, []int64{300, 50}, []string{"f"}},
		{"PercentOnTargetedLines", []Line{line("A", 1, 1000, "USD"), line("B", 1, 1000, "USD")}, []commerce.Promotion{onSKU(func() commerce.Promotion { p := pct("pa", 2000, 0); p.Action.Target = commerce.TargetLines; return p }(), "A")}, 200, []int64{200, 0}, []string{"pa"}},
		{"RuleNotMet", []Line{line("A", 1, 1000, "USD")}, []commerce.Promotion{onSKU(pct("pz", 1000, 0), "Z")}, 0, []int64{0}, nil},
		{"FullPercentNotOver", []Line{line("A", 1, 1000, "USD")}, []commerce.Promotion{pct("all", 10_000, 0), pct("more", 5000, 1)}, 1000, []int64{1000}, []string{"all", "more"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Run(Input{Currency: "USD", Now: now, Lines: tt.lines, Promotions: tt.promos})
			if err != nil {
				t.Fatal(err)
			}
			if r.DiscountTotal.Amount != tt.wantTotal {
				t.Errorf("discountTotal: got %d, want %d", r.DiscountTotal.Amount, tt.wantTotal)
			}
			var ids []string
			var sumD int64
			for _, d := range r.Discounts {
				ids = append(ids, d.PromotionID)
				sumD += d.Amount.Amount
			}
			if !slices.Equal(ids, tt.wantIDs) {
				t.Errorf("promotions applied: got %v, want %v", ids, tt.wantIDs)
			}
			var sumA int64
			for i, l := range r.Lines {
				var got int64
				for _, a := range l.Adjustments {
					got += a.Amount.Amount
				}
				sumA += got
				if got != tt.wantLines[i] {
					t.Errorf("line %d adjustments: got %d, want %d", i, got, tt.wantLines[i])
				}
			}
			if sumA != sumD || sumD != r.DiscountTotal.Amount {
				t.Errorf("adjustments sum to %d, discounts to %d, discountTotal is %d; want all equal", sumA, sumD, r.DiscountTotal.Amount)
			}
			if r.Total.Amount != r.Subtotal.Amount-tt.wantTotal || r.Total.Amount < 0 {
				t.Errorf("total: got %d, want %d", r.Total.Amount, r.Subtotal.Amount-tt.wantTotal)
			}
		})
	}
}

// TestRunCodes reports codes that do not apply, with a reason.
func TestRunCodes(t *testing.T) {
	mk := func(mut func(*commerce.Promotion)) commerce.Promotion {
		p := promo("p", commerce.ActionPercent, 1000, commerce.TargetOrder)
		p.Automatic, p.Code = false, "SAVE10"
		mut(&p)
		return p
	}
	usd := func(n int64) *commerce.Money { return &commerce.Money{Amount: n, Currency: "USD"} }
	tests := []struct {
		name   string
		p      commerce.Promotion
		groups []string
		want   string
	}{
		{"Applies", mk(func(*commerce.Promotion) {}), nil, ""},
		{"Draft", mk(func(p *commerce.Promotion) { p.Status = commerce.PricingDraft }), nil, ReasonInactive},
		{"NotStarted", mk(func(p *commerce.Promotion) { p.StartsAt = at(time.Minute) }), nil, ReasonNotStarted},
		{"Expired", mk(func(p *commerce.Promotion) { p.EndsAt = at(0) }), nil, ReasonExpired},
		{"Currency", mk(func(p *commerce.Promotion) { p.Currency = "EUR" }), nil, ReasonCurrency},
		{"MinSubtotal", mk(func(p *commerce.Promotion) { p.Rules.MinSubtotal = usd(1001) }), nil, ReasonMinSubtotal},
		{"MinSubtotalMet", mk(func(p *commerce.Promotion) { p.Rules.MinSubtotal = usd(1000) }), nil, ""},
		{"Group", mk(func(p *commerce.Promotion) { p.Rules.CustomerGroups = []string{"vip"} }), nil, ReasonCustomerGroup},
		{"GroupMet", mk(func(p *commerce.Promotion) { p.Rules.CustomerGroups = []string{"vip"} }), []string{"vip"}, ""},
		{"Category", mk(func(p *commerce.Promotion) { p.Rules.Categories = []string{"shoes"} }), nil, ReasonNoItems},
		{"CategoryMet", mk(func(p *commerce.Promotion) { p.Rules.Categories = []string{"cat-A"} }), nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Run(Input{Currency: "USD", Now: now, Lines: []Line{line("A", 1, 1000, "USD")}, Groups: tt.groups, Promotions: []commerce.Promotion{tt.p}, Codes: []string{"save10", "NOPE"}})
			if err != nil {
				t.Fatal(err)
			}
			want := []Rejection{{Code: "NOPE", Reason: ReasonUnknown}}
			if tt.want != "" {
				want = append([]Rejection{{Code: "SAVE10", PromotionID: "p", Reason: tt.want}}, want...)
			}
			if !slices.Equal(r.Rejected, want) {
				t.Errorf("rejected: got %v, want %v", r.Rejected, want)
			}
			if applied := len(r.Discounts) == 1; applied != (tt.want == "") {
				t.Errorf("applied: got %v, want %v", applied, tt.want == "")
			}
		})
	}
}
