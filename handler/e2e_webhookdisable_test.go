package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"shopfn/handler/webhook"
)

// TestE2EWebhookDisabledAfterThreeDays: a subscription whose every
// delivery fails is disabled by the first failure three days after the
// first one, and GET /api/admin/subscriptions/{id} says so and why; its
// later events are not sent.
func TestE2EWebhookDisabledAfterThreeDays(t *testing.T) {
	t.Parallel()
	hits := make(chan struct{}, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits <- struct{}{}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	p := MustRunMainWith(t, false, func(m *Main) {
		m.Config.WebhooksAllowPrivate = true
		m.WebhookOptions = func(o *webhook.Options) { o.Timeout = time.Second }
	})
	s := e2eShop{p}
	sub := s.mustSubscribe(t, srv.URL, "product.created", "inventory.level_changed")
	s.mustCreateProduct(t, e2eProductInput("e2e-disable", "E2E-DIS-1", 1000))
	select {
	case <-hits:
	case <-time.After(20 * time.Second):
		t.Fatal("the first delivery was never attempted")
	}

	type view struct {
		Enabled        bool       `json:"enabled"`
		DisabledAt     *time.Time `json:"disabledAt"`
		DisabledReason string     `json:"disabledReason"`
	}
	get := func() view {
		res := s.admin(t, "GET", "/api/admin/subscriptions/"+sub.ID, nil)
		e2eWantStatus(t, "GET the subscription", res, 200)
		var v view
		res.JSON(t, &v)
		return v
	}
	if v := get(); !v.Enabled || v.DisabledAt != nil {
		t.Fatalf("after one failure: got %+v, want enabled", v)
	}

	p.Clock.Advance(3*24*time.Hour + time.Minute)
	s.mustSetStock(t, "E2E-DIS-1", 1) // a new event, delivered and failing
	deadline := time.Now().Add(20 * time.Second)
	var v view
	for v = get(); v.Enabled; v = get() {
		if time.Now().After(deadline) {
			t.Fatalf("three days of failures later: got %+v, want disabled", v)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if v.DisabledAt == nil || !strings.Contains(v.DisabledReason, "failed since") {
		t.Errorf("disabled subscription: got %+v, want disabledAt and a reason", v)
	}
	for len(hits) > 0 {
		<-hits
	}
	// A healthy subscription hears the next event: by then the disabled
	// one was handled it too, and must have been sent nothing.
	healthy := newE2EReceiver(t, 0)
	healthy.easy = true
	hsub := s.mustSubscribe(t, healthy.srv.URL, "inventory.level_changed")
	healthy.mu.Lock()
	healthy.secrets = []string{hsub.Secret}
	healthy.mu.Unlock()
	s.mustSetStock(t, "E2E-DIS-1", 2)
	feed := s.feedAll(t, "0")
	last := feed[len(feed)-1].ID
	deadline = time.Now().Add(20 * time.Second)
	for heard := false; !heard; {
		got, _ := healthy.got()
		for _, e := range got {
			heard = heard || e.ID == last
		}
		if !heard && time.Now().After(deadline) {
			t.Fatal("the healthy subscription never heard the last event")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(hits); n > 0 {
		t.Errorf("a disabled subscription was sent %d deliveries", n)
	}
}
