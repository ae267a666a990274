package sqlserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "github.com/microsoft/go-mssqldb" // registers the "sqlserver" driver
	"github.com/microsoft/go-mssqldb/azuread"

	"shopfn/handler/sqlstore"
)

// Driver returns the database/sql driver for dsn, a go-mssqldb URL
// ("sqlserver://host?database=shopfn&..."): "azuresql" (package azuread)
// when it has a fedauth parameter, else "sqlserver". The fedauth values
// for Microsoft Entra ID through azidentity are
// ActiveDirectoryManagedIdentity (with "user id" = the client id of a
// user-assigned identity), ActiveDirectoryWorkloadIdentity (AKS) and
// ActiveDirectoryDefault (the default chain: developer credentials on a
// laptop).
func Driver(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme != "sqlserver" || u.Host == "" {
		return "", fmt.Errorf("not a go-mssqldb URL such as sqlserver://host.database.windows.net?database=shopfn&fedauth=ActiveDirectoryManagedIdentity")
	}
	for k, v := range u.Query() {
		if strings.EqualFold(k, "fedauth") && len(v) > 0 && v[0] != "" {
			return azuread.DriverName, nil
		}
	}
	return "sqlserver", nil
}

// Pool is how an instance uses the database: how many connections it
// opens, and how long it waits for the database at start-up.
type Pool struct {
	// MaxConns bounds the instance's open connections (SQLSERVER_MAX_CONNS,
	// default DefaultMaxConns). Azure SQL serves a fixed number of
	// concurrent workers per database, by tier: every instance's MaxConns
	// together must stay within it (README, "Azure SQL").
	MaxConns int
	// StartupTimeout is how long Open waits for the database to answer
	// (SQLSERVER_STARTUP_TIMEOUT, default DefaultStartupTimeout): a
	// failover takes 10-60 s, and a serverless database resuming from
	// auto-pause about a minute.
	StartupTimeout time.Duration
	// Retry paces the start-up attempts; its Budget is StartupTimeout.
	Retry sqlstore.Retry
}

// The defaults of Pool.
const (
	DefaultMaxConns       = 10
	DefaultStartupTimeout = 60 * time.Second
)

// Open opens a pool on dsn, sized by p, and waits until the server answers,
// pinging again after each failure but a definite one (a login refused, a
// database that does not exist) until p.StartupTimeout.
func Open(ctx context.Context, dsn string, p Pool) (*sql.DB, error) {
	driver, err := Driver(dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlserver: %w", err)
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlserver: open: %w", err)
	}
	p.Size(db)
	if err := p.Wait(ctx, Startable, db.PingContext); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlserver: connect (%s driver): %w", driver, err)
	}
	return db, nil
}

// Size sizes db's pool: p.MaxConns connections, kept while in use and for
// a few idle minutes (so that a serverless database whose instances are
// idle can pause), recycled every 30 minutes so that a failover's new
// primary is picked up.
func (p Pool) Size(db *sql.DB) {
	n := p.MaxConns
	if n <= 0 {
		n = DefaultMaxConns
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(30 * time.Minute)
}

// Wait runs fn (a ping, the migrations) until it succeeds, within
// p.StartupTimeout, again after each failure that transient says may pass
// (Startable for a ping, Retryable for a transaction).
func (p Pool) Wait(ctx context.Context, transient func(error) bool, fn func(context.Context) error) error {
	r := p.Retry
	r.Budget = p.StartupTimeout
	if r.Budget <= 0 {
		r.Budget = DefaultStartupTimeout
	}
	if r.Max <= 0 {
		r.Max = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, r.Budget)
	defer cancel()
	return r.Do(ctx, transient, func() error { return fn(ctx) })
}

// Startable reports whether a failure to reach the database at start-up may
// pass: a transient error (Retryable), or one the server did not number (a
// network error: the database's address moves during a failover). A login
// refused or a missing database are numbered, and definite.
func Startable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false
	}
	return Retryable(err) || number(err) == 0
}
