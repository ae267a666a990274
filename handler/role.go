package main

import (
	"fmt"

	"shopfn/handler/auth"
)

// Role names which parts of shopfn run in this process (SHOPFN_ROLE).
type Role string

// The roles. RoleAll is the default: one process does everything, as on a
// laptop and under the Functions host. RoleAPI and RoleWorker split it for
// AKS: an api Deployment scaled on CPU and a worker Deployment scaled by
// KEDA on queue length, sharing Service Bus and the relational store.
const (
	// RoleAll serves HTTP, relays the outbox (after each commit and every
	// second) and dispatches queue messages to the queue functions.
	RoleAll Role = "all"
	// RoleAPI serves HTTP and kicks the relay after each commit; it neither
	// sweeps the outbox nor receives queue messages.
	RoleAPI Role = "api"
	// RoleWorker sweeps the outbox, receives queue messages, releases
	// expired reservations and carts, and serves only the probes.
	RoleWorker Role = "worker"
)

// loadRole checks SHOPFN_ROLE against the rest of cfg. Every refusal names
// the setting to change.
func loadRole(cfg *Config, get func(name, def string) string, bad func(name, format string, args ...any)) {
	cfg.Role = Role(get("SHOPFN_ROLE", string(RoleAll)))
	switch cfg.Role {
	case RoleAll:
		return
	case RoleAPI, RoleWorker:
	default:
		bad("SHOPFN_ROLE", "%q is not all, api or worker", cfg.Role)
		return
	}
	if cfg.UnderHost {
		bad("SHOPFN_ROLE", "is %s, but the Functions host decides what runs here (its HTTP, Service Bus and timer triggers): leave it unset (all) under the host", cfg.Role)
	}
	if cfg.Queue != "servicebus" {
		bad("SHOPFN_ROLE", "%s needs SHOPFN_QUEUE=servicebus: the embedded queue belongs to one process (SHOPFN_ROLE=all), so an api and a worker can only share Service Bus", cfg.Role)
	}
	if cfg.Payments == "test" && cfg.SQL != "sqlite" {
		bad("SHOPFN_PAYMENTS", "test keeps its payments in the SQLite file of SHOPFN_DATA_DIR, which an api and a worker share only with SHOPFN_SQL=sqlite; with SHOPFN_ROLE=%s and SHOPFN_SQL=%s use stripe", cfg.Role, cfg.SQL)
	}
}

// parts is what runs in a process, decided by its role and settings.
type parts struct {
	// API serves the whole HTTP API; otherwise only the probes.
	API bool
	// Seed loads the sample catalog into an empty store.
	Seed bool
	// Dispatch receives queue messages and runs the queue functions.
	Dispatch bool
	// RelaySweep publishes the outbox every second, not only when kicked
	// after a commit.
	RelaySweep bool
	// Sweep releases reservations whose expiry message never came and
	// deletes expired carts.
	Sweep bool
	// OwnsData says this process alone uses its data directory (an
	// exclusive lock), so the message locks and checkout leases it finds
	// there belong to a process that is gone and may be released at start.
	// An api and a worker share the directory (a shared lock) and leave
	// each other's claims to expire by time.
	OwnsData bool
}

// parts returns what runs in a process with this configuration.
func (cfg Config) parts() parts {
	// Under the host with Service Bus, the host's triggers call the queue
	// functions and its timer calls the relay.
	hostDelivers := cfg.UnderHost && cfg.Queue == "servicebus"
	switch cfg.role() {
	case RoleAPI:
		return parts{API: true, Seed: cfg.Seed}
	case RoleWorker:
		return parts{Dispatch: true, RelaySweep: true, Sweep: true}
	default:
		return parts{API: true, Seed: cfg.Seed, Dispatch: !hostDelivers, RelaySweep: !hostDelivers, Sweep: true, OwnsData: true}
	}
}

// String describes the parts for the start-up line.
func (p parts) String() string {
	return fmt.Sprintf("api %v, dispatcher %v, relay sweep %v, sweepers %v", p.API, p.Dispatch, p.RelaySweep, p.Sweep)
}

// role returns the role, all when none was set (a Config built in a test).
func (cfg Config) role() Role {
	if cfg.Role == "" {
		return RoleAll
	}
	return cfg.Role
}

// announce prints what a person starting shopfn must know: a generated
// admin key, test payments, rate limits, the role and the address.
func (m *Main) announce(testPayments, devSignIn bool) {
	cfg := m.Config
	if cfg.AdminKeyGenerated {
		fmt.Fprintf(m.Stdout, "shopfn: SHOPFN_ADMIN_KEY is not set; admin key for this run: %s\n", cfg.AdminKey)
	}
	if testPayments {
		fmt.Fprintln(m.Stdout, "shopfn: TEST PAYMENTS: no money moves; every checkout is paid by the built-in test provider (set SHOPFN_PAYMENTS=stripe for real payments)")
	}
	if devSignIn {
		fmt.Fprintf(m.Stdout, "shopfn: DEVELOPMENT SIGN-IN: POST %s/token mints a customer token for any email (set SHOPFN_OIDC_ISSUER and SHOPFN_OIDC_AUDIENCE for real sign-in)\n", auth.DevPath)
	}
	if cfg.RateLimit > 0 {
		fmt.Fprintf(m.Stdout, "shopfn: anonymous writes limited to %g/s per client, burst %d (SHOPFN_RATE_LIMIT=0 turns this off)\n", cfg.RateLimit, cfg.RateBurst)
	}
	where := "no embedded data"
	if m.db != nil {
		where = "data in " + cfg.DataDir
	}
	fmt.Fprintf(m.Stdout, "shopfn: role %s (%s); listening on http://%s (%s)\n", cfg.role(), m.parts, m.Addr(), where)
	if m.parts.API && !cfg.UnderHost {
		fmt.Fprintf(m.Stdout, "shopfn: admin console at http://%s/admin/\n", m.Addr())
		if cfg.Storefront {
			fmt.Fprintf(m.Stdout, "shopfn: demo storefront at http://%s/ (SHOPFN_STOREFRONT=off turns it off)\n", m.Addr())
		}
	}
}
