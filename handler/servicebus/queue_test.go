package servicebus_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus"

	"shopfn/handler/commerce"
	"shopfn/handler/servicebus"
	"shopfn/handler/storetest"
)

// mustClient returns a client of the peer, closed when the test ends.
func mustClient(t *testing.T, namespace, connection string) *azservicebus.Client {
	t.Helper()
	c, err := servicebus.NewClient(namespace, connection)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// TestQueue runs the queue suite through the Service Bus peer, whose clock
// the suite moves. Its duplicate window is its default, 10 minutes.
func TestQueue(t *testing.T) {
	if peer == nil {
		t.Skip(peerMissing)
	}
	now := func() time.Time {
		n, err := peer.Now()
		check(t, err)
		return n
	}
	storetest.TestQueue(t, storetest.QueueHarness{
		New: func(t *testing.T) storetest.QueueEnv {
			check(t, peer.Reset())
			open := func() commerce.Queue {
				q := servicebus.NewQueue(mustClient(t, "", peer.ConnectionString()), servicebus.QueueOptions{
					MaxDeliveryCount: peerMaxDelivery, ReceiveWait: 300 * time.Millisecond, Now: now})
				t.Cleanup(func() { q.Close(context.Background()) })
				return q
			}
			return storetest.QueueEnv{
				Queue: open(), Now: now,
				Advance: func(d time.Duration) { check(t, peer.Advance(d)) },
				Reopen:  open,
			}
		},
		MaxDeliveryCount: peerMaxDelivery,
		LockDuration:     peerLock,
		DuplicateWindow:  10 * time.Minute,
	})
}

// TestQueueAzure runs the queue suite against real Service Bus: a namespace
// in SHOPFN_TEST_SERVICEBUS_NAMESPACE with queues "orders" and "inventory"
// (duplicate detection on, a 10-minute window, MaxDeliveryCount 10, lock 30
// s) that this test empties, reached with azidentity's default credential.
func TestQueueAzure(t *testing.T) {
	ns := os.Getenv("SHOPFN_TEST_SERVICEBUS_NAMESPACE")
	if ns == "" {
		t.Skip("set SHOPFN_TEST_SERVICEBUS_NAMESPACE to a Service Bus namespace to run the queue suite on it")
	}
	storetest.TestQueue(t, storetest.QueueHarness{
		New: func(t *testing.T) storetest.QueueEnv {
			c := mustClient(t, ns, "")
			drain(t, c, commerce.QueueOrders, commerce.QueueInventory)
			q := servicebus.NewQueue(c, servicebus.QueueOptions{})
			t.Cleanup(func() { q.Close(context.Background()) })
			return storetest.QueueEnv{Queue: q, Now: time.Now, Reopen: func() commerce.Queue {
				return servicebus.NewQueue(mustClient(t, ns, ""), servicebus.QueueOptions{})
			}}
		},
		MaxDeliveryCount: 10,
		LockDuration:     30 * time.Second,
		DuplicateWindow:  10 * time.Minute,
	})
}

// drain empties queues and their dead-letter sub-queues on real Service Bus.
func drain(t *testing.T, c *azservicebus.Client, queues ...string) {
	t.Helper()
	ctx := context.Background()
	for _, q := range queues {
		for _, sub := range []azservicebus.SubQueue{0, azservicebus.SubQueueDeadLetter} {
			r, err := c.NewReceiverForQueue(q, &azservicebus.ReceiverOptions{ReceiveMode: azservicebus.ReceiveModeReceiveAndDelete, SubQueue: sub})
			if err != nil {
				t.Fatal(err)
			}
			for {
				wait, cancel := context.WithTimeout(ctx, 2*time.Second)
				got, err := r.ReceiveMessages(wait, 100, nil)
				cancel()
				if len(got) == 0 || err != nil {
					break
				}
			}
			r.Close(ctx)
		}
	}
}

// TestErrors checks the translation of Service Bus errors at the boundary.
func TestErrors(t *testing.T) {
	if peer == nil {
		t.Skip(peerMissing)
	}
	ctx := context.Background()
	q := servicebus.NewQueue(mustClient(t, "", peer.ConnectionString()), servicebus.QueueOptions{ReceiveWait: 300 * time.Millisecond})
	defer q.Close(ctx)
	m := commerce.Message{ID: "a", Type: "Test", Body: []byte(`{}`)}
	tests := []struct {
		name string
		err  error
		want commerce.Kind
	}{
		{"PublishUnknownQueue", q.Publish(ctx, "nope", m), commerce.KindNotFound},
		{"ReceiveUnknownQueue", func() error { _, err := q.Receive(ctx, "nope", 1); return err }(), commerce.KindNotFound},
		{"DeadLettersUnknownQueue", func() error { _, err := q.DeadLetters(ctx, "nope", 1); return err }(), commerce.KindNotFound},
		{"CompleteForeignMessage", q.Complete(ctx, commerce.QueueOrders, m), commerce.KindInvalid},
		{"PublishTooLarge", q.Publish(ctx, commerce.QueueOrders, commerce.Message{ID: "big", Type: "Test", Body: make([]byte, 2<<20)}), commerce.KindInvalid},
	}
	for _, tt := range tests {
		if got := commerce.ErrorKind(tt.err); got != tt.want {
			t.Errorf("%s: got kind %v (%v), want %v", tt.name, got, tt.err, tt.want)
		}
	}
	// A message the queue can never take is told apart from an outage, so
	// that the relay parks it instead of retrying it forever.
	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"PublishTooLarge", tests[4].err, true},
		{"PublishLongID", q.Publish(ctx, commerce.QueueOrders, commerce.Message{ID: strings.Repeat("x", 200), Type: "Test"}), true},
		{"PublishUnknownQueue", tests[0].err, false},
	} {
		if got := commerce.IsRejected(tt.err); got != tt.want {
			t.Errorf("%s: IsRejected(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
	if _, err := servicebus.NewClient("", "Endpoint=nonsense"); err == nil || strings.Contains(err.Error(), "nonsense") {
		t.Errorf("NewClient(malformed): got %v, want an error that does not quote the string", err)
	}
}
