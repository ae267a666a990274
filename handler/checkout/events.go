package checkout

import (
	"context"
	"log/slog"

	"shopfn/handler/commerce"
)

// The business events logged, one line each (Event), as the "event"
// attribute.
const (
	EventPaid      = "paid"
	EventDeclined  = "declined"
	EventRefunded  = "refunded"
	EventCancelled = "cancelled"
	EventFulfilled = "fulfilled"
)

// Event writes the one log line of a business event: what happened and
// for how much, stamped with the trace of ctx. It names no ID (a checkout
// or order ID lets its holder act on it, or read it) and nothing of the
// buyer: no email, name, address or token. attrs add the event's own
// details, such as a decline code.
func Event(ctx context.Context, log *slog.Logger, event string, amount commerce.Money, attrs ...slog.Attr) {
	if log == nil {
		return
	}
	all := append([]slog.Attr{
		slog.String("event", event), slog.Int64("amount", amount.Amount), slog.String("currency", amount.Currency),
	}, attrs...)
	log.LogAttrs(ctx, slog.LevelInfo, "order "+event, all...)
}
