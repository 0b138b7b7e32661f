// Package engine is the API users call: stacks, deployments, execution
// plans and stack events, reproducing Huawei Cloud RFS in-process.
//
// The simplest path:
//
//	cloud, _ := sim.New(sim.Config{UseCatalog: true})                       // or your own provider.Provider
//	e, err := engine.New(engine.Config{Store: store.NewMemory(), DefaultProvider: cloud})
//	if err != nil { … }
//	defer e.Close()
//	res, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: "net",
//		TemplateInput: engine.TemplateInput{TemplateBody: body}})              // creates and deploys
//	out, err := e.Wait(ctx, res.DeploymentRef)                             // DEPLOYMENT_COMPLETE, …
//
// engine.Open("formation.db", cfg) is New over a bbolt file, with the same
// Config less the Store. Config also takes providers by name (Providers), a
// clock, quotas, parallelism, timeouts and template limits.
//
// Every operation takes one request struct and returns one result struct;
// their json tags are RFS's field names, so they marshal as RFS's request
// and response bodies. Reads take the reference of what they read
// (StackRef, PlanRef); the asynchronous operations return a DeploymentRef,
// which Wait takes.
//
// # Semantics
//
// Operations and their rules follow RFS (the repository's spec/rfs-api.md):
// names address stacks and plans, and an optional id guards against a name
// reused by a new stack; every status change goes through the machines of
// package fsm and is committed in the same store transaction as the data it
// describes and the LOG event that reports it. Mutating operations return a
// DeploymentRef at once and run in the background: Wait blocks until one is
// terminal, WaitStack until a stack is not *_IN_PROGRESS, Follow streams its
// events live. A deployment plans the full template against the stack's
// recorded resources (refreshing them, so drift is reported and repaired),
// applies the plan through the providers, and on failure rolls back to the
// last stable state when auto-rollback is on. Every deployment expires the
// execution plans made before it.
//
// Moved and removed blocks act on the stack's records, never on the
// cloud: before its first provider call, a deployment renames the records
// of moved objects and drops those removed blocks forget (destroy =
// false), with their ownership records, in one transaction that also adds
// the moves to the deployment's record, and a LOG event reports each. A
// moved object is neither destroyed nor created again. A rollback plans
// the stable template after moving the deployment's objects back.
//
// Errors are *formation.Error values with RFS-style codes: branch with
// errors.Is(err, formation.ErrNotFound) and friends, or formation.HasCode.
// A refused request changes nothing. A call whose context is done returns
// CodeCanceled or CodeTimeout (class formation.ErrCanceled), through which
// errors.Is still sees context.Canceled or context.DeadlineExceeded.
//
// A request parses and expands its template before it changes anything, so
// a template that cannot be deployed is a 400, not a failed deployment —
// except for CreateExecutionPlan, which, as RFS, makes the plan of a
// template that parses but fails to evaluate and ends it CREATION_FAILED. It
// makes no provider call to do so, unless a count or for_each depends on a
// data source (count = length(data.x.zones.names)): such a template is
// expanded with its data sources read, and one that cannot be read is
// refused. The deployment starts from the request's expansion whenever
// expanding again would give the same configuration.
//
// # Durability
//
// A deployment is recorded (template, variables, options) before it starts,
// and its phase (deploy, roll back, delete) is the stack's status. No
// operation reaches its provider before its intent (address, operation,
// idempotency token) is committed: the intents of the operations that start
// at once are committed before anything runs, the others in a few growing
// transactions while those run (beside the results' commits, through a
// writer of their own), in the order operations can start. Each
// operation's result (the resource record, the events) is committed after
// its call. Results go through one writer per phase that commits whatever
// queued in a single transaction, in submission order, at most every few
// milliseconds, and ends with the transaction that ends the phase; so
// durability costs a commit per group rather than per resource, and a crash
// loses at most a suffix of results — never a dependency's while keeping a
// dependent's.
//
// A creation's token is derived from the stack, the address and a
// generation that advances only when a creation is recorded, so any retry —
// after a transient error, a crash, or in a later deployment — presents the
// same token and a provider returns what it already made. When an engine is
// opened over a store holding a stack left *_IN_PROGRESS, the phase the
// status names resumes: it plans again against what was recorded, and
// operations whose outcome was lost are re-issued with their tokens.
//
// # Concurrency
//
// An Engine is safe for concurrent use. At most one mutating operation runs
// per stack (a second gets CodeStackBusy); different stacks run at once,
// each deployment with at most Config.Parallelism provider operations and
// all together with at most Config.GlobalParallelism. Close stops
// operations at their next provider call, records what finished, and closes
// the store; what did not finish resumes at the next open.
//
// # Replicas and fencing
//
// On a shared store (store/etcd) an operation runs under its stack's claim
// in the store, in the one engine that holds it (New says how others take
// it over). Losing the claim stops the operation where it stands, as Close
// does, leaving its unfinished calls' intents for the engine that takes
// over: every provider call of the operation runs under a context that is
// cancelled the moment the claim is lost — which on etcd is the claim's
// local deadline, at least the store's safety margin before etcd can let
// another engine have it; no provider mutation starts unless the claim is
// held for at least the margin more (store.Claim.Valid); and every commit
// is fenced on the claim by the store. What is guaranteed, and what is not
// (a request already sent when the claim is lost), is in package store's
// doc, under Fencing: the idempotency tokens cover what fencing cannot.
//
// # Time
//
// The engine reads and waits on Config.Clock: a formation.ScaledClock makes
// simulated latencies pass faster while events report simulated times and
// elapsed seconds; tests get exact virtual time with the real clock inside
// testing/synctest.
package engine
