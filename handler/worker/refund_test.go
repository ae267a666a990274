package worker

import (
	"context"
	"errors"
	"testing"

	"shopfn/handler/commerce"
)

// fakeRefunds records the refunds executed and answers err.
type fakeRefunds struct {
	got []string
	err error
}

func (f *fakeRefunds) ExecuteRefund(_ context.Context, id string) error {
	f.got = append(f.got, id)
	return f.err
}

// TestOrdersRefundRequested: the orders function executes the refund a
// RefundRequested message names, returns the executor's error (so that the
// message is delivered again), and fails a message without a refund ID or
// without an executor (so that it is dead-lettered in the end).
func TestOrdersRefundRequested(t *testing.T) {
	msg := func(body string) commerce.Message {
		return commerce.Message{ID: "refund-r1", Type: commerce.MsgRefundRequested, Body: []byte(body)}
	}
	r := &fakeRefunds{}
	f := &Functions{Refunds: r}
	if err := f.Orders(context.Background(), msg(`{"type":"RefundRequested","refundId":"r1"}`)); err != nil {
		t.Fatal(err)
	}
	if len(r.got) != 1 || r.got[0] != "r1" {
		t.Errorf("executed %v, want [r1]", r.got)
	}
	r.err = errors.New("provider down")
	if err := f.Orders(context.Background(), msg(`{"type":"RefundRequested","refundId":"r1"}`)); !errors.Is(err, r.err) {
		t.Errorf("with the provider down: got %v, want its error", err)
	}
	for _, tc := range []struct {
		name string
		f    *Functions
		body string
	}{
		{"no refund ID", f, `{"type":"RefundRequested"}`},
		{"no executor", &Functions{}, `{"type":"RefundRequested","refundId":"r1"}`},
	} {
		if err := tc.f.Orders(context.Background(), msg(tc.body)); err == nil {
			t.Errorf("%s: got nil, want an error", tc.name)
		}
	}
	if got := commerce.QueueFor(commerce.MsgRefundRequested); got != commerce.QueueOrders {
		t.Errorf("RefundRequested goes to %q, want orders", got)
	}
}
