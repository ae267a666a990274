package cosmos

import (
	"net/http"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"shopfn/handler/commerce"
)

// These cases are the batch answers the real service gives (a failed
// operation, 424 for the others, nothing written) and that the local peer
// cannot produce, since its batches are not atomic.
func TestCommitResult(t *testing.T) {
	results := func(codes ...int32) azcosmos.TransactionalBatchResponse {
		r := azcosmos.TransactionalBatchResponse{Success: true}
		for i, c := range codes {
			if c >= 300 {
				r.Success = false
			}
			r.OperationResults = append(r.OperationResults, azcosmos.TransactionalBatchResult{StatusCode: c, ETag: azcore.ETag([]string{`"e0"`, `"e1"`}[i])})
		}
		return r
	}
	tests := []struct {
		name      string
		resp      azcosmos.TransactionalBatchResponse
		counted   bool
		wantETag  string
		wantRetry bool
		wantCode  string
	}{
		{"product alone", results(201), false, `"e0"`, false, ""},
		{"count then product", results(200, 200), true, `"e1"`, false, ""},
		{"count raced, product not tried", results(412, 424), true, "", true, commerce.CodePreconditionFailed},
		{"count created by another writer", results(409, 424), true, "", true, commerce.CodeConflict},
		{"product exists", results(424, 409), true, "", false, commerce.CodeConflict},
		{"product changed", results(424, 412), true, "", false, commerce.CodePreconditionFailed},
		{"product gone", results(404), false, "", false, commerce.CodeNotFound},
		{"throttled", results(429), false, "", false, commerce.CodeUnavailable},
		{"failed without a cause", azcosmos.TransactionalBatchResponse{Success: false, OperationResults: []azcosmos.TransactionalBatchResult{{StatusCode: 424}}}, false, "", false, commerce.CodeInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			etag, retry, err := commitResult(tt.resp, tt.counted, "home")
			if etag != tt.wantETag || retry != tt.wantRetry {
				t.Errorf("got ETag %q retry %v, want %q %v", etag, retry, tt.wantETag, tt.wantRetry)
			}
			if got := errorCode(err); got != tt.wantCode {
				t.Errorf("got error %v (code %q), want code %q", err, got, tt.wantCode)
			}
		})
	}
}

// errorCode is commerce.ErrorCode, with "" for no error.
func errorCode(err error) string {
	if err == nil {
		return ""
	}
	return commerce.ErrorCode(err)
}

func TestStatusError(t *testing.T) {
	for code, want := range map[int]commerce.Kind{
		http.StatusNotFound:           commerce.KindNotFound,
		http.StatusConflict:           commerce.KindConflict,
		http.StatusPreconditionFailed: commerce.KindPrecondition,
		http.StatusTooManyRequests:    commerce.KindUnavailable,
		http.StatusServiceUnavailable: commerce.KindUnavailable,
		http.StatusRequestTimeout:     commerce.KindUnavailable,
		http.StatusForbidden:          commerce.KindInternal,
	} {
		if got := commerce.ErrorKind(statusError(code, "thing", nil)); got != want {
			t.Errorf("status %d: got kind %v, want %v", code, got, want)
		}
	}
}
