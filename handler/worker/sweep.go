package worker

import (
	"context"
	"log/slog"
	"time"
)

// OverdueLister lists open checkouts whose reservation expired before a
// time (sqlstore.CheckoutStore).
type OverdueLister interface {
	OverdueCheckouts(ctx context.Context, before time.Time, limit int) ([]string, error)
}

// Sweeper releases reservations past their expiry whose ReservationExpired
// message never came (lost, or dead-lettered). It runs the same Expire the
// message runs, which decides with conditional updates, so any number of
// instances may sweep at once and race the message safely.
type Sweeper struct {
	Checkouts OverdueLister
	Expirer   Expirer
	Now       func() time.Time
	// Grace is how long past its expiry a reservation is left to its
	// message before the sweep takes it.
	Grace time.Duration
	Log   *slog.Logger
}

// Sweep expires every overdue checkout once and returns how many it tried.
// It goes on after a failure (the next sweep retries it) and returns the
// first error.
func (s *Sweeper) Sweep(ctx context.Context) (int, error) {
	ids, err := s.Checkouts.OverdueCheckouts(ctx, s.Now().Add(-s.Grace), 500)
	if err != nil {
		return 0, err
	}
	var first error
	for _, id := range ids {
		if err := s.Expirer.Expire(ctx, id); err != nil {
			s.Log.Warn("sweep expired reservation", "checkout", id, "err", err)
			if first == nil {
				first = err
			}
		}
	}
	return len(ids), first
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
			s.Log.Warn("sweep expired reservations", "err", err)
		} else if n > 0 {
			s.Log.Info("swept expired reservations", "count", n)
		}
	}
}
