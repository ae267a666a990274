package memstore

import (
	"context"
	"slices"

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
