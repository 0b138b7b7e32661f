package provider

import "errors"

// The sentinels below are the vocabulary between providers and the engine.
// A provider returns them, usually wrapped with its own detail
// (fmt.Errorf("vpc %s: %w", id, provider.ErrNotFound)), and the engine checks
// them with errors.Is, never by message text. The engine wraps whatever a
// provider returns into a *formation.Error that keeps the provider's error as
// its cause, so errors.Is(err, provider.ErrTransient) still holds for callers
// of the engine.
var (
	// ErrNotFound means the resource does not exist (any more).
	//
	// Read returns it for a resource deleted out of band; the engine then
	// reports drift and plans to create the resource again. Update returns
	// it when the resource to change is gone. Delete may return it for a
	// resource that is already gone, and the engine treats that as a
	// successful deletion. A data-source read returns it when nothing
	// matches.
	ErrNotFound = errors.New("provider: resource not found")

	// ErrTransient means the operation failed for a reason that may pass
	// (throttling, a timeout, a busy backend) and is worth retrying.
	//
	// The engine retries the same request, with the same idempotency token
	// and the next Attempt number, up to its retry limit; any error not
	// wrapping ErrTransient fails the resource at once.
	ErrTransient = errors.New("provider: transient failure")

	// ErrInvalidConfig means the provider will never accept the
	// configuration as given: a missing or unsupported argument, a value of
	// the wrong type or out of range, an update of an attribute that cannot
	// change in place.
	//
	// Validate returns it during planning, and the engine reports it as a
	// template problem; returned later, from Create or Update, it fails the
	// resource without a retry.
	ErrInvalidConfig = errors.New("provider: invalid configuration")

	// ErrConflict means the resource cannot be created because another
	// resource already holds its identity (a name or id that must be
	// unique), or a token was reused for a different resource. It is not
	// retried.
	ErrConflict = errors.New("provider: conflict")
)
