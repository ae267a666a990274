package worker

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"shopfn/handler/commerce"
)

// RedriveQueue is what re-driving a dead letter needs of a queue.
type RedriveQueue interface {
	commerce.Publisher
	commerce.DeadLetterQueue
}

// Redrive publishes a dead letter of queue again and then removes it from
// the dead letters, and returns the message it published. It returns
// "not_found" when there is no such dead letter (a repeated re-drive that
// already finished), also when it is gone by the time Redrive removes it.
//
// The message gets a new ID, RedriveID: under its own ID the queue's
// duplicate detection would drop it within the window. That ID is the same
// for every attempt to re-drive one dead letter, so a re-drive cut off
// between publishing and removing, and repeated, is dropped by duplicate
// detection instead of sent twice; past the window it would be delivered
// twice, which idempotent consumers absorb.
func Redrive(ctx context.Context, q RedriveQueue, queue, messageID string) (commerce.Message, error) {
	dl, err := q.DeadLetter(ctx, queue, messageID)
	if err != nil {
		return commerce.Message{}, err
	}
	m := commerce.Message{ID: RedriveID(dl), Type: dl.Type, Body: dl.Body, Attributes: dl.Attributes}
	if err := q.Publish(ctx, queue, m); err != nil {
		return m, fmt.Errorf("redrive %s/%s: publish: %w", queue, messageID, err)
	}
	ok, err := q.RemoveDeadLetter(ctx, queue, messageID)
	if err != nil {
		return m, fmt.Errorf("redrive %s/%s: remove dead letter: %w", queue, messageID, err)
	}
	if !ok { // another re-drive removed it meanwhile; its publish was the same
		return m, commerce.NotFoundf("no dead letter %s on %s", messageID, queue)
	}
	return m, nil
}

// RedriveID is the message ID a re-driven dead letter is published under:
// its original ID (without an earlier re-drive's suffix) and "~r" with the
// time it was dead-lettered, so IDs stay short however often a message is
// re-driven.
func RedriveID(dl commerce.DeadLetter) string {
	base, _, _ := strings.Cut(dl.ID, "~r")
	return base + "~r" + strconv.FormatInt(dl.DeadLetteredAt.UnixNano(), 36)
}
