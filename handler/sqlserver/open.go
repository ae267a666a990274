package sqlserver

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "github.com/microsoft/go-mssqldb" // registers the "sqlserver" driver
	"github.com/microsoft/go-mssqldb/azuread"
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

// Open opens a pool on dsn and checks that the server answers.
func Open(ctx context.Context, dsn string) (*sql.DB, error) {
	driver, err := Driver(dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlserver: %w", err)
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlserver: open: %w", err)
	}
	// Azure SQL bounds workers per database (error 10928 past it): keep
	// each instance's share modest, and recycle connections so a
	// failover's new primary is picked up.
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(8)
	db.SetConnMaxLifetime(30 * time.Minute)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlserver: connect (%s driver): %w", driver, err)
	}
	return db, nil
}
