// Package sim is a simulated provider: a deterministic, in-process stand-in
// for a cloud that the engine deploys to in tests, simulations and offline
// previews. It is a product in its own right, not a test double: it keeps a
// world of resources (in memory, or persisted so separate processes share
// it), takes latency and faults as data, lets resources drift, and records
// every call.
//
// The simplest use is schema-less: every resource type is accepted, every
// configured attribute is stored, and "id" is computed.
//
//	p, _ := sim.New(sim.Config{Seed: 1})
//	resp, _ := p.Create(ctx, provider.CreateRequest{
//		TypeName: "huaweicloud_vpc", Address: "huaweicloud_vpc.vpc",
//		Config: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("vpc")}),
//		Token:  "deployment-1/huaweicloud_vpc.vpc",
//	})
//	// resp.ID is a UUID derived from the seed and the token.
//
// With Config.ProviderSchemas a provider's real schema (Terraform's
// `terraform providers schema -json` document, read by package tfschema)
// declares its resource and data source types: configurations are checked
// as the provider checks them, computed attributes are generated with the
// right types, and data sources are answered with objects of the schema's
// shape, generated from the seed and the arguments where no fixture or
// resource answers. With Config.UseCatalog the four Huawei Cloud network
// types the quickstart uses (Catalog) are declared as the provider declares
// them, for when no schema file is at hand; a provider schema overrides
// them type by type. Config.Schemas declares further types.
//
// # Determinism
//
// Nothing depends on the wall clock or on global randomness. Ids derive from
// the seed and the idempotency token; the draws of probabilistic faults and
// of latency jitter derive from the seed and the call (operation, type,
// address, token, attempt), not from a shared generator, so they do not
// depend on the order in which concurrent calls arrive. The same seed and the
// same calls give the same ids, the same outcomes and the same recorded
// calls. Only the order of Calls follows the order in which calls finish.
//
// # Idempotency
//
// A Create with a token the provider has seen returns the resource made for
// it, creates nothing and is recorded as Replayed. That holds across
// processes when the world is persisted, which is what lets the engine
// recover from a crash without duplicating a resource. A token whose resource
// has since been deleted makes a new resource, with a new id.
//
// # Latency and time
//
// Config.Latency gives calls a duration, fixed or with seeded jitter, per
// operation, type or address pattern; Config.Clock waits it out.
// formation.NewScaledClock makes an hour of simulated latency pass in a
// second of real time; tests get exact virtual time by running with
// formation.RealClock inside testing/synctest. CatalogLatency has typical
// durations for the catalog types.
//
// # Faults
//
// Config.Faults fail calls selected by operation, type and address pattern,
// on their first N attempts, always, or with a seeded probability; with the
// provider's error text, transient (the engine retries) or permanent; and
// before the side effect or after it (the resource is created, then the
// response is lost), which is what crash and idempotency tests need. The
// error is a *FaultError.
//
// # Drift
//
// Drift changes attributes out of band and DeleteOutOfBand deletes
// resources, as someone working in the cloud console would; the next Read
// shows it.
//
// # Persistence
//
// Config.World stores the world: one record per resource and one index
// entry per idempotency token, read back by New. Changes are written in
// groups: whatever changed while the previous write committed goes into the
// next one, before each call returns, or with Config.DeferWrites only when
// Flush (provider.Flusher) is called, which the engine does before it
// commits the records that refer to them. MemoryWorld keeps the world for
// the life of a process, FileWorld in a file, StoreWorld in an engine
// store's own World keyspace (the bbolt file, or etcd for replicas).
//
// A CurrentWorld (MemoryWorld, StoreWorld) may be shared by Providers that
// run at the same time, as engine replicas' are: each call reads the
// records it depends on from the store (the resource it reads, updates or
// deletes; the resource its token made), so a replica that takes over
// another's deployment replays the creates the other made instead of
// making them twice, and finds the resources the other created.
//
// # Caveats
//
//   - On a FileWorld, a Provider reads the world once, when it is made: two
//     Providers open on one file at the same time do not see each other's
//     changes. On a CurrentWorld they do, call by call, except in what
//     selects from the whole world: Resources and data-source lookups read
//     what this Provider has loaded (ReadWorld reads the store as it is);
//     Drift and DeleteOutOfBand read the whole store first.
//   - Token-less creates at the same address (in several stacks) share one
//     sequence of ids, which then depends on the order they arrive in. The
//     engine always sends tokens.
//   - Attempt counts (for faults with Times) live in the Provider, not in
//     the world, unless the caller numbers attempts in its requests.
//   - Marks on values (such as sensitivity) are not kept in the world.
package sim
