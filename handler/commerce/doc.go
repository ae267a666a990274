// Package commerce holds shopfn's domain types, the store interfaces the
// adapters implement, and the error codes every layer speaks.
//
// It imports only the standard library. Adapters (sqlite, cosmos, sqlserver)
// implement the interfaces; the api package turns errors into HTTP responses.
package commerce
