package servicebus_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
	"shopfn/handler/servicebus"
)

// TestHostRetry reschedules a message as the handler does under the
// Functions host: the copy falls due after the backoff, and Lineage, given
// the copy's properties as the host sends them, gives back the original ID,
// the deliveries so far and the other attributes (traceparent).
func TestHostRetry(t *testing.T) {
	if peer == nil {
		t.Skip(peerMissing)
	}
	check(t, peer.Reset())
	now := func() time.Time {
		n, err := peer.Now()
		check(t, err)
		return n
	}
	q := servicebus.NewQueue(mustClient(t, "", peer.ConnectionString()), servicebus.QueueOptions{
		MaxDeliveryCount: peerMaxDelivery, ReceiveWait: 300 * time.Millisecond, Now: now})
	t.Cleanup(func() { q.Close(context.Background()) })
	var backoffOf []int
	h := servicebus.NewHostRetry(q, func(n int) time.Duration {
		backoffOf = append(backoffOf, n)
		return time.Duration(n) * time.Minute
	})
	if got := h.MaxDeliveryCount(); got != peerMaxDelivery {
		t.Errorf("MaxDeliveryCount: got %d, want %d", got, peerMaxDelivery)
	}
	ctx := context.Background()
	const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	// The host delivers a copy's properties among the attributes.
	delivered := commerce.Message{ID: "hr-1#1", Type: commerce.MsgOrderPlaced, Body: []byte(`{"n":1}`), DeliveryCount: 1,
		Attributes: map[string]string{"traceparent": traceparent, "shopfn-original-id": "hr-1", "shopfn-deliveries": "1"}}
	m := h.Lineage(delivered)
	want := commerce.Message{ID: "hr-1", Type: commerce.MsgOrderPlaced, Body: []byte(`{"n":1}`), DeliveryCount: 2,
		Attributes: map[string]string{"traceparent": traceparent}}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Fatalf("Lineage (-want +got):\n%s", diff)
	}
	check(t, h.Retry(ctx, commerce.QueueOrders, m))
	if diff := cmp.Diff([]int{2}, backoffOf); diff != "" {
		t.Errorf("backoff asked for deliveries (-want +got):\n%s", diff)
	}
	check(t, peer.Advance(time.Minute))
	got, err := q.Receive(ctx, commerce.QueueOrders, 1)
	check(t, err)
	if len(got) != 0 {
		t.Fatalf("before the backoff ended: got %+v, want nothing", got)
	}
	check(t, peer.Advance(time.Minute))
	got, err = q.Receive(ctx, commerce.QueueOrders, 1)
	check(t, err)
	if len(got) != 1 {
		t.Fatalf("after the backoff: got %d messages, want the copy", len(got))
	}
	cp := got[0]
	want.DeliveryCount = 3 // two before, this one
	cp.Delivery, cp.EnqueuedAt, cp.ScheduledAt = nil, time.Time{}, time.Time{}
	if diff := cmp.Diff(want, cp); diff != "" {
		t.Errorf("the copy received (-want +got):\n%s", diff)
	}
	check(t, q.Complete(ctx, commerce.QueueOrders, got[0]))
}
