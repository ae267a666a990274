package servicebus

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus"

	"shopfn/handler/commerce"
)

// peekPage is how many dead letters one peek reads.
const peekPage = 100

// DeadLetters peeks at up to limit messages of the queue's dead-letter
// sub-queue, oldest first. Service Bus does not record when a message was
// dead-lettered: DeadLetteredAt is its enqueue time.
func (q *Queue) DeadLetters(ctx context.Context, queue string, limit int) ([]commerce.DeadLetter, error) {
	got, err := q.peekDead(ctx, queue, 0, limit)
	if err != nil {
		return nil, err
	}
	out := []commerce.DeadLetter{}
	for _, m := range got {
		out = append(out, toDeadLetter(queue, m))
	}
	return out, nil
}

// DeadLetter returns the oldest dead letter of queue with messageID, or
// "not_found". It peeks through the dead-letter sub-queue.
func (q *Queue) DeadLetter(ctx context.Context, queue, messageID string) (commerce.DeadLetter, error) {
	m, err := q.findDead(ctx, queue, messageID)
	if err != nil {
		return commerce.DeadLetter{}, err
	}
	return toDeadLetter(queue, m), nil
}

// maxRemoveAhead bounds how many dead letters ahead of its target
// RemoveDeadLetter receives (and holds locked) to reach it.
const maxRemoveAhead = 2000

// RemoveDeadLetter removes the oldest dead letter of queue with messageID;
// it reports false when there is none. Service Bus removes a message only
// by receiving it, and receives oldest first (receiving by sequence number
// works only for deferred messages): it peeks for the target's sequence
// number, then receives pages from the head and holds the dead letters ahead
// of the target locked, so each page is new, until it receives the target,
// one past it, nothing, or maxRemoveAhead. It completes the target and
// abandons the others once; an abandon raises Service Bus's delivery count,
// so it records the count shopfn shows first (DeadLetters is unchanged).
// A target still there but not received (locked by another receiver, or
// too far behind) is a "conflict" error.
func (q *Queue) RemoveDeadLetter(ctx context.Context, queue, messageID string) (bool, error) {
	target, err := q.findDead(ctx, queue, messageID)
	if commerce.ErrorCode(err) == commerce.CodeNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	r, err := q.receiver(queue, true)
	if err != nil {
		return false, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var held []*azservicebus.ReceivedMessage
	defer func() { q.release(ctx, queue, r.r, held) }()
	want, past := seq(target), false
	for !past && len(held) < maxRemoveAhead {
		wait, cancel := context.WithTimeout(ctx, max(q.opts.ReceiveWait, 5*time.Second))
		got, err := r.r.ReceiveMessages(wait, min(peekPage, maxRemoveAhead-len(held)+1), nil)
		cancel()
		if err != nil && !(errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil) {
			held = append(held, got...)
			return false, translate("remove dead letter", queue, err)
		}
		if len(got) == 0 {
			break
		}
		var found *azservicebus.ReceivedMessage
		for _, m := range got {
			if seq(m) == want {
				found = m
				continue
			}
			past = past || seq(m) > want
			held = append(held, m)
		}
		if found != nil {
			if err := r.r.CompleteMessage(ctx, found, nil); err != nil {
				held = append(held, found)
				return false, translate("remove dead letter", queue, err)
			}
			return true, nil
		}
	}
	still, err := q.peekDead(ctx, queue, want, 1)
	if err != nil {
		return false, err
	}
	if len(still) == 0 || seq(still[0]) != want {
		return false, nil // removed meanwhile
	}
	if len(held) >= maxRemoveAhead {
		return false, commerce.Errorf(commerce.KindConflict, commerce.CodeConflict,
			"dead letter %s on %s is behind more than %d others: re-drive or remove older ones first", messageID, queue, maxRemoveAhead)
	}
	return false, commerce.Errorf(commerce.KindConflict, commerce.CodeConflict,
		"dead letter %s on %s is locked by another receiver (a re-drive under way?); retry later", messageID, queue)
}

// release abandons dead letters RemoveDeadLetter held, first recording the
// DeliveryCount shopfn shows for them so the abandon does not change it. It
// goes on when ctx is canceled; a dead letter it cannot abandon is released
// when its lock expires.
func (q *Queue) release(ctx context.Context, queue string, r *azservicebus.Receiver, held []*azservicebus.ReceivedMessage) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	for _, m := range held {
		props := map[string]any{propDeadCount: strconv.Itoa(toDeadLetter(queue, m).DeliveryCount)}
		if err := r.AbandonMessage(ctx, m, &azservicebus.AbandonMessageOptions{PropertiesToModify: props}); err != nil && ctx.Err() != nil {
			return
		}
	}
}

// findDead peeks through the queue's dead letters for the oldest with
// messageID.
func (q *Queue) findDead(ctx context.Context, queue, messageID string) (*azservicebus.ReceivedMessage, error) {
	from := int64(0)
	for {
		got, err := q.peekDead(ctx, queue, from, peekPage)
		if err != nil {
			return nil, err
		}
		for _, m := range got {
			if fromSDK(m).ID == messageID {
				return m, nil
			}
			from = seq(m) + 1
		}
		if len(got) < peekPage {
			return nil, commerce.NotFoundf("no dead letter %s on %s", messageID, queue)
		}
	}
}

// peekDead peeks at up to n dead letters of queue from a sequence number.
func (q *Queue) peekDead(ctx context.Context, queue string, from int64, n int) ([]*azservicebus.ReceivedMessage, error) {
	r, err := q.receiver(queue, true)
	if err != nil {
		return nil, err
	}
	got, err := r.r.PeekMessages(ctx, n, &azservicebus.PeekMessagesOptions{FromSequenceNumber: &from})
	if err != nil {
		return nil, translate("dead letters", queue, err)
	}
	return got, nil
}

// toDeadLetter maps a peeked dead letter. Its DeliveryCount is the one
// Abandon or Receive recorded when shopfn dead-lettered it; when Service Bus
// did (the lock expired on the last delivery), it is Service Bus's count of
// failed deliveries, which a peek shows one higher.
func toDeadLetter(queue string, m *azservicebus.ReceivedMessage) commerce.DeadLetter {
	cm := fromSDK(m)
	if s, ok := m.ApplicationProperties[propDeadCount].(string); ok {
		cm.DeliveryCount, _ = strconv.Atoi(s)
	} else {
		cm.DeliveryCount--
	}
	dl := commerce.DeadLetter{Queue: queue, ID: cm.ID, Type: cm.Type, Body: cm.Body, Attributes: cm.Attributes,
		DeliveryCount: cm.DeliveryCount, EnqueuedAt: cm.EnqueuedAt, DeadLetteredAt: cm.EnqueuedAt}
	if m.DeadLetterReason != nil {
		dl.Reason = *m.DeadLetterReason
	}
	return dl
}
