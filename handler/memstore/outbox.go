package memstore

import (
	"context"
	"slices"
	"time"

	"shopfn/handler/commerce"
)

// addOutbox stores copies of msgs, attributes included, in the outbox, each
// on the queue its type is for. The caller holds db.mu.
func (db *DB) addOutbox(msgs []commerce.Message) {
	for _, m := range msgs {
		db.seq++
		db.outbox = append(db.outbox, commerce.OutboxEntry{Seq: db.seq, Queue: commerce.QueueFor(m.Type), Message: cloneMessage(m)})
	}
}

// Unpublished returns copies of up to limit stored messages not yet
// published, oldest first, each with the queue it is for.
func (s *CheckoutStore) Unpublished(ctx context.Context, limit int) ([]commerce.OutboxEntry, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	var out []commerce.OutboxEntry
	for _, e := range s.db.outbox[:min(len(s.db.outbox), max(limit, 0))] {
		e.Message = cloneMessage(e.Message)
		out = append(out, e)
	}
	return out, nil
}

// MarkPublished removes the entries with the given sequence numbers from
// the outbox: the queue has them. Unknown numbers are ignored.
func (s *CheckoutStore) MarkPublished(ctx context.Context, seqs []int64) error {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	s.db.outbox = slices.DeleteFunc(s.db.outbox, func(e commerce.OutboxEntry) bool { return slices.Contains(seqs, e.Seq) })
	return nil
}

// Park moves a pending entry to the parked ones, parked at at because of
// reason. It reports whether the entry was pending.
func (s *CheckoutStore) Park(ctx context.Context, seq int64, reason string, at time.Time) (bool, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	i := slices.IndexFunc(s.db.outbox, func(e commerce.OutboxEntry) bool { return e.Seq == seq })
	if i < 0 {
		return false, nil
	}
	p := commerce.ParkedEntry{OutboxEntry: s.db.outbox[i], Reason: reason, ParkedAt: stamp(at)}
	s.db.outbox = slices.Delete(s.db.outbox, i, i+1)
	j, _ := slices.BinarySearchFunc(s.db.parked, seq, func(e commerce.ParkedEntry, seq int64) int { return int(e.Seq - seq) })
	s.db.parked = slices.Insert(s.db.parked, j, p)
	return true, nil
}

// Parked returns copies of up to limit parked entries of queue, oldest
// first.
func (s *CheckoutStore) Parked(ctx context.Context, queue string, limit int) ([]commerce.ParkedEntry, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	var out []commerce.ParkedEntry
	for _, p := range s.db.parked {
		if p.Queue == queue && len(out) < limit {
			p.Message = cloneMessage(p.Message)
			out = append(out, p)
		}
	}
	return out, nil
}

// Unpark moves a parked entry of queue back among the pending ones, in
// sequence order, and returns a copy of it. It reports false when queue
// has no such parked entry.
func (s *CheckoutStore) Unpark(ctx context.Context, queue string, seq int64) (commerce.OutboxEntry, bool, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	i := slices.IndexFunc(s.db.parked, func(p commerce.ParkedEntry) bool { return p.Seq == seq && p.Queue == queue })
	if i < 0 {
		return commerce.OutboxEntry{}, false, nil
	}
	e := s.db.parked[i].OutboxEntry
	s.db.parked = slices.Delete(s.db.parked, i, i+1)
	j, _ := slices.BinarySearchFunc(s.db.outbox, seq, func(e commerce.OutboxEntry, seq int64) int { return int(e.Seq - seq) })
	s.db.outbox = slices.Insert(s.db.outbox, j, e)
	e.Message = cloneMessage(e.Message)
	return e, true, nil
}
