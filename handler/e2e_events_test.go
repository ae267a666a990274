package main

import (
	"net/url"
	"slices"
	"testing"

	"shopfn/handler/events"
)

// This file holds the E2E tests of the event feed.

// e2eEventPage is a page of GET /api/admin/events.
type e2eEventPage struct {
	Items []events.Event `json:"items"`
	Next  string         `json:"next"`
}

// feed reads one page of the event feed.
func (s e2eShop) feed(tb testing.TB, q url.Values) e2eEventPage {
	tb.Helper()
	res := s.admin(tb, "GET", "/api/admin/events?"+q.Encode(), nil)
	e2eWantStatus(tb, "GET /api/admin/events", res, 200)
	var p e2eEventPage
	res.JSON(tb, &p)
	return p
}

// feedAll reads the whole feed after after, page by page.
func (s e2eShop) feedAll(tb testing.TB, after string, types ...string) []events.Event {
	tb.Helper()
	var out []events.Event
	for {
		q := url.Values{"after": {after}, "limit": {"2"}}
		for _, t := range types {
			q.Add("type", t)
		}
		p := s.feed(tb, q)
		if len(p.Items) == 0 {
			if p.Next != after {
				tb.Errorf("an empty page's next: got %q, want the cursor given, %q", p.Next, after)
			}
			return out
		}
		out = append(out, p.Items...)
		after = p.Next
	}
}

func TestE2EEventFeed(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	p := s.mustCreateProduct(t, e2eProductInput("e2e-feed", "E2E-FEED-1", 1000))
	s.mustSetStock(t, "E2E-FEED-1", 10)
	res := s.admin(t, "PUT", "/api/admin/inventory/E2E-FEED-1", map[string]any{"onHand": 3, "lowStockThreshold": 5})
	e2eWantStatus(t, "PUT /api/admin/inventory/E2E-FEED-1 with a threshold", res, 200)
	var level struct {
		Available         int64  `json:"available"`
		LowStockThreshold *int64 `json:"lowStockThreshold"`
	}
	res.JSON(t, &level)
	if level.LowStockThreshold == nil || *level.LowStockThreshold != 5 || level.Available != 3 {
		t.Errorf("stock after setting a threshold: got %+v, want available 3, threshold 5", level)
	}

	all := s.feedAll(t, "0")
	var got []string
	for _, e := range all {
		if err := e.Validate(); err != nil {
			t.Errorf("feed event %s: %v", e.ID, err)
		}
		got = append(got, string(e.Type)+" "+e.Subject)
	}
	want := []string{
		"product.created products/" + p.ID,
		"inventory.level_changed inventory/E2E-FEED-1",
		"inventory.level_changed inventory/E2E-FEED-1",
		"inventory.low_stock inventory/E2E-FEED-1",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("feed: got %q, want %q", got, want)
	}
	low := s.feedAll(t, "0", "inventory.low_stock,product.created")
	if len(low) != 2 || low[0].Type != events.ProductCreated || low[1].Type != events.InventoryLowStock {
		t.Errorf("feed of two types: got %v, want product.created then inventory.low_stock", low)
	}

	// A null threshold clears it.
	res = s.admin(t, "PUT", "/api/admin/inventory/E2E-FEED-1", `{"onHand":3,"lowStockThreshold":null}`)
	e2eWantStatus(t, "PUT /api/admin/inventory/E2E-FEED-1 clearing the threshold", res, 200)
	level.LowStockThreshold = nil
	res.JSON(t, &level)
	if level.LowStockThreshold != nil {
		t.Errorf("threshold after null: got %d, want none", *level.LowStockThreshold)
	}

	for _, q := range []string{"after=-1", "after=x", "limit=0", "limit=1001", "type=order.shipped", "type=ping"} {
		res := s.admin(t, "GET", "/api/admin/events?"+q, nil)
		e2eWantProblem(t, "GET /api/admin/events?"+q, res, 400, "invalid_request")
	}
	res = s.admin(t, "PUT", "/api/admin/inventory/E2E-FEED-1", `{"onHand":3,"lowStockThreshold":-2}`)
	e2eWantProblem(t, "PUT a negative threshold", res, 400, "invalid_request")
	res = s.do(t, "GET", "/api/admin/events", nil)
	e2eWantStatus(t, "GET /api/admin/events without the key", res, 401)
}
