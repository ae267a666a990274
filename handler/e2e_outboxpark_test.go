package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestE2EOutboxParked puts a message its queue refuses for good (no ID, as
// a message over Service Bus's size limit is refused) at the head of the
// outbox: the relay parks it and publishes what comes behind it, so a
// checkout's order is still placed; staff find it among the dead letters,
// and once its cause is fixed, re-driving it publishes it.
func TestE2EOutboxParked(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	s.mustStockedProduct(t, "money-park", "MNY-PARK", 1000, 10)
	res, err := s.db.Write.ExecContext(context.Background(), `INSERT INTO outbox (queue, message_id, type, body, scheduled_at, created_at) VALUES (?, ?, ?, ?, 0, ?)`,
		"inventory", "", "StockLevelSet", []byte(`{"type":"StockLevelSet","sku":"MNY-PARK","onHand":7,"source":"erp-park","sequence":1}`), time.Now().UnixNano())
	if err != nil {
		t.Fatal(err)
	}
	seq, err := res.LastInsertId()
	if err != nil {
		t.Fatal(err)
	}

	// The messages behind it go on.
	r := moneyWantPaid(t, "checkout behind the refused message", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-PARK", 1}), "pm_card_visa"), ""))
	s.moneyWaitOrder(t, r.OrderID, "placed")

	id := fmt.Sprintf("outbox-%d", seq)
	type item struct {
		Queue, MessageID, Source, Type, Reason string
	}
	list := func(query string) []item {
		t.Helper()
		res := s.admin(t, "GET", "/api/admin/deadletters"+query, nil)
		e2eWantStatus(t, "GET /api/admin/deadletters"+query, res, 200)
		var page struct{ Items []item }
		res.JSON(t, &page)
		return page.Items
	}
	var items []item
	moneyWait(t, "the refused message among the dead letters", func() (bool, string) {
		items = list("?queue=inventory")
		return slices.ContainsFunc(items, func(it item) bool { return it.MessageID == id }), fmt.Sprintf("%+v", items)
	})
	i := slices.IndexFunc(items, func(it item) bool { return it.MessageID == id })
	if got := items[i]; got.Queue != "inventory" || got.Source != "outbox" || got.Type != "StockLevelSet" || !strings.Contains(got.Reason, "message_rejected") {
		t.Errorf("parked dead letter: got %+v, want inventory, source outbox, StockLevelSet, reason message_rejected", got)
	}
	if got := list("?queue=orders"); slices.ContainsFunc(got, func(it item) bool { return it.MessageID == id }) {
		t.Errorf("GET /api/admin/deadletters?queue=orders: got %+v, want no %s", got, id)
	}
	if got := s.moneySettledStock(t, "MNY-PARK").OnHand; got != 10 {
		t.Errorf("on hand while the count is parked: got %d, want 10", got)
	}

	// Its cause fixed (here it gets an ID; on Service Bus, say, the
	// queue's size limit raised), staff re-drive it.
	if _, err := s.db.Write.ExecContext(context.Background(), `UPDATE outbox SET message_id = 'stock-park-1' WHERE seq = ?`, seq); err != nil {
		t.Fatal(err)
	}
	e2eWantProblem(t, "re-drive it on the wrong queue", s.admin(t, "POST", "/api/admin/deadletters/orders/"+id+"/redrive", nil), 404, "not_found")
	redrive := s.admin(t, "POST", "/api/admin/deadletters/inventory/"+id+"/redrive", nil)
	e2eWantStatus(t, "re-drive the parked message", redrive, 200)
	var out struct{ RedrivenAs string }
	redrive.JSON(t, &out)
	if out.RedrivenAs != "stock-park-1" {
		t.Errorf("re-driven as %q, want its own ID stock-park-1", out.RedrivenAs)
	}
	moneyWait(t, "the re-driven count applied", func() (bool, string) {
		l := s.moneySettledStock(t, "MNY-PARK")
		return l.OnHand == 7, fmt.Sprintf("%+v", l)
	})
	if got := list(""); slices.ContainsFunc(got, func(it item) bool { return it.MessageID == id }) {
		t.Errorf("dead letters after the re-drive: got %+v, want no %s", got, id)
	}
	e2eWantProblem(t, "re-drive it again", s.admin(t, "POST", "/api/admin/deadletters/inventory/"+id+"/redrive", nil), 404, "not_found")
}
