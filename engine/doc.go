// Package engine is the API users call: stacks, execution plans,
// deployments and their events, reproducing Huawei Cloud RFS in-process.
//
// The simplest path:
//
//	e, err := engine.Open("formation.db") // bbolt file, created if missing
//	if err != nil { … }
//	defer e.Close()
//	res, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: "demo"})
//	stack, err := e.GetStackMetadata(ctx, engine.StackRef{Name: "demo"})
//
// engine.New takes a Config for everything else: another store (the
// in-memory store.NewMemory for simulations and previews), a clock, quotas
// and parallelism.
//
// # Semantics
//
// Operations and their rules follow RFS (see the repository's
// spec/rfs-api.md): names address stacks and an optional id guards against
// a name reused by a new stack; every status change goes through the status
// machine of package fsm and is committed in the same store transaction as
// the data it describes and the LOG event that reports it. Mutating
// operations return a deployment id at once and run in the background;
// Wait blocks until one is terminal.
//
// Errors are *formation.Error values with RFS-style codes: branch with
// errors.Is(err, formation.ErrNotFound) and friends, or formation.HasCode.
// A refused request changes nothing.
//
// # Concurrency and durability
//
// An Engine is safe for concurrent use. At most one mutating operation runs
// per stack (a second gets CodeStackBusy); different stacks run at once.
// When an engine is opened over a store holding a stack left
// *_IN_PROGRESS (a crash, or Close during an operation), the operation
// resumes in the background.
package engine
