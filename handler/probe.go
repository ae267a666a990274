package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// readyTimeout bounds one readiness check of every dependency, under the
// probe's own timeout (Kubernetes' default is one second).
const readyTimeout = 800 * time.Millisecond

// dependency is one store or queue the readiness probe checks.
type dependency struct {
	name  string
	check func(ctx context.Context) error
}

// depend adds a dependency for the readiness probe. The openers call it for
// what they open.
func (m *Main) depend(name string, check func(ctx context.Context) error) {
	m.deps = append(m.deps, dependency{name, check})
}

// ready checks every dependency at once and returns their errors, each
// named. It never changes anything: a failure makes Kubernetes stop sending
// traffic, not restart the pod (that is the liveness probe's, which checks
// nothing).
func (m *Main) ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	errs := make([]error, len(m.deps))
	var wg sync.WaitGroup
	for i, d := range m.deps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.check(ctx); err != nil {
				errs[i] = fmt.Errorf("%s: %w", d.name, err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
