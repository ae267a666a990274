package worker

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"shopfn/handler/commerce"
)

// deadLetter publishes a message and abandons it until it is dead-lettered.
func deadLetter(t *testing.T, q RedriveQueue, queue string, m commerce.Message) {
	t.Helper()
	ctx := context.Background()
	full := q.(commerce.Queue)
	if err := full.Publish(ctx, queue, m); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		got, err := full.Receive(ctx, queue, 1)
		if err != nil || len(got) != 1 {
			t.Fatalf("Receive: got %v, %v, want the message", got, err)
		}
		if err := full.Abandon(ctx, queue, got[0], "boom", 0); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRedrive(t *testing.T) {
	ctx := context.Background()
	q := mustQueue(t)
	m := commerce.Message{ID: "placed-1", Type: commerce.MsgOrderPlaced, Body: []byte(`{"type":"OrderPlaced","orderId":"o1"}`),
		Attributes: map[string]string{commerce.AttrTraceParent: "00-abc-def-01"}}
	deadLetter(t, q, commerce.QueueOrders, m)

	sent, err := Redrive(ctx, q, commerce.QueueOrders, "placed-1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sent.ID, "placed-1~r") || string(sent.Body) != string(m.Body) || sent.Type != m.Type || sent.Attributes[commerce.AttrTraceParent] != "00-abc-def-01" {
		t.Errorf("re-driven message: got %+v, want %+v under a new ID", sent, m)
	}
	got, err := q.Receive(ctx, commerce.QueueOrders, 10)
	if err != nil || len(got) != 1 || got[0].ID != sent.ID || got[0].DeliveryCount != 1 {
		t.Fatalf("Receive after the re-drive: got %+v, %v, want %s delivered once", got, err, sent.ID)
	}
	if dls, _ := q.DeadLetters(ctx, commerce.QueueOrders, 10); len(dls) != 0 {
		t.Errorf("dead letters after the re-drive: got %+v, want none", dls)
	}
	if _, err := Redrive(ctx, q, commerce.QueueOrders, "placed-1"); commerce.ErrorCode(err) != commerce.CodeNotFound {
		t.Errorf("second Redrive: got %v, want not_found", err)
	}

	// Dead-lettered again under its new ID, it is re-driven under an ID of
	// the same length: the earlier suffix is replaced.
	if err := q.Abandon(ctx, commerce.QueueOrders, got[0], "boom", 0); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		again, _ := q.Receive(ctx, commerce.QueueOrders, 1)
		if err := q.Abandon(ctx, commerce.QueueOrders, again[0], "boom", 0); err != nil {
			t.Fatal(err)
		}
	}
	twice, err := Redrive(ctx, q, commerce.QueueOrders, sent.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(twice.ID, "placed-1~r") || strings.Count(twice.ID, "~r") != 1 {
		t.Errorf("second re-drive ID: got %q, want placed-1~r... once", twice.ID)
	}
}

// TestRedriveCutOff re-drives a dead letter whose first re-drive published
// but did not remove it: the second publish is dropped as a duplicate.
func TestRedriveCutOff(t *testing.T) {
	ctx := context.Background()
	q := mustQueue(t)
	deadLetter(t, q, commerce.QueueInventory, commerce.Message{ID: "exp-1", Type: commerce.MsgReservationExpired, Body: []byte(`{"type":"ReservationExpired","checkoutId":"k1"}`)})
	failing := removeFails{q}
	if _, err := Redrive(ctx, failing, commerce.QueueInventory, "exp-1"); err == nil {
		t.Fatal("Redrive with a failing remove: got nil, want an error")
	}
	if _, err := Redrive(ctx, q, commerce.QueueInventory, "exp-1"); err != nil {
		t.Fatal(err)
	}
	got, err := q.Receive(ctx, commerce.QueueInventory, 10)
	if err != nil || len(got) != 1 {
		t.Errorf("messages after two re-drives of one dead letter: got %d (%v), want 1", len(got), err)
	}
}

type removeFails struct{ RedriveQueue }

func (removeFails) RemoveDeadLetter(context.Context, string, string) (bool, error) {
	return false, errors.New("connection reset")
}

type fakeOverdue struct{ ids []string }

func (f fakeOverdue) OverdueCheckouts(_ context.Context, before time.Time, limit int) ([]string, error) {
	return f.ids, nil
}

type fakeExpirer struct{ expired []string }

func (f *fakeExpirer) Expire(_ context.Context, id string) error {
	f.expired = append(f.expired, id)
	if id == "k-bad" {
		return errors.New("provider down")
	}
	return nil
}

// TestSweep expires every overdue checkout, going on past a failure.
func TestSweep(t *testing.T) {
	exp := &fakeExpirer{}
	s := &Sweeper{Checkouts: fakeOverdue{[]string{"k1", "k-bad", "k2"}}, Expirer: exp, Now: time.Now, Grace: time.Minute, Log: discard}
	n, err := s.Sweep(context.Background())
	if n != 3 || err == nil || strings.Join(exp.expired, ",") != "k1,k-bad,k2" {
		t.Errorf("Sweep: got %d, %v, expired %v; want 3, an error, all three expired", n, err, exp.expired)
	}
}

// TestRedriveRemovedMeanwhile re-drives a dead letter that another re-drive
// removes between the lookup and the removal: not_found, not success.
func TestRedriveRemovedMeanwhile(t *testing.T) {
	ctx := context.Background()
	q := mustQueue(t)
	deadLetter(t, q, commerce.QueueOrders, commerce.Message{ID: "gone-1", Type: commerce.MsgOrderPlaced, Body: []byte(`{"type":"OrderPlaced","orderId":"o2"}`)})
	if _, err := Redrive(ctx, removedMeanwhile{q}, commerce.QueueOrders, "gone-1"); commerce.ErrorCode(err) != commerce.CodeNotFound {
		t.Errorf("Redrive of a dead letter removed meanwhile: got %v, want not_found", err)
	}
}

// removedMeanwhile removes the dead letter before RemoveDeadLetter looks.
type removedMeanwhile struct{ RedriveQueue }

func (r removedMeanwhile) RemoveDeadLetter(ctx context.Context, queue, id string) (bool, error) {
	if _, err := r.RedriveQueue.RemoveDeadLetter(ctx, queue, id); err != nil {
		return false, err
	}
	return r.RedriveQueue.RemoveDeadLetter(ctx, queue, id)
}
