package commerce

import (
	"context"
	"time"
)

// The queues.
const (
	QueueOrders    = "orders"
	QueueInventory = "inventory"
)

// The message types. A message's Type is also its Service Bus Subject.
const (
	MsgOrderPlaced        = "OrderPlaced"
	MsgReservationExpired = "ReservationExpired"
	MsgOrderCancelled     = "OrderCancelled"
	MsgStockLevelSet      = "StockLevelSet"
	// MsgOrderFulfilled, on the inventory queue, tells that a warehouse
	// shipped an order: {"type":"OrderFulfilled","orderId":"o..."}.
	MsgOrderFulfilled = "OrderFulfilled"
)

// Message is a queue message. Publishers set ID, Type, Body and, for a
// scheduled message, ScheduledAt; queues set the rest on delivery.
type Message struct {
	// ID is the MessageId: a queue drops a message whose ID it has already
	// accepted within its duplicate-detection window.
	ID   string
	Type string
	// Body is the JSON object the message carries; it has a "type" field
	// equal to Type.
	Body []byte
	// ScheduledAt, when set, is the earliest time the message is delivered.
	ScheduledAt time.Time
	// Attributes are the message's application properties (Service Bus
	// ApplicationProperties), such as AttrTraceParent. Queues carry them
	// from publish to delivery and into dead letters.
	Attributes map[string]string

	// DeliveryCount counts deliveries, this one included.
	DeliveryCount int
	EnqueuedAt    time.Time
	// Delivery is the queue's own handle of this delivery (its lock), set by
	// Receive and taken back by Complete and Abandon. It is nil on a message
	// that was not received from a Queue.
	Delivery any
}

// AttrTraceParent is the attribute that carries a W3C traceparent from the
// request that published a message to the function that handles it.
const AttrTraceParent = "traceparent"

// ReasonMaxDeliveryCount is the dead-letter reason of a message whose lock
// expired on its last allowed delivery, as Service Bus names it.
const ReasonMaxDeliveryCount = "MaxDeliveryCountExceeded"

// QueueOptions configures the embedded and in-memory queues. Zero fields
// take the Service Bus defaults (WithDefaults).
type QueueOptions struct {
	// LockDuration is how long a received message stays locked (default 30s).
	LockDuration time.Duration
	// MaxDeliveryCount is the number of deliveries after which a message is
	// dead-lettered (default 10).
	MaxDeliveryCount int
	// DuplicateWindow is how long a message ID is remembered (default 10m).
	DuplicateWindow time.Duration
	// Now is the clock behind every time decision (default time.Now).
	Now func() time.Time
}

// WithDefaults returns o with each zero field set to its default.
func (o QueueOptions) WithDefaults() QueueOptions {
	if o.LockDuration <= 0 {
		o.LockDuration = 30 * time.Second
	}
	if o.MaxDeliveryCount <= 0 {
		o.MaxDeliveryCount = 10
	}
	if o.DuplicateWindow <= 0 {
		o.DuplicateWindow = 10 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Publisher sends messages to a queue: the embedded queue (sqlite.Queue) or
// Service Bus (servicebus.Queue).
type Publisher interface {
	// Publish enqueues msgs on the named queue. A message whose ID the queue
	// accepted within its duplicate-detection window is dropped silently.
	Publish(ctx context.Context, queue string, msgs ...Message) error
}

// Queue is a durable queue with Service Bus semantics: at-least-once
// delivery under a peek-lock, a delivery count, dead-lettering after
// MaxDeliveryCount deliveries, scheduled delivery, and duplicate detection.
// The embedded queue implements it; on Azure, Service Bus and the Functions
// host do, and storetest.TestQueue states the semantics both must keep.
type Queue interface {
	Publisher

	// Receive locks and returns up to max messages that are due on the
	// queue, in the order they became due, each with its DeliveryCount
	// raised by one. A
	// message whose lock expires without Complete is delivered again. It
	// returns no messages, not an error, when none are due.
	Receive(ctx context.Context, queue string, max int) ([]Message, error)

	// Complete removes a delivered message. It returns KindConflict
	// "lock_lost" when the message's lock expired and it may have been
	// delivered again.
	Complete(ctx context.Context, queue string, m Message) error

	// Abandon releases a delivered message for redelivery no sooner than
	// delay from now (at once when delay is 0), or dead-letters it with
	// reason when it has been delivered MaxDeliveryCount times. It returns
	// "lock_lost" as Complete does.
	Abandon(ctx context.Context, queue string, m Message, reason string, delay time.Duration) error

	// DeadLetters lists dead-lettered messages of a queue, oldest first.
	DeadLetters(ctx context.Context, queue string, limit int) ([]DeadLetter, error)
}

// DeadLetter is a message that a queue gave up delivering. It is kept,
// never dropped.
type DeadLetter struct {
	Queue string `json:"queue"`
	ID    string `json:"messageId"`
	Type  string `json:"type"`
	Body  []byte `json:"body"`
	// Attributes are the message's application properties.
	Attributes     map[string]string `json:"attributes,omitempty"`
	DeliveryCount  int               `json:"deliveryCount"`
	Reason         string            `json:"reason"`
	EnqueuedAt     time.Time         `json:"enqueuedAt"`
	DeadLetteredAt time.Time         `json:"deadLetteredAt"`
}

// DeadLetterQueue is the optional ability of a Queue to find and remove one
// dead letter, which re-driving needs. The embedded queue has it; the
// Service Bus adapter peeks the queue's $DeadLetterQueue to find a message
// and receives and completes it to remove it.
type DeadLetterQueue interface {
	// DeadLetter returns the oldest dead letter of queue with messageID,
	// or "not_found".
	DeadLetter(ctx context.Context, queue, messageID string) (DeadLetter, error)

	// RemoveDeadLetter removes the oldest dead letter of queue with
	// messageID. It reports false, changing nothing, when there is none.
	RemoveDeadLetter(ctx context.Context, queue, messageID string) (bool, error)
}
