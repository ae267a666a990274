package events

import "context"

// Consumer is told of each event, at least once: a consumer must make a
// second delivery of one event (the same ID) change nothing. An error asks
// for the event to be handed over again later, with a backoff.
type Consumer interface {
	Handle(ctx context.Context, e Event) error
}
