package servicebus

import (
	"context"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus"

	"shopfn/handler/commerce"
)

// HostRetry redelivers, after a backoff, a message whose function failed
// under the Functions host. The host settles the messages it triggers on
// and abandons a failed one for immediate redelivery (its Service Bus
// trigger takes no retry policy for custom handlers), so a short outage
// would use up every delivery in moments. Instead HostRetry schedules the
// same copy Queue.Abandon schedules with a delay, and the handler answers
// success so that the host completes the original.
type HostRetry struct {
	q       *Queue
	backoff func(deliveries int) time.Duration
}

// NewHostRetry returns a HostRetry that schedules copies through q, due
// backoff(deliveries so far) after now.
func NewHostRetry(q *Queue, backoff func(deliveries int) time.Duration) *HostRetry {
	return &HostRetry{q: q, backoff: backoff}
}

// Lineage returns m, delivered by the host with every application
// property among its Attributes, as Queue.Receive would return it: a
// redelivery copy gets its original ID back, and the deliveries of the
// earlier copies add to its DeliveryCount.
func (h *HostRetry) Lineage(m commerce.Message) commerce.Message {
	attrs := m.Attributes
	m.Attributes = nil
	for k, v := range attrs {
		addProperty(&m, k, v)
	}
	return m
}

// MaxDeliveryCount is how many deliveries a message gets in all,
// counting every copy's.
func (h *HostRetry) MaxDeliveryCount() int { return h.q.opts.MaxDeliveryCount }

// Retry schedules a copy of m, as Lineage returns it, on queue, due after
// the backoff of its DeliveryCount. Once it returns nil the original may
// be completed: the copy carries the rest of its deliveries.
func (h *HostRetry) Retry(ctx context.Context, queue string, m commerce.Message) error {
	s, err := h.q.sender(queue)
	if err != nil {
		return err
	}
	at := h.q.opts.Now().Add(h.backoff(m.DeliveryCount))
	_, err = s.ScheduleMessages(ctx, []*azservicebus.Message{redeliveryCopy(m)}, at, nil)
	return translate("schedule redelivery", queue, err)
}
