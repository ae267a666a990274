package main

import (
	"context"
	"errors"

	"shopfn/handler/servicebus"
	"shopfn/handler/sqlite"
)

// openQueue opens the queues Config.Queue names: the embedded queue in the
// SQLite file, or Service Bus. owns says this process alone uses the data
// directory (SHOPFN_ROLE=all, the only role the embedded queue runs in):
// the message locks it finds belonged to a process that is gone, and are
// released so that their messages need not wait a whole lock duration.
func (m *Main) openQueue(ctx context.Context, owns bool) error {
	cfg := m.Config
	switch cfg.Queue {
	case "servicebus":
		client, err := servicebus.NewClient(cfg.ServiceBusNamespace, cfg.ServiceBusConnection)
		if err != nil {
			return err
		}
		q := servicebus.NewQueue(client, servicebus.QueueOptions{MaxDeliveryCount: cfg.MaxDeliveries})
		m.queue = q
		m.closeQueue = func(ctx context.Context) error { return errors.Join(q.Close(ctx), client.Close(ctx)) }
	default:
		m.Queue = sqlite.NewQueue(m.db, sqlite.QueueOptions{MaxDeliveryCount: cfg.MaxDeliveries, Now: m.Now})
		if owns {
			if err := m.Queue.ReleaseLocks(ctx); err != nil {
				return err
			}
		}
		m.queue = m.Queue
	}
	return nil
}
