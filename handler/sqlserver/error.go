package sqlserver

import (
	"errors"
	"slices"
)

// numbered is go-mssqldb's mssql.Error: the server's error number.
type numbered interface{ SQLErrorNumber() int32 }

// Error numbers sqlstore's dialect acts on.
const (
	// errUniqueConstraint and errUniqueIndex are unique violations.
	errUniqueConstraint = 2627
	errUniqueIndex      = 2601
	// errDeadlock: the transaction was chosen as a deadlock victim.
	errDeadlock = 1205
)

// transient are Azure SQL's errors after which the transaction may simply
// run again: the database is moving or busy (Microsoft's list of transient
// errors for retry logic in Azure SQL Database).
var transient = []int32{
	errDeadlock,
	4060,  // cannot open database (during failover)
	40197, // service error processing the request (reconfiguration)
	40501, // service busy
	40613, // database not currently available
	49918, // not enough resources to process the request
	49919, // too many create or update operations in progress
	49920, // too many operations in progress
	10928, // resource limit reached (workers, sessions)
	10929, // minimum guarantee not met; resources busy
	10053, // transport-level error: connection aborted
	10054, // transport-level error: connection reset
	10060, // network error: connection timed out
	233,   // connection initialization error
	64,    // connection lost
	1222,  // lock request time out
}

// number returns the SQL Server error number in err, or 0.
func number(err error) int32 {
	var e numbered
	if errors.As(err, &e) {
		return e.SQLErrorNumber()
	}
	return 0
}

// IsUnique reports whether err is a unique-key violation (2627, 2601).
func IsUnique(err error) bool {
	n := number(err)
	return n == errUniqueConstraint || n == errUniqueIndex
}

// Retryable reports whether err is a deadlock (1205) or a transient Azure
// SQL error, after which the whole transaction may run again.
func Retryable(err error) bool {
	n := number(err)
	return n != 0 && slices.Contains(transient, n)
}
