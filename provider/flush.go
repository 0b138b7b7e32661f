package provider

import "context"

// Flusher is implemented by a provider that may hold the effects of its
// calls before making them durable (the simulated provider's persisted
// world, written in groups). The engine calls Flush before it commits
// records that refer to what earlier calls returned, so that a crash never
// leaves a record of a resource the provider has lost. A Flush makes every
// call that returned before it durable, for this provider and every one
// Configure made from it.
type Flusher interface {
	Flush(ctx context.Context) error
}
