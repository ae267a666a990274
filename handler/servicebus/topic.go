package servicebus

import (
	"context"
	"fmt"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
)

// TopicConsumer is the events.Consumer that publishes each event to a
// Service Bus topic (SHOPFN_EVENTS_TOPIC), for Azure consumers that
// subscribe with SQL filters: the message's ID is the event's (duplicate
// detection on the topic drops a redelivered one), its Subject the event's
// type, its body the CloudEvent, and its application properties "type"
// and "subject" the event's.
type TopicConsumer struct {
	Publisher *Publisher
	Topic     string
}

// Handle publishes e. An event the topic refuses for good (over the size
// limit) is skipped rather than blocking every later one: it is in the
// feed still.
func (t TopicConsumer) Handle(ctx context.Context, e events.Event) error {
	body, err := e.Marshal()
	if err != nil {
		return fmt.Errorf("events topic: %w", err)
	}
	err = t.Publisher.Publish(ctx, t.Topic, commerce.Message{
		ID: e.ID, Type: string(e.Type), Body: body,
		Attributes: map[string]string{"type": string(e.Type), "subject": e.Subject},
	})
	if commerce.IsRejected(err) {
		return nil
	}
	return err
}
