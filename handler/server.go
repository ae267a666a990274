package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"shopfn/handler/api"
)

// listen opens the listener on Config.Addr.
func (m *Main) listen() error {
	var err error
	if m.listener, err = net.Listen("tcp", m.Config.Addr); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	return nil
}

// serve serves h on the listener until Close.
func (m *Main) serve(h http.Handler) {
	m.server = &http.Server{
		Handler:           withDeadline(h, RequestTimeout),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    4 * api.MaxHeaderBytes, // api answers past api.MaxHeaderBytes with a problem
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	m.served = make(chan error, 1)
	go func() { m.served <- m.server.Serve(m.listener) }()
}

// RequestTimeout bounds each request's work: a store call that meets a
// failover or a serverless database resuming retries until this deadline,
// then answers 503 "unavailable" with Retry-After; a queue function the
// Functions host invokes is abandoned, to be delivered again. It is well
// below WriteTimeout, so that the answer is still written.
const RequestTimeout = 30 * time.Second

// withDeadline runs h with a context that ends d after the request came.
func withDeadline(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Addr returns the address the server listens on.
func (m *Main) Addr() string { return m.listener.Addr().String() }

// Close stops accepting requests, lets in-flight ones and the messages in
// hand finish (up to 20 s), and closes the store. A second call does
// nothing.
func (m *Main) Close() error {
	var errs []error
	m.started.Store(false)
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := m.server.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
		if err := <-m.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("serve: %w", err))
		}
		m.server = nil
	}
	if m.cancel != nil {
		m.cancel()
		m.workers.Wait()
		m.cancel = nil
	}
	if m.metrics != nil {
		if err := m.metrics.Close(); err != nil {
			errs = append(errs, fmt.Errorf("metrics: %w", err))
		}
		m.metrics = nil
	}
	if m.tel != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := m.tel.Shutdown(ctx); err != nil {
			m.Logger.Warn("telemetry shutdown", "err", err)
		}
		m.tel = nil
	}
	if m.closeQueue != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.closeQueue(ctx); err != nil {
			errs = append(errs, fmt.Errorf("close queue: %w", err))
		}
		m.closeQueue = nil
	}
	if m.rel != nil {
		if err := m.rel.Close(); err != nil {
			errs = append(errs, fmt.Errorf("sqlstore: close: %w", err))
		}
		m.rel = nil
	}
	if m.sqlDB != nil {
		if err := m.sqlDB.Close(); err != nil {
			errs = append(errs, fmt.Errorf("sqlserver: close: %w", err))
		}
		m.sqlDB = nil
	}
	if m.db != nil {
		if err := m.db.Close(); err != nil {
			errs = append(errs, err)
		}
		m.db = nil
	}
	if err := m.lock.Unlock(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
