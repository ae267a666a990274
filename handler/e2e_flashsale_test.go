package main

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// This file holds the E2E tests of the money path under load: flash sales,
// with one or many SKUs.

// moneyStampede checks every cart out at once with paymentMethod and
// returns the responses in cart order (nil where a request failed, which
// is reported).
func (s e2eShop) moneyStampede(t *testing.T, carts []string, paymentMethod string) []*Response {
	t.Helper()
	res := make([]*Response, len(carts))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, cart := range carts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res[i] = s.moneySendCheckout(t, moneyNewRequest(cart, paymentMethod), "")
		}()
	}
	close(start)
	wg.Wait()
	return res
}

// moneySplit sorts stampede responses into paid results and insufficient
// stock problems, reporting any other answer and any problem that does
// not list exactly shortSKUs.
func moneySplit(t *testing.T, res []*Response, shortSKUs ...string) (paid []moneyResult, short int) {
	t.Helper()
	for i, r := range res {
		switch {
		case r == nil:
		case r.Status == 201:
			paid = append(paid, moneyWantPaid(t, fmt.Sprintf("buyer %d", i), r))
		case r.Status == 409:
			short++
			e2eWantProblem(t, fmt.Sprintf("buyer %d", i), r, 409, "insufficient_stock")
			moneyWantSKUs(t, fmt.Sprintf("buyer %d", i), r, shortSKUs...)
		default:
			t.Errorf("buyer %d: got %d %s, want 201 or 409 insufficient_stock", i, r.Status, r.Body)
		}
	}
	return paid, short
}

// moneyWantPlaced waits for every paid checkout's order to be placed and
// checks that the admin list holds exactly those orders, one each.
func (s e2eShop) moneyWantPlaced(t *testing.T, paid []moneyResult) {
	t.Helper()
	var want []string
	for _, r := range paid {
		s.moneyWaitOrder(t, r.OrderID, "placed")
		want = append(want, r.OrderID)
	}
	var got []string
	for _, o := range s.moneyOrders(t, "placed", 100) {
		got = append(got, o.ID)
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("placed orders (-want +got):\n%s", diff)
	}
}

func TestE2EFlashSale(t *testing.T) {
	t.Parallel()
	moneyFlashSale(t, startMoney)
}

// moneyFlashSale has 200 buyers race for 20 units, on a program that start
// starts, and checks that exactly 20 are sold, placed and settled.
func moneyFlashSale(t *testing.T, start func(testing.TB, func(*Main)) e2eShop) {
	s := start(t, nil)
	s.mustStockedProduct(t, "money-flash", "MNY-FLASH", 1000, 20)
	// Carts check stock only when lines are added: every cart holds a unit.
	carts := make([]string, 200)
	for i := range carts {
		carts[i] = s.moneyCart(t, e2eLine{"MNY-FLASH", 1})
	}

	paid, short := moneySplit(t, s.moneyStampede(t, carts, "pm_card_visa"), "MNY-FLASH")
	if len(paid) != 20 || short != 180 {
		t.Errorf("got %d paid and %d insufficient_stock, want 20 and 180", len(paid), short)
	}
	s.moneyWantPlaced(t, paid)
	if got := s.moneyCharges(t); got != len(paid) {
		t.Errorf("charges: got %d, want %d", got, len(paid))
	}
	// Only the paid checkouts' scheduled expiries remain; then let them run.
	s.moneyWaitQueues(t, 0, len(paid))
	if got := s.moneyAvailable(t, "MNY-FLASH"); got != 0 {
		t.Errorf("available after the sale: got %d, want 0", got)
	}
	s.Clock.Advance(NewTestConfig(t, false).ReservationTTL + time.Minute)
	s.moneyWaitQueues(t, 0, 0)
	if got, want := s.moneySettledStock(t, "MNY-FLASH"), (e2eStock{"MNY-FLASH", 20, 20, 0, 0}); got != want {
		t.Errorf("stock after the sale: got %+v, want %+v", got, want)
	}
	s.moneyWantStockMatchesOrders(t, "MNY-FLASH", 20, 0)
	if got := moneyWantChargesSettled(t, s.db.Read); got != len(paid) {
		t.Errorf("charges in the ledger: got %d, want %d", got, len(paid))
	}
}

func TestE2EFlashSaleMultiSKU(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	stock := map[string]int64{"MNY-MULTI-A": 20, "MNY-MULTI-B": 20, "MNY-MULTI-C": 10}
	for sku, n := range stock {
		s.mustStockedProduct(t, strings.ToLower(sku), sku, 500, n)
	}
	carts := make([]string, 60)
	for i := range carts {
		carts[i] = s.moneyCart(t, e2eLine{"MNY-MULTI-A", 1}, e2eLine{"MNY-MULTI-B", 1}, e2eLine{"MNY-MULTI-C", 1})
	}

	// All or nothing: C runs out after 10 buyers, while A and B never do.
	paid, short := moneySplit(t, s.moneyStampede(t, carts, "pm_card_visa"), "MNY-MULTI-C")
	if len(paid) != 10 || short != 50 {
		t.Errorf("got %d paid and %d insufficient_stock, want 10 and 50", len(paid), short)
	}
	s.moneyWantPlaced(t, paid)
	s.moneyWaitQueues(t, 0, len(paid))
	s.Clock.Advance(NewTestConfig(t, false).ReservationTTL + time.Minute)
	s.moneyWaitQueues(t, 0, 0)
	for sku, n := range stock {
		left := n - int64(len(paid))
		if got, want := s.moneySettledStock(t, sku), (e2eStock{sku, n, int64(len(paid)), 0, left}); got != want {
			t.Errorf("stock of %s after the sale: got %+v, want %+v", sku, got, want)
		}
		s.moneyWantStockMatchesOrders(t, sku, n, 0)
	}
}
