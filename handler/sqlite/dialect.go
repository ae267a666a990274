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
	Limit:  func(q string) string { return q + " LIMIT ?" },
	Upsert: upsert,
	// One writer at a time: a write transaction holds the whole database.
	LockRows:  "",
	ShareRows: "",
	OneWriter: true,
}

// upsert is INSERT ... ON CONFLICT DO UPDATE ... RETURNING (SQLite 3.35+).
func upsert(u sqlstore.Upsert) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + u.Table + " (" + strings.Join(u.Columns, ", ") + ") VALUES (")
	b.WriteString(strings.TrimSuffix(strings.Repeat("?, ", len(u.Columns)), ", ") + ")")
	b.WriteString(" ON CONFLICT (" + strings.Join(u.Key, ", ") + ") DO UPDATE SET ")
	for i, c := range u.Update {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c + " = excluded." + c)
	}
	for i, c := range u.Increment {
		if i > 0 || len(u.Update) > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c + " = " + u.Table + "." + c + " + excluded." + c)
	}
	if u.UpdateIf != "" {
		b.WriteString(" WHERE " + strings.NewReplacer("OLD.", u.Table+".", "NEW.", "excluded.").Replace(u.UpdateIf))
	}
	if len(u.Returning) > 0 {
		b.WriteString(" RETURNING " + strings.Join(u.Returning, ", "))
	}
	return b.String()
}
