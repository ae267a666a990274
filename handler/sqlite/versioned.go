package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"shopfn/handler/commerce"
)

// versioned is a table of small JSON documents by id with a version for
// conditional writes (id, version, doc): shipping options and tax rates.
// table is a constant of this package, never a client's string.
type versioned struct {
	db    *DB
	table string
	what  string // for errors: "shipping option"
}

// put stores doc under id; with ifMatch, only over the version it names.
// It returns the new ETag.
func (v versioned) put(ctx context.Context, id string, doc []byte, ifMatch string) (string, error) {
	var version int64
	var err error
	if ifMatch == "" {
		err = v.db.Write.QueryRowContext(ctx, `INSERT INTO `+v.table+` (id, version, doc) VALUES (?, 1, ?)
			ON CONFLICT (id) DO UPDATE SET version = version + 1, doc = excluded.doc RETURNING version`, id, doc).Scan(&version)
	} else {
		want, perr := strconv.ParseInt(strings.Trim(ifMatch, `"`), 10, 64)
		if perr != nil {
			want = -1 // matches no row
		}
		err = v.db.Write.QueryRowContext(ctx, `UPDATE `+v.table+` SET version = version + 1, doc = ? WHERE id = ? AND version = ? RETURNING version`,
			doc, id, want).Scan(&version)
		if errors.Is(err, sql.ErrNoRows) {
			return "", commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "%s %s has changed or is gone", v.what, id)
		}
	}
	if err != nil {
		return "", fmt.Errorf("sqlite: put %s %s: %w", v.what, id, err)
	}
	return etag(version), nil
}

// get returns the document under id and its ETag.
func (v versioned) get(ctx context.Context, id string) ([]byte, string, error) {
	var doc []byte
	var version int64
	err := v.db.Read.QueryRowContext(ctx, `SELECT doc, version FROM `+v.table+` WHERE id = ?`, id).Scan(&doc, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", commerce.NotFoundf("%s %q not found", v.what, id)
	}
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: read %s: %w", v.what, err)
	}
	return doc, etag(version), nil
}

// all calls each with every document in id order and its ETag.
func (v versioned) all(ctx context.Context, each func(doc []byte, etag string) error) error {
	rows, err := v.db.Read.QueryContext(ctx, `SELECT doc, version FROM `+v.table+` ORDER BY id`)
	if err != nil {
		return fmt.Errorf("sqlite: list %s: %w", v.what, err)
	}
	defer rows.Close()
	for rows.Next() {
		var doc []byte
		var version int64
		if err := rows.Scan(&doc, &version); err != nil {
			return fmt.Errorf("sqlite: list %s: %w", v.what, err)
		}
		if err := each(doc, etag(version)); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: list %s: %w", v.what, err)
	}
	return nil
}

// delete removes the document under id.
func (v versioned) delete(ctx context.Context, id string) error {
	res, err := v.db.Write.ExecContext(ctx, `DELETE FROM `+v.table+` WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete %s: %w", v.what, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: delete %s: %w", v.what, err)
	} else if n == 0 {
		return commerce.NotFoundf("%s %q not found", v.what, id)
	}
	return nil
}
