package cosmos

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"shopfn/handler/commerce"
)

// translate turns an azcosmos error into shopfn's: 404 not_found, 409
// conflict, 412 precondition_failed; 429, 408, 5xx and transport failures
// (already retried by the pipeline) unavailable, keeping the cause for
// the log. The caller's own cancellation passes through. Anything else is
// wrapped with what was being done.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	var ce *commerce.Error
	if errors.As(err, &ce) || errors.Is(err, context.Canceled) {
		return err
	}
	if code := status(err); code >= 500 {
		return unavailable(what, err) // answered by the service: 500, 502, 503, 504
	} else if code != 0 {
		return statusError(code, what, err)
	}
	if unavailableCause(err) {
		return unavailable(what, err)
	}
	return fmt.Errorf("cosmos: %s: %w", what, err)
}

// unavailable is the error for a call Cosmos DB did not answer, or
// answered it could not serve, after the retries: 503 "unavailable".
func unavailable(what string, cause error) error {
	return &wrapped{commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "%s: Cosmos DB is unavailable; retry later", what), cause}
}

// wrapped is a commerce error that keeps azcosmos's error for the log.
type wrapped struct {
	err   *commerce.Error
	cause error
}

func (w *wrapped) Error() string   { return fmt.Sprintf("%v: %v", w.err, w.cause) }
func (w *wrapped) Unwrap() []error { return []error{w.err, w.cause} }

// statusError is the shopfn error for a Cosmos DB status code, wrapping err
// (which may be nil) when the status is not one shopfn knows.
func statusError(code int, what string, err error) error {
	switch code {
	case http.StatusNotFound:
		return commerce.NotFoundf("%s: not found", what)
	case http.StatusConflict:
		return commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "%s: already exists", what)
	case http.StatusPreconditionFailed:
		return commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "%s has changed", what)
	case http.StatusTooManyRequests:
		return commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "%s: Cosmos DB is throttling requests; retry later", what)
	}
	if code == http.StatusRequestTimeout || code == http.StatusServiceUnavailable {
		return unavailable(what, cmpOr(err, fmt.Errorf("status %d", code)))
	}
	return fmt.Errorf("cosmos: %s: %w", what, cmpOr(err, fmt.Errorf("status %d", code)))
}

// cmpOr returns err, or def when err is nil.
func cmpOr(err, def error) error {
	if err != nil {
		return err
	}
	return def
}

// batchFailure returns the index and status of the operation that made a
// batch fail: the first result that is neither a success nor 424 (failed
// dependency), as the service reports. It returns -1 when every operation
// succeeded.
func batchFailure(resp azcosmos.TransactionalBatchResponse) (index, code int) {
	for i, r := range resp.OperationResults {
		if r.StatusCode >= 300 && r.StatusCode != http.StatusFailedDependency {
			return i, int(r.StatusCode)
		}
	}
	if !resp.Success {
		return len(resp.OperationResults), http.StatusInternalServerError
	}
	return -1, 0
}
