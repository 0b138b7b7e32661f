// Package store persists Formation's state behind a small transactional
// interface: a fixed set of buckets, each an ordered map from byte keys to
// byte values, read and written in transactions.
//
// The engine owns the records (how a stack, a plan or an event is encoded
// and keyed); a Store only keeps bytes, in order, atomically. That keeps the
// contract small enough for three implementations: bbolt (OpenBolt, the
// embedded default: one file, crash-safe), memory (NewMemory, for unit-level
// simulations and previews that want no file) and, later, etcd. All of them
// pass the conformance suite in package storetest.
//
// Every status change is written in the same Update as the data it
// describes, so a reader never sees one without the other.
//
// # Caveats
//
//   - Keys and values handed to a Scan callback are valid only until the
//     callback returns; copy them to keep them. Get returns a copy.
//   - A Tx must not be used after the function it was passed to returns, nor
//     from another goroutine.
//   - Batch may run fn more than once (when a coalesced commit fails, each
//     caller's fn is retried alone), so fn must be idempotent with respect to
//     anything outside the Tx.
package store

import (
	"context"
)

// Bucket names one keyspace. The set is fixed: every implementation creates
// all of them when it opens.
type Bucket string

// The buckets. Meta holds the schema version (key "schema_version") and
// engine-wide counters; the others hold the records their names say.
const (
	Meta        Bucket = "meta"
	Stacks      Bucket = "stacks"
	Plans       Bucket = "plans"
	PlanBodies  Bucket = "plan_bodies" // a plan's template, items and encoded plan, written once
	Deployments Bucket = "deployments"
	Resources   Bucket = "resources"
	Outputs     Bucket = "outputs"
	Events      Bucket = "events"
	EventIndex  Bucket = "event_index" // secondary index: events by deployment
	Journal     Bucket = "journal"     // executor intents and results
	World       Bucket = "world"       // the simulated provider's persisted world
)

// Buckets lists every bucket, in a stable order.
func Buckets() []Bucket {
	return []Bucket{Meta, Stacks, Plans, PlanBodies, Deployments, Resources, Outputs, Events, EventIndex, Journal, World}
}

// SchemaVersion is the on-disk format version this code writes. A store file
// written by a newer version is refused on open rather than misread.
const SchemaVersion = 1

// SchemaVersionKey is the Meta key holding the schema version (8 bytes,
// big-endian). It is reserved: engine code must not write it.
const SchemaVersionKey = "schema_version"

// Store is a transactional, ordered key-value store. It is safe for
// concurrent use: Views run concurrently with each other and with at most
// one Update at a time.
//
// Errors are *formation.Error values: CodeUnavailable when the store is
// closed or locked by another process, CodeInternal for I/O failures; a
// cancelled ctx is returned as ctx.Err() before any transaction starts (a
// transaction that has started runs to its end, so keep them short). An
// error returned by fn is returned unchanged, and the transaction is rolled
// back.
type Store interface {
	// View runs fn in a read-only transaction. Put and Delete return an
	// error inside it.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction, committed durably if fn
	// returns nil and rolled back otherwise (nothing of it is then visible).
	Update(ctx context.Context, fn func(Tx) error) error
	// Batch is Update for many small concurrent writers: calls may share
	// one commit (one fsync), at the price that fn may run more than once.
	Batch(ctx context.Context, fn func(Tx) error) error
	// Close releases the store; later calls return CodeUnavailable. Close
	// waits for running transactions and is safe to call twice.
	Close() error
}

// Tx is one transaction's view of the store.
type Tx interface {
	// Get returns a copy of the value at key, or nil if there is none.
	Get(b Bucket, key []byte) []byte
	// Put sets key to value; both are copied. Empty keys are refused.
	Put(b Bucket, key, value []byte) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(b Bucket, key []byte) error
	// Scan visits the keys of b in byte order (descending with Reverse)
	// that begin with opts.Prefix, starting at opts.Start when it is set,
	// until fn returns false or an error (which Scan returns). fn must not
	// Put or Delete in b; collect keys and change them after Scan returns.
	Scan(b Bucket, opts ScanOptions, fn func(key, value []byte) (bool, error)) error
}

// ScanOptions selects the keys a Scan visits.
type ScanOptions struct {
	// Prefix limits the scan to keys that begin with it; nil means all keys.
	Prefix []byte
	// Start is the first key to visit: keys before it (after it, with
	// Reverse) are skipped. It need not exist. nil means the first (last)
	// key of the prefix range.
	Start []byte
	// Reverse visits keys in descending order.
	Reverse bool
}
