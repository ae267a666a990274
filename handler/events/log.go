package events

import (
	"context"
	"time"
)

// Record is one event as the log keeps it: its global position, which
// rises by one with each event written, in commit order, and the event.
type Record struct {
	Position int64
	Event    Event
}

// Filter selects events of the log: those after position After (0: from
// the oldest kept), of one of Types (none: every type), at most Limit.
type Filter struct {
	After int64
	Types []Type
	Limit int
}

// Log is the event log a store writes, in the transaction of each change,
// and its readers' durable positions. Implementations: sqlstore.EventStore
// (SQLite and Azure SQL).
type Log interface {
	// Events returns the events f selects, oldest first.
	Events(ctx context.Context, f Filter) ([]Record, error)
	// Head returns the position of the last event written (0: none).
	Head(ctx context.Context) (int64, error)
	// Oldest returns the position of the oldest event kept: the head + 1
	// when every event was purged (1 when none was ever written). A cursor
	// below Oldest - 1 had events after it purged.
	Oldest(ctx context.Context) (int64, error)
	// Position returns the durable position of a consumer: the last event
	// it handled. A consumer the log has never seen starts at the head,
	// recorded at once, so that it hears every later event and none of
	// the history.
	Position(ctx context.Context, consumer string) (int64, error)
	// SetPosition moves a consumer's position forward to position; a lower
	// position than the stored one changes nothing.
	SetPosition(ctx context.Context, consumer string, position int64) error
	// Purge deletes up to limit events written before before that every
	// consumer has handled, and returns how many it deleted.
	Purge(ctx context.Context, before time.Time, limit int) (int64, error)
}
