package servicebus

import (
	"context"
	"errors"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus"
	"github.com/Azure/go-amqp"

	"shopfn/handler/commerce"
)

// translate turns an SDK error into a commerce error: a lost lock is
// KindConflict "lock_lost", an unknown queue KindNotFound, an outage or a
// refused credential KindUnavailable. Cancellation passes through.
func translate(op, queue string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var sbErr *azservicebus.Error
	if errors.As(err, &sbErr) {
		switch sbErr.Code {
		case azservicebus.CodeLockLost:
			return commerce.Errorf(commerce.KindConflict, commerce.CodeLockLost, "%s on %s: the message's lock was lost", op, queue)
		case azservicebus.CodeNotFound:
			return notFound(op, queue, err)
		case azservicebus.CodeUnauthorizedAccess:
			return &wrapped{commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "%s on %s: access refused", op, queue), err}
		}
	}
	var linkErr *amqp.LinkError
	if errors.As(err, &linkErr) && linkErr.RemoteErr != nil && linkErr.RemoteErr.Condition == amqp.ErrCondNotFound {
		return notFound(op, queue, err)
	}
	var amqpErr *amqp.Error
	if errors.As(err, &amqpErr) && amqpErr.Condition == amqp.ErrCondNotFound {
		return notFound(op, queue, err)
	}
	return &wrapped{commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "%s on %s: Service Bus failed", op, queue), err}
}

func notFound(op, queue string, err error) error {
	return &wrapped{commerce.Errorf(commerce.KindNotFound, commerce.CodeNotFound, "%s: queue %s does not exist", op, queue), err}
}

// wrapped is a commerce error that keeps the SDK's error for the log.
type wrapped struct {
	err   *commerce.Error
	cause error
}

func (w *wrapped) Error() string   { return fmt.Sprintf("%v: %v", w.err, w.cause) }
func (w *wrapped) Unwrap() []error { return []error{w.err, w.cause} }
