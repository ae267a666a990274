package sqlserver

import (
	"strconv"
	"strings"

	"shopfn/handler/sqlstore"
)

// Dialect is the T-SQL dialect of package sqlstore.
var Dialect = sqlstore.Dialect{
	Name:      "sqlserver",
	Rebind:    rebind,
	IsUnique:  IsUnique,
	Retryable: Retryable,
	Limit:     limit,
	Upsert:    upsert,
	LockRows:  "WITH (UPDLOCK, ROWLOCK)",
	ShareRows: "WITH (HOLDLOCK)",
}

// rebind numbers '?' placeholders as go-mssqldb's @p1, @p2, ... Queries
// in sqlstore never hold '?' in a string literal.
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("@p" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// limit turns "SELECT ... ORDER BY ..." into "SELECT TOP (@pN) ...", N
// being the argument after the query's own, so the arguments keep their
// order as with SQLite's trailing LIMIT.
func limit(q string) string {
	rest, ok := strings.CutPrefix(q, "SELECT ")
	if !ok {
		panic("sqlserver: limit of a query that does not start with SELECT: " + q)
	}
	n := strings.Count(q, "?") + 1
	return "SELECT TOP (@p" + strconv.Itoa(n) + ") " + rest
}

// upsert is MERGE ... WITH (HOLDLOCK): the key-range lock makes the
// match-or-insert atomic against concurrent writers of the same key.
func upsert(u sqlstore.Upsert) string {
	var b strings.Builder
	b.WriteString("MERGE " + u.Table + " WITH (HOLDLOCK) AS target USING (VALUES (")
	b.WriteString(strings.TrimSuffix(strings.Repeat("?, ", len(u.Columns)), ", "))
	b.WriteString(")) AS incoming (" + strings.Join(u.Columns, ", ") + ") ON ")
	for i, k := range u.Key {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString("target." + k + " = incoming." + k)
	}
	b.WriteString(" WHEN MATCHED")
	if u.UpdateIf != "" {
		b.WriteString(" AND " + strings.NewReplacer("OLD.", "target.", "NEW.", "incoming.").Replace(u.UpdateIf))
	}
	b.WriteString(" THEN UPDATE SET ")
	for i, c := range u.Update {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c + " = incoming." + c)
	}
	for i, c := range u.Increment {
		if i > 0 || len(u.Update) > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c + " = target." + c + " + incoming." + c)
	}
	b.WriteString(" WHEN NOT MATCHED THEN INSERT (" + strings.Join(u.Columns, ", ") + ") VALUES (")
	for i, c := range u.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("incoming." + c)
	}
	b.WriteString(")")
	if len(u.Returning) > 0 {
		b.WriteString(" OUTPUT inserted." + strings.Join(u.Returning, ", inserted."))
	}
	b.WriteString(";") // MERGE must end with a semicolon
	return b.String()
}
