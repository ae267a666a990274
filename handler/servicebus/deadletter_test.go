package servicebus_test

import (
	"context"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus"
	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
	"shopfn/handler/servicebus"
)

// TestRemoveDeadLetterLocked removes a dead letter that another receiver
// holds locked ("conflict", not a silent false), then, released, behind
// one Service Bus dead-lettered: the DeliveryCount shown for that one stays.
func TestRemoveDeadLetterLocked(t *testing.T) {
	if peer == nil {
		t.Skip(peerMissing)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	check(t, peer.Reset())
	c := mustClient(t, "", peer.ConnectionString())
	q := servicebus.NewQueue(c, servicebus.QueueOptions{MaxDeliveryCount: peerMaxDelivery, ReceiveWait: 300 * time.Millisecond,
		Now: func() time.Time { n, err := peer.Now(); check(t, err); return n }})
	defer q.Close(ctx)
	const qn = commerce.QueueOrders
	receive := func(id string) commerce.Message {
		t.Helper()
		got, err := q.Receive(ctx, qn, 1)
		check(t, err)
		if len(got) != 1 || got[0].ID != id {
			t.Fatalf("Receive: got %+v, want %s", got, id)
		}
		return got[0]
	}
	check(t, q.Publish(ctx, qn, commerce.Message{ID: "expired", Type: "Test", Body: []byte(`{}`)}))
	for range peerMaxDelivery {
		receive("expired")
		check(t, peer.Advance(peerLock)) // the consumer crashed: Service Bus dead-letters it
	}
	check(t, q.Publish(ctx, qn, commerce.Message{ID: "target", Type: "Test", Body: []byte(`{}`)}))
	for range peerMaxDelivery {
		check(t, q.Abandon(ctx, qn, receive("target"), "handler failed", 0))
	}

	other, err := c.NewReceiverForQueue(qn, &azservicebus.ReceiverOptions{SubQueue: azservicebus.SubQueueDeadLetter})
	check(t, err)
	defer other.Close(ctx)
	locked, err := other.ReceiveMessages(ctx, 2, nil)
	check(t, err)
	if len(locked) != 2 {
		t.Fatalf("other receiver: got %d dead letters, want 2", len(locked))
	}
	ok, err := q.RemoveDeadLetter(ctx, qn, "target")
	if ok || commerce.ErrorCode(err) != commerce.CodeConflict {
		t.Errorf("RemoveDeadLetter(locked elsewhere): got %v, %v, want false, conflict", ok, err)
	}
	for _, m := range locked {
		check(t, other.AbandonMessage(ctx, m, nil))
	}

	before, err := q.DeadLetters(ctx, qn, 10)
	check(t, err)
	ok, err = q.RemoveDeadLetter(ctx, qn, "target")
	if err != nil || !ok {
		t.Fatalf("RemoveDeadLetter: got %v, %v, want true", ok, err)
	}
	after, err := q.DeadLetters(ctx, qn, 10)
	check(t, err)
	if diff := cmp.Diff(before[:1], after); diff != "" || before[0].ID != "expired" {
		t.Errorf("dead letters after the removal (-want +got):\n%s", diff)
	}
}
