package main

import (
	"time"

	"shopfn/handler/api"
	"shopfn/handler/servicebus"
	"shopfn/handler/worker"
)

// hostRetry returns what reschedules, with the dispatcher's backoff, a
// message whose function failed under the Functions host: nil unless the
// queues are on Service Bus (the embedded queue is never host-triggered).
func (m *Main) hostRetry() api.HostRetry {
	q, ok := m.queue.(*servicebus.Queue)
	if !ok {
		return nil
	}
	first := m.Config.RetryBackoff
	return servicebus.NewHostRetry(q, func(n int) time.Duration { return worker.Backoff(first, n) })
}
