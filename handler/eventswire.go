package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"path/filepath"
	"time"

	"shopfn/handler/events"
	"shopfn/handler/servicebus"
	"shopfn/handler/sqlstore"
	"shopfn/handler/webhook"
)

// openEvents makes the dispatcher of the event log's consumers. Consumers
// are registered on m.Events before the background work starts (Start);
// each keeps its own durable position under its name.
func (m *Main) openEvents(log *sqlstore.EventStore) *events.Dispatcher {
	d := events.NewDispatcher(log, m.Logger)
	d.Poll = 500 * time.Millisecond
	d.Now = m.Now
	if topic := m.Config.EventsTopic; topic != "" {
		if q, ok := m.queue.(*servicebus.Queue); ok {
			d.Register("topic:"+topic, servicebus.TopicConsumer{Publisher: q.Publisher, Topic: topic})
		}
	}
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

// webhookSealer returns the sealer of webhook secrets. With an embedded
// store its key is a file in the data directory (made once); otherwise it
// is derived, under a label of its own, from the shared cursor key, which
// lives outside the database (Key Vault on Azure). Rotating the cursor key
// then leaves stored webhook secrets unreadable: rotate each
// subscription's secret after it (README, "Events and webhooks").
func (m *Main) webhookSealer(cursorKey []byte) (*webhook.Sealer, error) {
	if m.db != nil {
		key, err := webhook.LoadOrCreateKey(filepath.Join(m.Config.DataDir, "webhook.key"))
		if err != nil {
			return nil, err
		}
		return webhook.NewSealer(key)
	}
	if len(cursorKey) == 0 {
		return nil, errors.New("webhooks: no key to seal their secrets with (set SHOPFN_CURSOR_KEY)")
	}
	h := hmac.New(sha256.New, cursorKey)
	h.Write([]byte("shopfn webhook secrets"))
	return webhook.NewSealer(h.Sum(nil))
}

// openWebhooks makes the webhook service over rel and registers it as the
// event log's "webhooks" consumer.
func (m *Main) openWebhooks(rel *sqlstore.DB, cursorKey []byte) (*webhook.Service, error) {
	sealer, err := m.webhookSealer(cursorKey)
	if err != nil {
		return nil, err
	}
	policy := webhook.Policy{AllowPrivate: m.Config.WebhooksAllowPrivate, Resolver: m.WebhookResolver}
	opts := webhook.Options{Policy: policy, Now: m.Now}
	if m.WebhookOptions != nil {
		m.WebhookOptions(&opts)
	}
	svc := webhook.NewService(sqlstore.NewWebhookStore(rel), sealer, webhook.NewClient(opts), policy, m.Logger)
	svc.Now = m.Now
	if m.WebhookBackoff != nil {
		svc.Backoff = *m.WebhookBackoff
	}
	m.Events.Register("webhooks", svc)
	return svc, nil
}
