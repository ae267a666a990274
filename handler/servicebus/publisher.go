package servicebus

import (
	"context"
	"errors"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus"

	"shopfn/handler/commerce"
)

// Publisher sends messages to Service Bus queues: MessageID is the message's
// ID (with duplicate detection on the queue, re-publishing after a crash is
// harmless), Subject its Type, ScheduledEnqueueTime its ScheduledAt, and its
// Attributes become application properties.
type Publisher struct {
	client  *azservicebus.Client
	mu      sync.Mutex
	senders map[string]*azservicebus.Sender
}

var _ commerce.Publisher = (*Publisher)(nil)

// NewPublisher returns a Publisher on client.
func NewPublisher(client *azservicebus.Client) *Publisher {
	return &Publisher{client: client, senders: map[string]*azservicebus.Sender{}}
}

// sender returns the queue's sender, opening it on first use.
func (p *Publisher) sender(queue string) (*azservicebus.Sender, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.senders[queue]; ok {
		return s, nil
	}
	s, err := p.client.NewSender(queue, nil)
	if err != nil {
		return nil, translate("open sender", queue, err)
	}
	p.senders[queue] = s
	return s, nil
}

// Publish sends msgs to queue in as few batches as the size limit allows.
// It returns KindInvalid when the queue name is empty, and KindInvalid
// "message_rejected" (commerce.IsRejected: publishing it again can never
// succeed) when a message's ID or Type is empty, its ID too long, or it
// alone is over the size limit; nothing is sent then.
// When a later batch fails, earlier batches stay sent: publishing again is
// safe, since duplicate detection drops what the queue already has.
func (p *Publisher) Publish(ctx context.Context, queue string, msgs ...commerce.Message) error {
	if err := validate(queue, msgs); err != nil || len(msgs) == 0 {
		return err
	}
	s, err := p.sender(queue)
	if err != nil {
		return err
	}
	batch, err := s.NewMessageBatch(ctx, nil)
	if err != nil {
		return translate("publish", queue, err)
	}
	for i := 0; i < len(msgs); {
		err := batch.AddMessage(toSDK(msgs[i]), nil)
		switch {
		case err == nil:
			i++
			continue
		case !errors.Is(err, azservicebus.ErrMessageTooLarge):
			return translate("publish", queue, err)
		case batch.NumMessages() == 0:
			return commerce.Rejectedf("message %s on %s is over Service Bus's size limit", msgs[i].ID, queue)
		}
		if err := s.SendMessageBatch(ctx, batch, nil); err != nil {
			return translate("publish", queue, err)
		}
		if batch, err = s.NewMessageBatch(ctx, nil); err != nil {
			return translate("publish", queue, err)
		}
	}
	if batch.NumMessages() == 0 { // SendMessageBatch panics on an empty batch
		return nil
	}
	return translate("publish", queue, s.SendMessageBatch(ctx, batch, nil))
}

// Close closes the senders.
func (p *Publisher) Close(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	for q, s := range p.senders {
		errs = append(errs, s.Close(ctx))
		delete(p.senders, q)
	}
	return errors.Join(errs...)
}

func validate(queue string, msgs []commerce.Message) error {
	if queue == "" {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "queue name is empty")
	}
	for i, m := range msgs {
		if m.ID == "" || m.Type == "" {
			return commerce.Rejectedf("message %d on %s: ID and Type are required", i, queue)
		}
		if len(m.ID) > maxMessageID {
			return commerce.Rejectedf("message %d on %s: ID is over %d characters", i, queue, maxMessageID)
		}
	}
	return nil
}

// maxMessageID is Service Bus's limit on a MessageId, less room for the
// suffix of a delayed redelivery's copy.
const maxMessageID = 100

// toSDK maps a commerce message onto a Service Bus message.
func toSDK(m commerce.Message) *azservicebus.Message {
	contentType := "application/json"
	out := &azservicebus.Message{MessageID: &m.ID, Subject: &m.Type, Body: m.Body, ContentType: &contentType}
	if !m.ScheduledAt.IsZero() {
		at := m.ScheduledAt.UTC()
		out.ScheduledEnqueueTime = &at
	}
	if len(m.Attributes) > 0 {
		out.ApplicationProperties = make(map[string]any, len(m.Attributes))
		for k, v := range m.Attributes {
			out.ApplicationProperties[k] = v
		}
	}
	return out
}
