package main

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus"

	"shopfn/handler/commerce"
	"shopfn/handler/servicebus"
)

// This file plays the Functions host on Service Bus: it receives from the
// peer's orders queue in peek-lock mode, invokes POST /orders as the host
// does (DeliveryCount as a string, UserProperties JSON-encoded), and
// completes the message on a 2xx answer or abandons it otherwise.

// sbHost is the test's Functions host: a peek-lock receiver on orders.
type sbHost struct {
	s e2eShop
	r *azservicebus.Receiver
}

// newSBHost opens the host's receiver on the peer's orders queue.
func newSBHost(t *testing.T, s e2eShop) *sbHost {
	t.Helper()
	client, err := servicebus.NewClient("", sbPeer.ConnectionString())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(context.Background()) })
	r, err := client.NewReceiverForQueue(commerce.QueueOrders, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &sbHost{s: s, r: r}
}

// receive returns the next due message within wait, or nil.
func (h *sbHost) receive(t *testing.T, wait time.Duration) *azservicebus.ReceivedMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	got, err := h.r.ReceiveMessages(ctx, 1, nil)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatal(err)
	}
	if len(got) == 0 {
		return nil
	}
	return got[0]
}

// deliver invokes POST /orders with m as the host does, settles m by the
// answer, and returns the answer's status and log lines.
func (h *sbHost) deliver(t *testing.T, m *azservicebus.ReceivedMessage) (int, []string) {
	t.Helper()
	props := map[string]string{}
	for k, v := range m.ApplicationProperties {
		if s, ok := v.(string); ok {
			props[k] = s
		}
	}
	encoded, _ := json.Marshal(props)
	subject := ""
	if m.Subject != nil {
		subject = *m.Subject
	}
	inv := map[string]any{
		"Data": map[string]any{"msg": string(m.Body)},
		"Metadata": map[string]any{
			"MessageId": m.MessageID, "Subject": subject,
			"DeliveryCount":  strconv.Itoa(int(m.DeliveryCount)),
			"UserProperties": string(encoded),
		},
	}
	res := h.s.Program.Admin(t, "POST", "/orders", inv)
	var out struct{ Logs []string }
	res.JSON(t, &out)
	ctx := context.Background()
	var err error
	if res.Status/100 == 2 {
		err = h.r.CompleteMessage(ctx, m, nil)
	} else {
		err = h.r.AbandonMessage(ctx, m, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return res.Status, out.Logs
}

// startHostShop starts the program under the host on Service Bus, its
// OrderPlaced function failing while fail says so; calls counts its runs.
func startHostShop(t *testing.T, maxDeliveries int, fail func(run int64) bool, calls *atomic.Int64) e2eShop {
	t.Helper()
	return startServiceBus(t, func(m *Main) {
		m.Config.UnderHost = true
		m.Config.MaxDeliveries = maxDeliveries
		m.Config.RetryBackoff = time.Minute
		m.HostMiddleware = func(next Handler) Handler {
			return func(ctx context.Context, queue string, msg commerce.Message) error {
				if msg.Type != commerce.MsgOrderPlaced {
					return next(ctx, queue, msg)
				}
				if fail(calls.Add(1)) {
					return errors.New("the order store is down")
				}
				return next(ctx, queue, msg)
			}
		}
	})
}

func TestE2EHostRetry(t *testing.T) {
	t.Run("BackoffThenSuccess", func(t *testing.T) {
		var calls atomic.Int64
		s := startHostShop(t, 4, func(run int64) bool { return run <= 2 }, &calls)
		host := newSBHost(t, s)
		s.mustStockedProduct(t, "host-retry", "HOST-RETRY", 1000, 10)
		r := moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"HOST-RETRY", 1}), "pm_card_visa"), ""))

		m := host.receive(t, 15*time.Second)
		if m == nil {
			t.Fatal("no OrderPlaced on the orders queue")
		}
		originalID := m.MessageID
		// Deliveries 1 and 2 fail: each is answered 200 with a copy
		// scheduled a minute, then two minutes, later.
		for n, delay := range []time.Duration{time.Minute, 2 * time.Minute} {
			status, logs := host.deliver(t, m)
			if status != 200 || len(logs) != 1 || !strings.Contains(logs[0], "redelivery scheduled") {
				t.Fatalf("delivery %d: got %d %q, want 200 with a redelivery scheduled", n+1, status, logs)
			}
			s.Clock.Advance(delay - 15*time.Second)
			if early := host.receive(t, 500*time.Millisecond); early != nil {
				t.Fatalf("delivery %d: a copy came %v before its backoff of %v ended: %s %d %v", n+1, 15*time.Second, delay, early.MessageID, early.DeliveryCount, early.ApplicationProperties)
			}
			s.Clock.Advance(15 * time.Second)
			if m = host.receive(t, 10*time.Second); m == nil {
				t.Fatalf("delivery %d: no copy after its backoff of %v", n+1, delay)
			}
			if want := originalID + "#" + strconv.Itoa(n+1); m.MessageID != want {
				t.Errorf("copy %d: got MessageID %q, want %q", n+1, m.MessageID, want)
			}
			if got := m.ApplicationProperties["shopfn-original-id"]; got != originalID {
				t.Errorf("copy %d: got shopfn-original-id %v, want %q", n+1, got, originalID)
			}
		}
		status, logs := host.deliver(t, m)
		if status != 200 || len(logs) != 1 || !strings.HasPrefix(logs[0], "handled OrderPlaced "+originalID) {
			t.Fatalf("delivery 3: got %d %q, want 200 handled under the original ID %s", status, logs, originalID)
		}
		s.moneyWaitOrder(t, r.OrderID, "placed")
		if got := calls.Load(); got != 3 {
			t.Errorf("function runs: got %d, want 3", got)
		}
		if extra := host.receive(t, 500*time.Millisecond); extra != nil {
			t.Errorf("after success: got message %s, want none", extra.MessageID)
		}
	})

	t.Run("LastDeliveryDeadLetters", func(t *testing.T) {
		const maxDeliveries = 3
		var calls atomic.Int64
		s := startHostShop(t, maxDeliveries, func(int64) bool { return true }, &calls)
		host := newSBHost(t, s)
		s.mustStockedProduct(t, "host-dead", "HOST-DEAD", 1000, 10)
		moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"HOST-DEAD", 1}), "pm_card_visa"), ""))

		m := host.receive(t, 15*time.Second)
		if m == nil {
			t.Fatal("no OrderPlaced on the orders queue")
		}
		originalID := m.MessageID
		var statuses []int
		for m != nil && len(statuses) < 30 {
			status, _ := host.deliver(t, m)
			statuses = append(statuses, status)
			s.Clock.Advance(5 * time.Minute) // past any backoff
			m = host.receive(t, 2*time.Second)
		}
		if got := calls.Load(); got != maxDeliveries {
			t.Errorf("function runs: got %d, want %d (statuses %v)", got, maxDeliveries, statuses)
		}
		if len(statuses) < maxDeliveries || statuses[0] != 200 || statuses[1] != 200 || statuses[2] != 500 {
			t.Fatalf("statuses: got %v, want 200, 200 (rescheduled), then 500 from the last delivery on", statuses)
		}
		res := s.admin(t, "GET", "/api/admin/deadletters?queue=orders", nil)
		var page struct{ Items []moneyDeadLetter }
		res.JSON(t, &page)
		t.Logf("statuses %v; dead letters %s", statuses, res.Body)
		if len(page.Items) != 1 || page.Items[0].MessageID != originalID || page.Items[0].Reason == "" {
			t.Errorf("dead letters: got %s, want one, %s with a reason", res.Body, originalID)
		}
	})
}
