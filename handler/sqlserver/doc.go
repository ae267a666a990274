// Package sqlserver runs shopfn's relational store (package sqlstore) on
// Azure SQL Database or SQL Server through go-mssqldb: the T-SQL Dialect,
// the schema as versioned migrations embedded in the binary, and the opener
// that picks the azuread driver for Microsoft Entra ID sign-in.
//
// Correctness with many instances rests on sqlstore's rule that every
// decision is one conditional statement or a key violation, which holds
// under READ COMMITTED SNAPSHOT (Azure SQL's default); upserts are MERGE
// WITH (HOLDLOCK), and a transaction that lost a deadlock (1205) or met a
// transient Azure SQL error is run again with backoff.
//
// What was tested against what: no SQL Server runs on the machines that
// build shopfn, so every statement sqlstore generates through this dialect,
// and every migration, is parsed by sqlfluff's tsql dialect in this
// package's tests, and the shared code path runs on SQLite in every
// `go test`. The conformance suites run against a real server only when
// SHOPFN_TEST_SQLSERVER_DSN is set.
package sqlserver
