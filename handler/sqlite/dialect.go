package sqlite

import (
	"strings"

	"shopfn/handler/sqlstore"
)

// Dialect is the SQLite dialect of package sqlstore.
var Dialect = sqlstore.Dialect{
	Name:   "sqlite",
	Rebind: func(q string) string { return q },
	IsUnique: func(err error) bool {
		return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
	},
}
