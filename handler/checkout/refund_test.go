package checkout

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"shopfn/handler/commerce"
)

// refundProvider answers RefundAmount with err and counts the calls; its
// other methods are not used.
type refundProvider struct {
	commerce.PaymentProvider
	mu    sync.Mutex
	err   error
	calls []string // the keys asked for
}

func (p *refundProvider) RefundAmount(ctx context.Context, paymentID, key string, amount commerce.Money) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, key)
	return p.err
}

// memRefunds is one refund in memory, with commerce.RefundStore's rules.
type memRefunds struct {
	r        commerce.Refund
	settled  int
	attempts []string
}

func (m *memRefunds) CancelRemainder(ctx context.Context, orderID string, now time.Time) (bool, error) {
	return false, nil
}

func (m *memRefunds) Refund(ctx context.Context, id string) (*commerce.Refund, error) {
	if id != m.r.ID {
		return nil, commerce.NotFoundf("refund %s not found", id)
	}
	r := m.r
	return &r, nil
}

func (m *memRefunds) SettleRefund(ctx context.Context, id string, status commerce.RefundStatus, code string, now time.Time) (bool, error) {
	if m.r.Status != commerce.RefundPending {
		return false, nil
	}
	m.r.Status, m.r.FailureCode = status, code
	m.settled++
	return true, nil
}

func (m *memRefunds) NoteRefundAttempt(ctx context.Context, id, code string) error {
	m.attempts = append(m.attempts, code)
	return nil
}

// TestExecuteRefund: a refund the provider makes is settled succeeded,
// once; one the provider refuses is settled failed with its code, and not
// retried; one the provider does not answer stays pending, its attempt
// counted, and the error goes back to the queue for a redelivery.
func TestExecuteRefund(t *testing.T) {
	unavailable := commerce.Errorf(commerce.KindUnavailable, "payment_unavailable", "stripe is down")
	for _, tc := range []struct {
		name         string
		err          error
		wantErr      bool
		wantStatus   commerce.RefundStatus
		wantCode     string
		wantAttempts int
	}{
		{"made", nil, false, commerce.RefundSucceeded, "", 0},
		{"refused", commerce.Errorf(commerce.KindConflict, commerce.CodeNotRefundable, "disputed"), false, commerce.RefundFailed, commerce.CodeNotRefundable, 0},
		{"unknown payment", commerce.NotFoundf("no such payment"), false, commerce.RefundFailed, commerce.CodeNotFound, 0},
		{"no answer", unavailable, true, commerce.RefundPending, "", 1},
		{"a plain error", errors.New("connection reset"), true, commerce.RefundPending, "", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pay := &refundProvider{err: tc.err}
			s := NewService(nil, nil, pay, Config{Now: time.Now}, slog.New(slog.NewTextHandler(io.Discard, nil)))
			store := &memRefunds{r: commerce.Refund{ID: "r1", OrderID: "o1", PaymentID: "pi_1", Key: "r1",
				Amount: commerce.Money{Amount: 2200, Currency: "USD"}, Status: commerce.RefundPending}}
			err := s.ExecuteRefund(context.Background(), store, "r1")
			if (err != nil) != tc.wantErr {
				t.Fatalf("ExecuteRefund: got %v, want error %v", err, tc.wantErr)
			}
			if store.r.Status != tc.wantStatus || store.r.FailureCode != tc.wantCode || len(store.attempts) != tc.wantAttempts {
				t.Errorf("refund: got %s %q with %d attempts, want %s %q with %d", store.r.Status, store.r.FailureCode, len(store.attempts), tc.wantStatus, tc.wantCode, tc.wantAttempts)
			}
			if len(pay.calls) != 1 || pay.calls[0] != "r1" {
				t.Errorf("provider calls: got %v, want one keyed r1", pay.calls)
			}
			// Delivered again: a settled refund asks the provider nothing.
			pay.err = nil
			if err := s.ExecuteRefund(context.Background(), store, "r1"); err != nil {
				t.Fatalf("ExecuteRefund again: %v", err)
			}
			wantCalls := 1
			if tc.wantStatus == commerce.RefundPending {
				wantCalls = 2 // the retry the queue makes, which now succeeds
			}
			if len(pay.calls) != wantCalls || store.settled != 1 {
				t.Errorf("after a redelivery: %d provider calls, settled %d times; want %d and 1", len(pay.calls), store.settled, wantCalls)
			}
		})
	}
	t.Run("unknown refund", func(t *testing.T) {
		s := NewService(nil, nil, &refundProvider{}, Config{Now: time.Now}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		err := s.ExecuteRefund(context.Background(), &memRefunds{r: commerce.Refund{ID: "r1"}}, "r2")
		if commerce.ErrorKind(err) != commerce.KindNotFound {
			t.Errorf("got %v, want not_found", err)
		}
	})
}
