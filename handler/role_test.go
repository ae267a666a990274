package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"shopfn/handler/sqlite"
)

// TestProbes checks the Kubernetes probes of an all-in-one process: the
// readiness probe fails while its store is unreachable and recovers with
// it; the liveness and start-up probes do not look at the store.
func TestProbes(t *testing.T) {
	s := startE2E(t, false)
	for _, path := range []string{"/healthz/live", "/healthz/ready", "/healthz/startup"} {
		e2eWantStatus(t, path, s.do(t, "GET", path, nil), 200)
	}
	db := filepath.Join(s.Config.DataDir, "shopfn.db")
	if err := os.Rename(db, db+".away"); err != nil {
		t.Fatal(err)
	}
	res, err := s.send("GET", "/healthz/ready", nil)
	if err != nil {
		t.Fatal(err)
	}
	e2eWantProblem(t, "ready with the SQLite file gone", res, 503, "unavailable")
	e2eWantStatus(t, "live with the SQLite file gone", s.do(t, "GET", "/healthz/live", nil), 200)
	e2eWantStatus(t, "startup with the SQLite file gone", s.do(t, "GET", "/healthz/startup", nil), 200)
	if err := os.Rename(db+".away", db); err != nil {
		t.Fatal(err)
	}
	e2eWantStatus(t, "ready with the SQLite file back", s.do(t, "GET", "/healthz/ready", nil), 200)
}

// startRole starts a program with role on the data directory dir.
func startRole(tb testing.TB, role Role, dir string) e2eShop {
	tb.Helper()
	return e2eShop{MustRunMainWith(tb, false, func(m *Main) {
		m.Config.Role, m.Config.DataDir = role, dir
	})}
}

// TestRolesShareData runs an api and a worker on one SQLite file, as the
// api + worker split does on one machine: they share the data directory,
// the worker serves only the probes, neither releases the other's
// checkout leases at start, and an all-in-one process is kept out while
// they run (and releases the leases it finds once they are gone).
func TestRolesShareData(t *testing.T) {
	dir := t.TempDir()
	api := startRole(t, RoleAPI, dir)
	api.mustCreateProduct(t, e2eProductInput("shared-tee", "SHARED-1", 1500))
	api.mustSetStock(t, "SHARED-1", 5)
	res := api.moneyCheckout(t, moneyNewRequest(api.moneyCart(t, e2eLine{"SHARED-1", 1}), "pm_card_visa"), "shared-1")
	paid := moneyWantPaid(t, "checkout through the api", res)

	// A lease as a checkout in progress holds it.
	const leased = int64(1) << 60
	if _, err := api.db.Write.Exec(`UPDATE checkouts SET lease_until = ?`, leased); err != nil {
		t.Fatal(err)
	}
	lease := func() int64 {
		t.Helper()
		var n int64
		if err := api.db.Read.QueryRow(`SELECT lease_until FROM checkouts WHERE order_id = ?`, paid.OrderID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	w := startRole(t, RoleWorker, dir)
	if got := lease(); got != leased {
		t.Errorf("lease after a worker started on the shared file = %d, want %d (untouched)", got, leased)
	}
	second := startRole(t, RoleAPI, dir)
	if got := lease(); got != leased {
		t.Errorf("lease after a second api started = %d, want %d (untouched)", got, leased)
	}
	e2eWantStatus(t, "the second api", second.do(t, "GET", "/api/products/shared-tee", nil), 200)

	// The worker serves no API: outside the OpenAPI contract, so asked
	// without the contract-checking transport.
	raw := &http.Client{Transport: http.DefaultTransport}
	if res, err := raw.Get(w.URL + "/api/products"); err != nil {
		t.Fatal(err)
	} else {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		e2eWantProblem(t, "the worker's API", &Response{Status: res.StatusCode, Header: res.Header, Body: body}, 404, "not_found")
	}
	for _, path := range []string{"/healthz/live", "/healthz/ready", "/healthz/startup"} {
		e2eWantStatus(t, "worker "+path, w.do(t, "GET", path, nil), 200)
		e2eWantStatus(t, "api "+path, api.do(t, "GET", path, nil), 200)
	}

	all := &Main{Config: NewTestConfig(t, false), Stdout: io.Discard, Logger: slog.New(slog.DiscardHandler)}
	all.Config.DataDir = dir
	err := all.Run(context.Background())
	all.Close()
	if !errors.Is(err, sqlite.ErrDirLocked) {
		t.Fatalf("an all-in-one process on the shared directory: got %v, want ErrDirLocked", err)
	}

	for _, p := range []e2eShop{second, w, api} {
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
	}
	owner := e2eShop{MustRunMainWith(t, false, func(m *Main) { m.Config.DataDir = dir })}
	var n int64
	if err := owner.db.Read.QueryRow(`SELECT lease_until FROM checkouts WHERE order_id = ?`, paid.OrderID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("lease after an all-in-one process started alone = %d, want 0 (released: its holder is gone)", n)
	}
}
