package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

// fakeRetry is a HostRetry that records what it was asked to retry.
type fakeRetry struct {
	earlier int   // deliveries Lineage adds, as for a copy
	err     error // what Retry returns
	retried []commerce.Message
}

func (f *fakeRetry) Lineage(m commerce.Message) commerce.Message {
	m.DeliveryCount += f.earlier
	return m
}

func (f *fakeRetry) MaxDeliveryCount() int { return 3 }

func (f *fakeRetry) Retry(_ context.Context, queue string, m commerce.Message) error {
	if queue != commerce.QueueOrders {
		return errors.New("wrong queue " + queue)
	}
	f.retried = append(f.retried, m)
	return f.err
}

// TestInvokeHostRetry checks how a queue function's invocation is answered
// to the Functions host on Service Bus: a failure with deliveries left is
// rescheduled and answered 200 (the host completes the original); the last
// delivery's failure, a failed reschedule, and a delivery past the last
// are answered 500 (the host abandons it; Service Bus redelivers it or
// dead-letters it).
func TestInvokeHostRetry(t *testing.T) {
	const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	down := errors.New("the order store is down")
	for _, tt := range []struct {
		name      string
		delivery  string // Metadata.DeliveryCount, a string as some hosts send it
		retry     *fakeRetry
		fnErr     error
		status    int
		runs      int
		retried   int // the DeliveryCount Retry got, 0 for no Retry
		logPrefix string
	}{
		{"handled", "1", &fakeRetry{}, nil, 200, 1, 0, "handled OrderPlaced m-1"},
		{"failed, rescheduled", "1", &fakeRetry{}, down, 200, 1, 1, "failed, redelivery scheduled"},
		{"copy failed, rescheduled", "1", &fakeRetry{earlier: 1}, down, 200, 1, 2, "failed, redelivery scheduled"},
		{"reschedule failed", "2", &fakeRetry{err: errors.New("service bus is down")}, down, 500, 1, 2, "failed: the order store is down; redelivery not scheduled"},
		{"last delivery", "3", &fakeRetry{}, down, 500, 1, 0, "failed: the order store is down"},
		{"copy's last delivery", "1", &fakeRetry{earlier: 2}, down, 500, 1, 0, "failed: the order store is down"},
		{"past the last delivery", "2", &fakeRetry{earlier: 2}, nil, 500, 0, 0, "refused: delivery 4 of m-1"},
		{"embedded, failed", "1", nil, down, 500, 1, 0, "failed: the order store is down"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []commerce.Message
			deps := Deps{Functions: func(_ context.Context, queue string, m commerce.Message) error {
				got = append(got, m)
				return tt.fnErr
			}}
			if tt.retry != nil {
				deps.HostRetry = tt.retry
			}
			h := NewServer(deps, Config{TrustHost: true}, slog.New(slog.DiscardHandler)).Handler()
			body := `{"Data":{"msg":"{\"type\":\"OrderPlaced\"}"},"Metadata":{"MessageId":"m-1","Subject":"OrderPlaced",` +
				`"DeliveryCount":"` + tt.delivery + `","UserProperties":"{\"traceparent\":\"` + traceparent + `\"}"}}`
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", "/orders", strings.NewReader(body)))
			if rec.Code != tt.status {
				t.Errorf("status: got %d %s, want %d", rec.Code, rec.Body, tt.status)
			}
			if !strings.Contains(rec.Body.String(), `"Logs":["`+tt.logPrefix) {
				t.Errorf("body: got %s, want Logs starting %q", rec.Body, tt.logPrefix)
			}
			if len(got) != tt.runs {
				t.Fatalf("function runs: got %d, want %d", len(got), tt.runs)
			}
			if tt.runs > 0 {
				if got[0].ID != "m-1" || got[0].Attributes["traceparent"] != traceparent {
					t.Errorf("function got %+v, want m-1 with the traceparent", got[0])
				}
			}
			var retried []int
			if tt.retry != nil {
				for _, m := range tt.retry.retried {
					retried = append(retried, m.DeliveryCount)
					if m.Attributes["traceparent"] != traceparent {
						t.Errorf("retried %+v: want the traceparent", m)
					}
				}
			}
			var want []int
			if tt.retried > 0 {
				want = []int{tt.retried}
			}
			if diff := cmp.Diff(want, retried); diff != "" {
				t.Errorf("Retry got DeliveryCounts (-want +got):\n%s", diff)
			}
		})
	}
}
