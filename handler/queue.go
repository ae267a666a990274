package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"shopfn/handler/commerce"
	"shopfn/handler/servicebus"
	"shopfn/handler/sqlite"
)

// queue is what the program needs of its queues: the embedded queue and
// Service Bus both have it.
type queue interface {
	commerce.Queue
	commerce.DeadLetterQueue
}

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
		addr := serviceBusAddr(cfg.ServiceBusNamespace, cfg.ServiceBusConnection)
		m.depend("servicebus", func(ctx context.Context) error { return dial(ctx, addr) })
		q := servicebus.NewQueue(client, servicebus.QueueOptions{MaxDeliveryCount: cfg.MaxDeliveries, Now: m.Now})
		m.queue = q
		m.closeQueue = func(ctx context.Context) error { return errors.Join(q.Close(ctx), client.Close(ctx)) }
	default:
		m.Queue = sqlite.NewQueue(m.db, commerce.QueueOptions{MaxDeliveryCount: cfg.MaxDeliveries, Now: m.Now})
		if owns {
			if err := m.Queue.ReleaseLocks(ctx); err != nil {
				return err
			}
		}
		m.queue = m.Queue
	}
	return nil
}

// serviceBusAddr returns the host:port the AMQP connection to Service Bus
// goes to: the namespace, or the connection string's Endpoint, on port 5671
// (AMQP over TLS), or 5672 for the emulator form, unless it names a port.
func serviceBusAddr(namespace, conn string) string {
	host, port := namespace, "5671"
	for _, part := range strings.Split(conn, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch strings.ToLower(k) {
		case "endpoint":
			host = v
		case "usedevelopmentemulator":
			if strings.EqualFold(v, "true") {
				port = "5672"
			}
		}
	}
	host = strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(host, "sb://"), "/"), "amqps://")
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	return net.JoinHostPort(host, port)
}

// dial checks that addr takes TCP connections. The readiness probe asks no
// more of Service Bus: the SDK connects lazily and reconnects by itself,
// and a probe that authenticated would need rights the api does not have.
func dial(ctx context.Context, addr string) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("dial %s: %w", addr, err)
	}
	return c.Close()
}
