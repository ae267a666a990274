package main

import (
	"context"
	"time"

	"shopfn/handler/events"
	"shopfn/handler/sqlstore"
)

// openEvents makes the dispatcher of the event log's consumers. Consumers
// are registered on m.Events before the background work starts (Start);
// each keeps its own durable position under its name.
func (m *Main) openEvents(log *sqlstore.EventStore) *events.Dispatcher {
	d := events.NewDispatcher(log, m.Logger)
	d.Poll = 500 * time.Millisecond
	d.Now = m.Now
	return d
}

// purgeEvents deletes, every hour and at start, the events older than
// retention that every consumer has handled.
func (m *Main) purgeEvents(ctx context.Context, log *sqlstore.EventStore, retention time.Duration) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		total := int64(0)
		for {
			n, err := log.Purge(ctx, m.Now().Add(-retention), 1000)
			if err != nil {
				if ctx.Err() == nil {
					m.Logger.Warn("purge events", "err", err)
				}
				break
			}
			total += n
			if n < 1000 {
				break
			}
		}
		if total > 0 {
			m.Logger.Info("purged old events", "count", total)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
