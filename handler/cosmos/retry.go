package cosmos

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// RetryOptions bound how a call answered 503 or 408, or cut off by the
// network or its per-try timeout, is tried again. Zero fields take the
// defaults in parentheses.
type RetryOptions struct {
	// MaxAttempts is how often a call is tried in all (6).
	MaxAttempts int
	// BaseDelay is the wait after the first failure, doubled after each
	// further one and jittered by ±50% (100 ms); MaxDelay caps it (2 s).
	BaseDelay, MaxDelay time.Duration
	// TryTimeout bounds each try (10 s): a peer that stops answering is a
	// failure to retry, not a request that hangs.
	TryTimeout time.Duration
	// Budget bounds all the tries of a call whose context has no deadline
	// (20 s); with a deadline, no wait is begun that would end past it.
	Budget time.Duration
}

func (o RetryOptions) withDefaults() RetryOptions {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 6
	}
	def(&o.BaseDelay, 100*time.Millisecond)
	def(&o.MaxDelay, 2*time.Second)
	def(&o.TryTimeout, 10*time.Second)
	def(&o.Budget, 20*time.Second)
	return o
}

// retryPolicy tries a call to Cosmos DB again after a 503, a 408, a
// transport failure or a try that timed out, with jittered exponential
// backoff, when trying again cannot write twice:
//
//   - reads and queries, always;
//   - replaces, patches, deletes and upserts, always: applied twice they
//     leave what applying them once does. A replace conditional on an ETag
//     that was applied by the try that failed answers 412 to the next; the
//     adapter tells that from a lost race (replaceItem);
//   - creates, only when the caller can tell its own create from another's
//     (createItem marks the context with a writeNote), or when the request
//     provably never left (connection refused);
//   - transactional batches and everything else, only when the request
//     never left: a batch applied by the try that failed answers 409 or
//     412 to the next, and which writer that was cannot be told.
//
// Throttling (429) is not its concern: azcore's retry policy, inside this
// one, waits x-ms-retry-after-ms.
type retryPolicy struct {
	o RetryOptions
}

// Do sends the request, trying again as the policy allows.
func (p retryPolicy) Do(req *policy.Request) (*http.Response, error) {
	o := p.o.withDefaults()
	ctx := req.Raw().Context()
	deadline := time.Now().Add(o.Budget)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	kind := classify(req.Raw())
	note, _ := ctx.Value(writeNoteKey{}).(*writeNote)
	for attempt := 1; ; attempt++ {
		if err := req.RewindBody(); err != nil {
			return nil, err
		}
		resp, err := p.try(req, min(o.TryTimeout, time.Until(deadline)))
		if ctx.Err() != nil || !transient(resp, err) {
			return resp, err
		}
		sent := err == nil || !notSent(err)
		if !kind.retriable(sent, note != nil) {
			return resp, err
		}
		delay := backoff(o, attempt)
		if attempt >= o.MaxAttempts || time.Now().Add(delay).After(deadline) {
			return resp, err
		}
		if sent && kind != kindRead && note != nil {
			note.ambiguous.Store(true)
		}
		if resp != nil {
			resp.Body.Close()
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return resp, err
		case <-t.C:
		}
	}
}

// try sends the request once, bounded by timeout, with its body read
// whole before the try's context ends.
func (p retryPolicy) try(req *policy.Request, timeout time.Duration) (*http.Response, error) {
	if timeout <= 0 {
		return nil, context.DeadlineExceeded
	}
	ctx, cancel := context.WithTimeout(req.Raw().Context(), timeout)
	defer cancel()
	resp, err := req.Clone(ctx).Next()
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// backoff is the wait before try attempt+1.
func backoff(o RetryOptions, attempt int) time.Duration {
	d := o.BaseDelay << (attempt - 1)
	if d > o.MaxDelay || d <= 0 {
		d = o.MaxDelay
	}
	return d/2 + rand.N(d)
}

// requestKind says how safe a request is to send again.
type requestKind int

const (
	kindRead       requestKind = iota // GET, queries
	kindIdempotent                    // PUT, PATCH, DELETE, upsert
	kindCreate                        // POST of a new item
	kindOther                         // batches, stored procedures, anything else
)

// classify returns the kind of r, by its method and azcosmos's headers.
func classify(r *http.Request) requestKind {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return kindRead
	case http.MethodPut, http.MethodPatch, http.MethodDelete:
		return kindIdempotent
	case http.MethodPost:
		switch {
		case strings.EqualFold(r.Header.Get("x-ms-documentdb-query"), "true"):
			return kindRead
		case strings.EqualFold(r.Header.Get("x-ms-cosmos-is-batch-request"), "true"):
			return kindOther
		case strings.EqualFold(r.Header.Get("x-ms-documentdb-is-upsert"), "true"):
			return kindIdempotent
		case strings.HasSuffix(strings.TrimSuffix(r.URL.Path, "/"), "/docs"):
			return kindCreate
		}
	}
	return kindOther
}

// retriable says whether a request of kind k may be tried again after a
// transient failure: sent says it may have reached the service, tellable
// that its caller can tell its own create from another's.
func (k requestKind) retriable(sent, tellable bool) bool {
	switch k {
	case kindRead, kindIdempotent:
		return true
	case kindCreate:
		return tellable || !sent
	}
	return !sent
}

// transient reports whether a try's outcome is worth another: 503, 408,
// or a transport failure (a reset, a refused connection, a timeout).
func transient(resp *http.Response, err error) bool {
	if code := statusOf(resp, err); code != 0 {
		return code == http.StatusServiceUnavailable || code == http.StatusRequestTimeout
	}
	return err != nil && transportFailure(err)
}

// statusOf returns a try's HTTP status, from its response or its
// azcore.ResponseError, or 0.
func statusOf(resp *http.Response, err error) int {
	if resp != nil {
		return resp.StatusCode
	}
	return status(err)
}

// transportFailure reports whether err says the network or a try's
// deadline failed the request, rather than the service answering it.
func transportFailure(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) ||
		errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
}

// notSent reports whether err proves the request never reached the
// service: the connection was refused or could not be dialled.
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// writeNote rides in a write's context: its presence tells retryPolicy
// that the caller can tell its own earlier try from another writer's, and
// ambiguous records that a try that may have been applied failed before
// the one that answered.
type writeNote struct{ ambiguous atomic.Bool }

type writeNoteKey struct{}

// withWriteNote returns ctx carrying a new writeNote.
func withWriteNote(ctx context.Context) (context.Context, *writeNote) {
	n := &writeNote{}
	return context.WithValue(ctx, writeNoteKey{}, n), n
}

// unavailableCause reports whether err, from azcosmos, means Cosmos DB
// could not be reached or answered it is unavailable, after the retries.
func unavailableCause(err error) bool {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.StatusCode == http.StatusTooManyRequests || re.StatusCode >= 500 || re.StatusCode == http.StatusRequestTimeout
	}
	return transportFailure(err)
}
