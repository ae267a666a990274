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
	// Events runs the event log's consumers (webhooks, order emails) and
	// the webhook deliveries. They read the relational log, not a queue
	// the host triggers on, so they run under the host too.
	Events bool
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
		return parts{Dispatch: true, RelaySweep: true, Events: true, Sweep: true}
	default:
		return parts{API: true, Seed: cfg.Seed, Dispatch: !hostDelivers, RelaySweep: !hostDelivers, Events: true, Sweep: true, OwnsData: true}
	}
}

// String describes the parts for the start-up line.
func (p parts) String() string {
	return fmt.Sprintf("api %v, dispatcher %v, relay sweep %v, event consumers %v, sweepers %v", p.API, p.Dispatch, p.RelaySweep, p.Events, p.Sweep)
}

// role returns the role, all when none was set (a Config built in a test).
func (cfg Config) role() Role {
	if cfg.Role == "" {
		return RoleAll
	}
	return cfg.Role
}

// announce logs what a person starting shopfn must know, one line each,
// in the format of every other line (JSON off a terminal): a generated
// admin key, test payments, development sign-in, rate limits, the role and
// the address. The generated admin key is the one secret ever logged: it
// exists only for this run, only when none was configured (never under
// the Functions host or with a vault), and whoever starts shopfn needs it.
func (m *Main) announce(testPayments, devSignIn bool) {
	cfg, log := m.Config, m.Logger
	if cfg.AdminKeyGenerated {
		log.Warn("SHOPFN_ADMIN_KEY is not set; admin key for this run", "admin_key", cfg.AdminKey)
	}
	if testPayments {
		log.Warn("TEST PAYMENTS: no money moves; every checkout is paid by the built-in test provider (set SHOPFN_PAYMENTS=stripe for real payments)")
	}
	if devSignIn {
		log.Warn("DEVELOPMENT SIGN-IN: POST " + auth.DevPath + "/token mints a customer token for any email (set SHOPFN_OIDC_ISSUER and SHOPFN_OIDC_AUDIENCE for real sign-in)")
	}
	if cfg.RateLimit > 0 {
		log.Info("anonymous writes are rate limited per client (SHOPFN_RATE_LIMIT=0 turns this off)", "per_second", cfg.RateLimit, "burst", cfg.RateBurst)
	}
	attrs := []any{"role", string(cfg.role()), "parts", m.parts.String(), "url", "http://" + m.Addr()}
	if m.db != nil {
		attrs = append(attrs, "data_dir", cfg.DataDir)
	}
	log.Info("listening", attrs...)
	if m.parts.API && !cfg.UnderHost {
		log.Info("admin console", "url", "http://"+m.Addr()+"/admin/")
		if cfg.Storefront {
			log.Info("demo storefront (SHOPFN_STOREFRONT=off turns it off)", "url", "http://"+m.Addr()+"/")
		}
	}
}
