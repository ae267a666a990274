package sqlite

import (
	"errors"
	"time"

	"shopfn/handler/commerce"
)

// Observe, when set, is told of every call to a document store: what it
// was ("sqlite.read cart", never an id), how long it took, and its error
// (telemetry's StoreCall). A *commerce.Error (not found, a changed ETag)
// is the store's answer, not a failure, and is passed as nil.
type Observe func(op string, d time.Duration, err error)

// call tells o of the call op that started at start and ended with *err;
// it does nothing when o is nil. Deferred at the top of each method.
func (o Observe) call(op string, start time.Time, err *error) {
	if o == nil {
		return
	}
	e := *err
	if ce := (*commerce.Error)(nil); errors.As(e, &ce) {
		e = nil
	}
	o(op, time.Since(start), e)
}
