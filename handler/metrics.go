package main

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"shopfn/handler/api"
)

// serveMetrics serves GET /metrics without a key on addr, for a scraper
// inside the cluster; the main address serves it behind the admin key.
func (m *Main) serveMetrics(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on SHOPFN_METRICS_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.tel.Scrape())
	m.metrics, m.metricsLn = &http.Server{Handler: api.SecurityHeaders(mux), ReadHeaderTimeout: 10 * time.Second}, ln
	go m.metrics.Serve(ln)
	m.Logger.Info("serving metrics without a key", "url", "http://"+ln.Addr().String()+"/metrics")
	return nil
}

// MetricsAddr returns the address of the keyless metrics listener, or ""
// when SHOPFN_METRICS_ADDR is not set.
func (m *Main) MetricsAddr() string {
	if m.metricsLn == nil {
		return ""
	}
	return m.metricsLn.Addr().String()
}
