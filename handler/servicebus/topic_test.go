package servicebus_test

import (
	"context"
	"testing"
	"time"

	"shopfn/handler/events"
	"shopfn/handler/servicebus"
)

// TestTopicConsumer publishes events through the peer and reads what a
// topic subscription would get. The peer has no topics (nor SQL filters):
// a topic and a queue take the same AMQP send, so the test sends to the
// peer's "orders" queue as the topic and reads the messages back there.
func TestTopicConsumer(t *testing.T) {
	if peer == nil {
		t.Skip(peerMissing)
	}
	check(t, peer.Reset())
	ctx := context.Background()
	client := mustClient(t, "", peer.ConnectionString())
	pub := servicebus.NewPublisher(client)
	defer pub.Close(ctx)
	c := servicebus.TopicConsumer{Publisher: pub, Topic: "orders"}
	now := time.Now()
	e, err := events.New(events.InventoryLowStock, events.DefaultSource, "LAMP-1", now, events.LowStockData{SKU: "LAMP-1", Available: 1, Threshold: 2})
	check(t, err)
	e.Sequence = 4
	check(t, c.Handle(ctx, e))
	check(t, c.Handle(ctx, e)) // a redelivery: duplicate detection drops it

	r, err := client.NewReceiverForQueue("orders", nil)
	check(t, err)
	defer r.Close(ctx)
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	msgs, err := r.ReceiveMessages(rctx, 10, nil)
	check(t, err)
	if len(msgs) != 1 {
		t.Fatalf("messages: got %d, want 1 (the redelivery dropped)", len(msgs))
	}
	m := msgs[0]
	if m.MessageID != e.ID || m.Subject == nil || *m.Subject != "inventory.low_stock" {
		t.Errorf("message: got ID %q subject %v, want %q, inventory.low_stock", m.MessageID, m.Subject, e.ID)
	}
	if got := m.ApplicationProperties; got["type"] != "inventory.low_stock" || got["subject"] != "inventory/LAMP-1" {
		t.Errorf("application properties: got %v, want type and subject", got)
	}
	got, err := events.Parse(m.Body)
	check(t, err)
	if got.ID != e.ID || got.Sequence != 4 {
		t.Errorf("body: got %+v, want the event", got)
	}
	check(t, r.CompleteMessage(ctx, m, nil))
}
