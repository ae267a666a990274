package memstore

import (
	"slices"

	"shopfn/handler/commerce"
)

// Redemptions, as sqlstore keeps them (see its promotionredeem.go): a
// checkout holds one redemption of each promotion its discounts name,
// counted in the promotion's reserved when it has a usage limit (without
// one, its counters are counted from the redemptions), and in its
// customer's uses for a signed-in buyer. Every method here is called
// with db.mu held.

// redemptionIDs returns the promotions c's discounts name, in ID order.
func redemptionIDs(c *commerce.Checkout) []string {
	var ids []string
	for _, d := range c.Discounts {
		if !slices.Contains(ids, d.PromotionID) {
			ids = append(ids, d.PromotionID)
		}
	}
	slices.Sort(ids)
	return ids
}

// checkRedemptions returns "promotion_exhausted" or
// "promotion_limit_reached" when one of ids cannot be held for customer.
func (db *DB) checkRedemptions(ids []string, customer string) error {
	for _, id := range ids {
		row, ok := db.promos.byID[id]
		if !ok {
			return commerce.Errorf(commerce.KindConflict, commerce.CodePromotionExhausted, "promotion %s has been used as often as it may be; nothing was reserved", id)
		}
		p, err := row.promotion()
		if err != nil {
			return err
		}
		if p.UsageLimit != nil && row.used+row.reserved >= *p.UsageLimit {
			return commerce.Errorf(commerce.KindConflict, commerce.CodePromotionExhausted, "promotion %s has been used as often as it may be; nothing was reserved", id)
		}
		if customer != "" && p.PerCustomerLimit != nil && db.promos.customers[customerPromoKey{id, customer}] >= *p.PerCustomerLimit {
			return commerce.Errorf(commerce.KindConflict, commerce.CodePromotionLimitReached, "you have used promotion %s as often as one customer may; nothing was reserved", id)
		}
	}
	return nil
}

// holdRedemptions holds the redemptions of ids for a checkout, moving
// those whose status is from (none: "" for a new checkout).
func (db *DB) holdRedemptions(checkoutID string, ids []string, customer, from string) {
	db.promos.init()
	for _, id := range ids {
		k := redemptionKey{checkoutID, id}
		if db.promos.redemptions[k] != from {
			continue
		}
		db.promos.redemptions[k], db.promos.owners[k] = "reserved", customer
		if row := db.promos.byID[id]; row.limit != nil {
			row.reserved++
		}
		if customer != "" {
			db.promos.customers[customerPromoKey{id, customer}]++
		}
	}
}

// moveRedemptions moves a checkout's redemptions from one status to
// another, running counters for each that moved.
func (db *DB) moveRedemptions(checkoutID, from, to string, counters func(row *promoRow, id, customer string)) {
	for k, status := range db.promos.redemptions {
		if k.checkout != checkoutID || status != from {
			continue
		}
		db.promos.redemptions[k] = to
		row := db.promos.byID[k.promotion]
		if row.limit == nil {
			row = &promoRow{} // counts nothing: a promotion without a limit keeps no counters
		}
		counters(row, k.promotion, db.promos.owners[k])
	}
}

// useRedemptions makes a paid checkout's held redemptions used.
func (db *DB) useRedemptions(checkoutID string) {
	db.moveRedemptions(checkoutID, "reserved", "used", func(row *promoRow, _, _ string) { row.reserved--; row.used++ })
}

// releaseRedemptions gives back the redemptions a checkout holds.
func (db *DB) releaseRedemptions(checkoutID string) {
	db.moveRedemptions(checkoutID, "reserved", "released", func(row *promoRow, id, customer string) {
		row.reserved--
		db.uncountUse(id, customer)
	})
}

// releasedRedemptions returns the promotions a checkout released, in ID
// order, and its customer.
func (db *DB) releasedRedemptions(checkoutID string) (ids []string, customer string) {
	for k, status := range db.promos.redemptions {
		if k.checkout == checkoutID && status == "released" {
			ids, customer = append(ids, k.promotion), db.promos.owners[k]
		}
	}
	slices.Sort(ids)
	return ids, customer
}

// returnRedemptions gives back a cancelled order's used redemptions of
// refundable promotions.
func (db *DB) returnRedemptions(checkoutID string) {
	for k, status := range db.promos.redemptions {
		if k.checkout != checkoutID || status != "used" {
			continue
		}
		row := db.promos.byID[k.promotion]
		if p, err := row.promotion(); err != nil || !p.Refundable {
			continue
		}
		db.promos.redemptions[k] = "returned"
		if row.limit != nil {
			row.used--
		}
		db.uncountUse(k.promotion, db.promos.owners[k])
	}
}

// uncountUse gives a customer's use of a promotion back.
func (db *DB) uncountUse(id, customer string) {
	if k := (customerPromoKey{id, customer}); customer != "" && db.promos.customers[k] > 0 {
		db.promos.customers[k]--
	}
}
