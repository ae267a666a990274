package sqlserver_test

import (
	"context"
	"testing"
	"time"

	"shopfn/handler/events"
	"shopfn/handler/sqlstore"
	"shopfn/handler/webhook"
)

// exerciseWebhookStore makes every call of the webhook store once, so that
// TestTSQL records (and parses) the T-SQL of each of its statements.
func exerciseWebhookStore(t *testing.T, s *sqlstore.WebhookStore) {
	ctx := context.Background()
	now := time.Now().UTC()
	sub := webhook.Subscription{ID: webhook.NewSubscriptionID(now), URL: "https://example.test/", Events: []events.Type{events.ProductCreated}, Secret: "s1.x", CreatedAt: now}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateSubscription(ctx, sub))
	_, err := s.Subscription(ctx, sub.ID)
	must(err)
	_, err = s.Subscriptions(ctx)
	must(err)
	must(s.RotateSecret(ctx, sub.ID, "s1.y", now.Add(time.Hour)))
	e, err := events.New(events.ProductCreated, events.DefaultSource, "p1", now, events.ProductData{ID: "p1"})
	must(err)
	must(s.Enqueue(ctx, e, []byte(`{}`), []string{sub.ID}, now))
	due, err := s.Due(ctx, now, now.Add(time.Minute), []string{"sub_other"}, 10)
	must(err)
	if len(due) != 1 {
		t.Fatalf("due: got %d, want 1", len(due))
	}
	must(s.Release(ctx, due[0].ID))
	must(s.Record(ctx, due[0], webhook.Attempt{At: now, Status: webhook.StatusFailed, Result: webhook.Result{Outcome: webhook.Failed}, Disabled: "test"}))
	must(s.Record(ctx, due[0], webhook.Attempt{At: now, Status: webhook.StatusSucceeded, Result: webhook.Result{Outcome: webhook.Succeeded}}))
	_, err = s.Deliveries(ctx, sub.ID, webhook.StatusFailed, 10)
	must(err)
	_, err = s.Redeliver(ctx, sub.ID, due[0].ID, now)
	must(err)
	must(s.ReleaseLeases(ctx))
	must(s.DeleteSubscription(ctx, sub.ID))
}
