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

// RemoveDeadLetter removes the oldest dead letter of queue with messageID;
// it reports false when there is none. Service Bus removes a message only
// by receiving it, and receives oldest first: the dead letters received
// before it are abandoned again, which raises their Service Bus delivery
// count (not the DeliveryCount shopfn shows for a message it dead-lettered).
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
	for {
		wait, cancel := context.WithTimeout(ctx, max(q.opts.ReceiveWait, 5*time.Second))
		got, err := r.r.ReceiveMessages(wait, peekPage, nil)
		cancel()
		if err != nil && !(errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil) {
			return false, translate("remove dead letter", queue, err)
		}
		if len(got) == 0 {
			return false, nil // locked by another receiver, or gone
		}
		found, past := false, false
		for _, m := range got {
			switch {
			case seq(m) == seq(target):
				if err := r.r.CompleteMessage(ctx, m, nil); err != nil {
					return false, translate("remove dead letter", queue, err)
				}
				found = true
			default:
				past = past || seq(m) > seq(target)
				if err := r.r.AbandonMessage(ctx, m, nil); err != nil {
					return found, translate("remove dead letter", queue, err)
				}
			}
		}
		if found || past {
			return found, nil
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
