package sqlstore

import (
	"context"
	"database/sql"
)

// SetAfterSlotRead sets afterSlotRead for a test and returns what undoes it.
func SetAfterSlotRead(f func(ctx context.Context, tx *sql.Tx, checkoutID string) error) (undo func()) {
	afterSlotRead = f
	return func() { afterSlotRead = nil }
}
