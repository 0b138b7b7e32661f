// Package provider defines what the engine needs from a backend that creates,
// reads, updates and deletes resources: the Provider interface, its request
// and response structs, resource schemas, the error sentinels both sides
// understand, and the Registry that maps resource types to providers.
//
// The simplest provider implements the four methods of Provider and nothing
// else; every resource type it serves is then schema-less. Register it under
// the prefix of its resource types:
//
//	var reg provider.Registry
//	reg.Register("huaweicloud", myProvider) // owns huaweicloud_vpc, huaweicloud_vpc_subnet, …
//	p, name, err := reg.Lookup("huaweicloud_vpc") // p == myProvider, name == "huaweicloud"
//
// Package provider/sim is a complete simulated provider for tests,
// simulations and offline previews.
//
// # Optional interfaces
//
// As in database/sql/driver, abilities beyond the four methods are separate
// interfaces that the engine discovers by type assertion, falling back when
// they are absent. A provider should implement:
//
//   - Schemas, so that force-new and computed attributes behave, sensitive
//     values stay hidden and the id attribute has the right name. Without
//     it every type is planned with InferSchema.
//   - SchemaLoader, if loading a type's schema can fail (schemas decoded
//     one type at a time from a document), so that the engine refuses the
//     type's resources instead of planning them schema-less.
//   - Configurer, if templates configure it with a provider block (region,
//     endpoint). Without it, the provider is used as registered.
//   - Validator, if it can refuse configurations its schema accepts.
//   - DataSourceReader, if templates may read data blocks of its types.
//   - ReplaceOrderer, if some types are best replaced by creating the new
//     resource first. Without it every replacement deletes first.
//
// # Who calls what
//
// For each plan and each deployment, the engine looks every provider up by
// type prefix (Registry.Lookup), calls Configure with the template's provider
// block, and from then on uses the configured provider. While planning it
// calls Validate, ReadDataSource, Read (to refresh recorded resources and
// detect drift) and the pure Schemas and ReplaceOrderer methods; it plans
// values with Schema.PlannedValue (or Schema.CoercePlanned),
// Schema.PlannedUpdate and Schema.RequiresReplace. While deploying it calls
// Create, Update and Delete, each at most once at a time per resource, and
// many resources at once.
//
// # Idempotency
//
// The engine records its intent (operation, address, token) before every
// mutating call and the result after it. When it cannot know whether a call
// took effect (a timeout, a transient error, a crash between the call and
// the record) it re-issues the same request with the same Token and the next
// Attempt. So:
//
//   - Create must return the resource it already made for a token it has
//     seen, creating nothing; otherwise a retry creates a duplicate.
//   - Read has no side effects.
//   - Update applied twice with the same Planned value must succeed and
//     return the same state.
//   - Delete of a resource that is already gone must succeed or return
//     ErrNotFound.
//
// # Errors
//
// Providers return the sentinels ErrNotFound, ErrTransient, ErrInvalidConfig
// and ErrConflict, usually wrapped with detail; the engine checks them with
// errors.Is. ErrTransient is the only error the engine retries. Any other
// error fails the resource, and its text becomes the ERROR event's message,
// so make it say what happened in the provider's words. The engine wraps
// provider errors in a *formation.Error that keeps them as the cause.
//
// # Concurrency and cancellation
//
// The engine calls a provider from many goroutines at once, for different
// resources of one stack and for different stacks, so every method must be
// safe for concurrent use. It never calls twice at the same time for the same
// resource. Every method takes a context and must honour it: when ctx is done,
// stop waiting and return an error wrapping ctx.Err(). A mutating call
// cancelled after its side effect is settled by the engine's retry with the
// same token.
//
// # Caveats
//
//   - Address identifies a resource within one stack only; two stacks may
//     both hold huaweicloud_vpc.vpc. Use ID (and Token) for identity.
//   - Values are cty values of the schema's implied type. Create and Update
//     receive unknown values for attributes the provider is to compute, and
//     must return complete objects with no unknowns.
package provider
