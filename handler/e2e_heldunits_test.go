package main

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// This file holds the E2E tests of what one client may hold in checkouts
// waiting for 3-D Secure: units of one SKU and in all, keyed by its IPv6
// prefix, and for a shorter time than a reservation otherwise lasts.

// heldCheckout sends a 3-D Secure checkout of lines on a new cart, from
// client (an X-Forwarded-For address; empty: the loopback peer).
func (s e2eShop) heldCheckout(tb testing.TB, client string, lines ...e2eLine) *Response {
	tb.Helper()
	req := moneyNewRequest(s.moneyCart(tb, lines...), "pm_card_authenticationRequired")
	var h []string
	if client != "" {
		h = []string{"X-Forwarded-For", client}
	}
	return s.do(tb, "POST", "/api/checkout", req, h...)
}

func TestE2EHeldUnits(t *testing.T) {
	t.Parallel()
	s := startMoney(t, func(m *Main) {
		m.Config.MaxActionCheckouts, m.Config.MaxHeldUnits, m.Config.MaxHeldUnitsTotal = 3, 10, 15
		m.Config.ActionHold = 10 * time.Minute // reservations last 15 minutes otherwise
	})
	s.mustStockedProduct(t, "held-a", "HELD-A", 1000, 306)
	s.mustStockedProduct(t, "held-b", "HELD-B", 1000, 306)

	// The hoard of the report: 99 units a line, refused and released at once.
	e2eWantProblem(t, "99 units waiting for 3-D Secure", s.heldCheckout(t, "", e2eLine{"HELD-A", 99}), 429, "too_many_held_units")
	if got := s.moneyAvailable(t, "HELD-A"); got != 306 {
		t.Errorf("available after the refused hoard: got %d, want 306", got)
	}
	moneyWantAction(t, "10 of A", s.heldCheckout(t, "", e2eLine{"HELD-A", 10}))
	e2eWantProblem(t, "1 more of A", s.heldCheckout(t, "", e2eLine{"HELD-A", 1}), 429, "too_many_held_units")
	moneyWantAction(t, "5 of B", s.heldCheckout(t, "", e2eLine{"HELD-B", 5}))
	e2eWantProblem(t, "16 in all", s.heldCheckout(t, "", e2eLine{"HELD-B", 1}), 429, "too_many_held_units")
	if a, b := s.moneyAvailable(t, "HELD-A"), s.moneyAvailable(t, "HELD-B"); a != 296 || b != 301 {
		t.Errorf("available: got A %d, B %d, want 296, 301 (the refused ones released)", a, b)
	}
	// A payment that needs no action is not bounded.
	moneyWantPaid(t, "card payment", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"HELD-A", 20}), "pm_card_visa"), ""))

	// The held units come back after ActionHold, not the reservation's 15
	// minutes, and the client may hold again.
	s.Clock.Advance(10*time.Minute + time.Second)
	s.moneyWaitAvailable(t, "HELD-A", 306-20)
	s.moneyWaitAvailable(t, "HELD-B", 306)
	moneyWantAction(t, "10 of A again", s.heldCheckout(t, "", e2eLine{"HELD-A", 10}))
}

// TestE2EHeldUnitsIPv6Prefix keys IPv6 clients by the configured prefix:
// with /56, addresses in two /64s of one /56 are one client.
func TestE2EHeldUnitsIPv6Prefix(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		prefix int
		want   int // status of the second checkout, from another /64 of the /56
	}{
		{64, 200},
		{56, 429},
	} {
		t.Run(fmt.Sprint(tt.prefix), func(t *testing.T) {
			t.Parallel()
			s := startMoney(t, func(m *Main) {
				m.Config.MaxHeldUnits, m.Config.IPv6Prefix = 10, tt.prefix
				m.Config.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
			})
			s.mustStockedProduct(t, "held-v6", "HELD-V6", 1000, 100)
			moneyWantAction(t, "first /64", s.heldCheckout(t, "2001:db8:1:200::1", e2eLine{"HELD-V6", 10}))
			e2eWantProblem(t, "same /64, new address", s.heldCheckout(t, "2001:db8:1:200::2", e2eLine{"HELD-V6", 1}), 429, "too_many_held_units")
			res := s.heldCheckout(t, "2001:db8:1:2ff::1", e2eLine{"HELD-V6", 1})
			e2eWantStatus(t, "another /64 of the /56", res, tt.want)
			moneyWantAction(t, "another /48", s.heldCheckout(t, "2001:db8:2::1", e2eLine{"HELD-V6", 10}))
		})
	}
}
