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
	"shopfn/handler/telemetry"
)

// listen opens the listener on Config.Addr.
func (m *Main) listen() error {
	var err error
	if m.listener, err = net.Listen("tcp", m.Config.Addr); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	return nil
}

// shutdownGrace is the longest Close waits for the requests in flight.
const shutdownGrace = 20 * time.Second

// requestTimeout is how long a request may run (api.Config.RequestTimeout).
func (m *Main) requestTimeout() time.Duration {
	if m.Config.RequestTimeout > 0 {
		return m.Config.RequestTimeout
	}
	return api.DefaultRequestTimeout
}

// serve serves h on the listener until Close. Every request's context
// derives from one that Close cancels, and ends at the request deadline
// (api.Server), so that no request outlives shutting down.
func (m *Main) serve(h http.Handler) {
	base, stop := context.WithCancel(context.Background())
	m.stopRequests = stop
	m.server = &http.Server{
		Handler:           h,
		BaseContext:       func(net.Listener) context.Context { return base },
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      max(60*time.Second, m.requestTimeout()+10*time.Second), // past the request deadline, to write its 503
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    4 * api.MaxHeaderBytes, // api answers past api.MaxHeaderBytes with a problem
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	m.served = make(chan error, 1)
	go func() { m.served <- m.server.Serve(m.listener) }()
}

// Addr returns the address the server listens on.
func (m *Main) Addr() string { return m.listener.Addr().String() }

// Close stops accepting requests, lets in-flight ones finish (up to 20 s,
// or the request deadline when it is shorter) and then cancels them and
// closes their connections, lets the messages in hand finish, and closes
// the store. A second call does nothing.
func (m *Main) Close() error {
	var errs []error
	m.started.Store(false)
	// One line when shutting down starts and one when it is done, in the
	// format of every other line; a second call writes neither.
	if m.server != nil {
		begun := time.Now()
		m.Logger.Info("shutting down: finishing the requests in flight", "grace_ms", min(shutdownGrace, m.requestTimeout()).Milliseconds())
		defer func() {
			m.Logger.Info("stopped", "took_ms", telemetry.TookMS(time.Since(begun)), "clean", len(errs) == 0)
		}()
	}
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), min(shutdownGrace, m.requestTimeout()))
		defer cancel()
		if err := m.server.Shutdown(ctx); err != nil {
			m.stopRequests()
			m.server.Close()
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
		m.stopRequests()
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
