package cosmos

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"shopfn/handler/commerce"
)

// translate turns an azcosmos error into shopfn's: 404 not_found, 409
// conflict, 412 precondition_failed, 429 (already retried by the pipeline)
// unavailable. Anything else is wrapped with what was being done.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	var ce *commerce.Error
	if errors.As(err, &ce) {
		return err
	}
	return statusError(status(err), what, err)
}

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
	if err == nil {
		err = fmt.Errorf("status %d", code)
	}
	return fmt.Errorf("cosmos: %s: %w", what, err)
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
