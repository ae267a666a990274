package worker

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// OverdueLister lists open checkouts whose reservation expired before a
// time (sqlstore.CheckoutStore).
type OverdueLister interface {
	OverdueCheckouts(ctx context.Context, before time.Time, limit int) ([]string, error)
}

// CancellingLister lists orders claimed for cancelling before a time and
// not cancelled yet (commerce.OrderStore).
type CancellingLister interface {
	CancellingOrders(ctx context.Context, before time.Time, limit int) ([]string, error)
}

// Sweeper releases reservations past their expiry whose ReservationExpired
// message never came (lost, or dead-lettered), and finishes cancellations
// cut off between their steps. It runs the same Expire the message runs and
// the same cancel the admin route runs, which decide with conditional
// updates and refund idempotently, so any number of instances may sweep at
// once and race the message or the route safely.
type Sweeper struct {
	Checkouts OverdueLister
	Expirer   Expirer
	// Orders and FinishCancel, when both are set, finish orders stuck
	// cancelling (checkout.Service.Cancel on the order store).
	Orders       CancellingLister
	FinishCancel func(ctx context.Context, orderID string) error
	Now          func() time.Time
	// Grace is how long past its expiry a reservation is left to its
	// message, and how long a cancellation is left to its request, before
	// the sweep takes it.
	Grace time.Duration
	Log   *slog.Logger
}

// Sweep expires every overdue checkout once and finishes every stuck
// cancellation once, and returns how many it tried. It goes on after a
// failure (the next sweep retries it) and returns the first error.
func (s *Sweeper) Sweep(ctx context.Context) (int, error) {
	before := s.Now().Add(-s.Grace)
	ids, err := s.Checkouts.OverdueCheckouts(ctx, before, 500)
	if err != nil {
		return 0, err
	}
	var first error
	fail := func(err error) {
		if first == nil {
			first = err
		}
	}
	for _, id := range ids {
		if err := s.Expirer.Expire(ctx, id); err != nil {
			s.Log.Warn("sweep expired reservation", "checkout", id, "err", err)
			fail(err)
		}
	}
	if s.Orders == nil || s.FinishCancel == nil {
		return len(ids), first
	}
	orders, err := s.Orders.CancellingOrders(ctx, before, 500)
	if err != nil {
		return len(ids), errors.Join(first, err)
	}
	for _, id := range orders {
		if err := s.FinishCancel(ctx, id); err != nil {
			s.Log.Warn("sweep stuck cancellation", "order", id, "err", err)
			fail(err)
		}
	}
	return len(ids) + len(orders), first
}

// Run sweeps every interval until ctx is done.
func (s *Sweeper) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.Log.Warn("sweep expired reservations and stuck cancellations", "err", err)
		} else if n > 0 {
			s.Log.Info("swept expired reservations and stuck cancellations", "count", n)
		}
	}
}
