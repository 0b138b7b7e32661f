// Package store persists Formation's state behind a small transactional
// interface: a fixed set of buckets, each an ordered map from byte keys to
// byte values, read and written in transactions.
//
// The engine owns the records (how a stack, a plan or an event is encoded
// and keyed); a Store only keeps bytes, in order, atomically. That keeps the
// contract small enough for three implementations: bbolt (OpenBolt, the
// embedded default: one file, crash-safe), memory (NewMemory, for unit-level
// simulations and previews that want no file) and etcd (package store/etcd,
// shared by many engine replicas). All of them pass the conformance suite in
// package storetest.
//
// Every status change is written in the same Update as the data it
// describes, so a reader never sees one without the other.
//
// # Contract version 2
//
// Version 2 of the contract is what lets many engines share one store:
//
//   - Bounded transactions. One Update or Batch function writes at most
//     Limits().MaxOps keys (Puts and Deletes) and Limits().MaxBytes bytes of
//     keys and values; the write past either bound fails with an error
//     matching ErrTooLarge (WriteBytes says how bytes count), and the
//     transaction is then rolled back if fn returns it. Memory and etcd
//     enforce DefaultLimits (etcd's own defaults, 128 operations and 1.5 MiB
//     a request, less room for the request's other parts), so code tested
//     on Memory works on an etcd left at its defaults; bbolt's are far larger (BoltLimits), so that it keeps
//     committing thousands of writes with one fsync. Writers that may
//     exceed a store's limits split their work into several transactions
//     of at most Limits() each.
//   - Large values. A value may hold up to MaxValueSize bytes, whatever
//     the limits: one over LargeValue counts as LargeValue bytes against
//     MaxBytes, since an implementation with small requests (etcd) writes
//     it apart, in chunks, before the transaction's commit, which then
//     makes it visible at once: a reader sees all of it or none of it.
//   - Optimistic transactions. Update and Batch may run fn more than once:
//     an implementation shared by several processes runs fn against a
//     snapshot and, when another writer changed what fn read before fn's
//     writes committed, discards the writes and runs fn again on a new
//     snapshot. So fn must derive everything from what it reads in the Tx;
//     it may compute and allocate, but anything it does outside the Tx
//     (sending on a channel, appending to a slice it closes over, calling a
//     provider) must be safe to repeat or be reset at fn's start; only the
//     last run's effects count. A conflict is detected on every key read
//     with Get, and on every key created or changed within a range read with
//     Scan; a key deleted within a scanned range by a concurrent writer is
//     not: protect such ranges with a claim, as the engine does a stack's.
//   - Claims. Claim takes a named lease (the engine claims a stack for the
//     length of one mutating operation) that no other user of the store can
//     take until it is released, or until its holder stops renewing it
//     (its process died). Claim.Lost is closed when the claim is gone
//     without Release; the holder then stops what it claimed, and an
//     Update whose ctx carries the claim (WithClaim) fails with
//     ErrClaimLost instead of committing. See Fencing for what a holder
//     may count on.
//   - A change feed. Watch signals every commit that changes a key under a
//     prefix of a bucket, made by any user of the store, from the moment it
//     returns. Signals carry no data and coalesce: a receiver re-reads what
//     it watches, so registering before reading misses nothing.
//
// bbolt and memory serve one process: they implement claims and the feed
// within it, never re-run an Update's fn, and never lose a claim.
//
// # Fencing
//
// A claim of a store shared by several processes is a lease its holder
// renews, and a holder can lose it without hearing so: its process paused
// (a long garbage collection, a stopped VM), or cut off from the store
// while the lease ran out. What a holder may count on, and what the engine
// builds on:
//
//   - A local deadline. The holder counts its claim held until the time it
//     sent its last successful renewal (or the request that granted the
//     lease), plus the lease's TTL, less a safety margin. The store's
//     server restarts the TTL when it receives a renewal, after it was
//     sent, so it cannot let another holder have the claim before then:
//     counting from the sending, never from the answer, keeps the deadline
//     early however slow the answer was. The margin (store/etcd:
//     Options.SafetyMargin, a fifth of the TTL by default) absorbs the
//     holder's clock running slower than the server's, and the time work
//     takes to stop once told to.
//   - Lost is closed at that deadline at the latest, when no renewal
//     extended it; at once when the store learns the lease ended.
//   - Valid returns nil only while the deadline is at least the margin
//     away: work that waits for it before it starts (the engine: before
//     every provider mutation) starts at least twice the margin before the
//     lease can end.
//   - Commits are fenced by the store itself, not by the holder's clock:
//     an Update under WithClaim commits only if the claim's key is still
//     the one this holding created (store/etcd compares its creation
//     revision, which no later holding shares).
//
// What no claim can guarantee: a request the holder already sent to
// another system (a provider's API call) when the claim is lost cannot be
// called back; stopping the holder's work stops it waiting for the answer,
// not the remote side acting on it. And a process frozen for longer than
// the margin between Valid and sending its request may send it after its
// claim is gone. Both are why every provider mutation carries an
// idempotency token: the next holder re-issues it with the same token, and
// the provider answers with what the first request did instead of doing it
// again.
//
// # Caveats
//
//   - Keys and values handed to a Scan callback are valid only until the
//     callback returns; copy them to keep them. Get returns a copy.
//   - A Tx must not be used after the function it was passed to returns, nor
//     from another goroutine.
//   - Batch may run fn more than once (when a coalesced commit fails, each
//     caller's fn is retried alone), and so may Update (see above).
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
)

// World is the simulated provider's keyspace (package provider/sim keeps its
// world there, through sim.StoreWorld, so that separate processes and engine
// replicas share one simulated cloud). It is not one of the engine's
// buckets: the engine never reads or writes it, and Buckets does not list
// it, but every implementation has it beside them.
//
// Until this store's contract version 2 the world lived in a bucket named
// "world" among the engine's; OpenBolt moves an older file's "world" bucket
// here when it opens the file.
const World Bucket = "sim_world"

// Buckets lists the engine's buckets, in a stable order.
func Buckets() []Bucket {
	return []Bucket{Meta, Stacks, Plans, PlanBodies, Deployments, Resources, Outputs, Events, EventIndex, Journal}
}

// allBuckets is every keyspace an implementation creates: the engine's
// buckets and World.
func allBuckets() []Bucket { return append(Buckets(), World) }

// ContractVersion is the version of the Store contract this package
// describes (see the package doc) and storetest enforces.
const ContractVersion = 2

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
	// Limits returns the bounds one Update or Batch function's writes must
	// keep.
	Limits() Limits
	// Claim takes the named claim, or fails with an error matching
	// ErrClaimed when another holder (in this process or another) has it.
	// Names are non-empty and at most MaxKeySize bytes.
	Claim(ctx context.Context, name string) (Claim, error)
	// Watch returns a channel that receives a value after every commit
	// that changes a key of b beginning with prefix (nil: any key), from
	// now until ctx is done, when the channel is closed. Values coalesce:
	// one pending value stands for any number of commits.
	Watch(ctx context.Context, b Bucket, prefix []byte) (<-chan struct{}, error)
	// Close releases the store; later calls return CodeUnavailable. Close
	// waits for running transactions, releases the claims still held, and
	// is safe to call twice.
	Close() error
}

// Shared is implemented by stores that several processes use at once
// (store/etcd). An engine on one watches the store for changes other
// engines make and takes over the operations of engines that died; on a
// store only its own process uses (bbolt, memory) it needs neither.
type Shared interface {
	Store
	// Shared says where the store is shared (etcd: its endpoints and
	// prefix), for logs; "" means it is not, after all (a wrapper over a
	// store that is not shared).
	Shared() string
}

// IsShared reports whether st is shared by several processes.
func IsShared(st Store) bool {
	sh, ok := st.(Shared)
	return ok && sh.Shared() != ""
}

// Limits bounds the writes of one transaction.
type Limits struct {
	// MaxOps is the most Puts and Deletes one transaction function makes.
	MaxOps int
	// MaxBytes is the most bytes of keys and values it writes.
	MaxBytes int
}

// DefaultLimits are etcd's default limits (--max-txn-ops 128,
// --max-request-bytes 1.5 MiB) less room for what store/etcd adds to a
// transaction: one deletion marker per bucket (12 operations) and the
// comparisons, key prefixes and framing (a third of the bytes).
var DefaultLimits = Limits{MaxOps: 116, MaxBytes: 1024 * 1024}

// LargeValue is the size past which a value counts as LargeValue bytes
// against Limits.MaxBytes (see the package doc); MaxValueSize is the most
// a value may hold.
const (
	LargeValue   = 64 << 10
	MaxValueSize = 64 << 20
)

// Claim is a held claim (see Store.Claim).
type Claim interface {
	// Name is the name the claim was taken with.
	Name() string
	// Lost is closed when the claim is gone without Release: its lease
	// expired or was revoked, its local deadline passed without a renewal
	// (see Fencing), or the store closed.
	Lost() <-chan struct{}
	// Valid waits until work may start under the claim — it is held, and
	// stays held for at least the store's safety margin even if no renewal
	// succeeds from now on — and returns nil; or it returns an error
	// matching ErrClaimLost once the claim is lost or released, or ctx's
	// error. On a healthy connection it returns at once; while renewals
	// fail it waits for one to succeed. Claims that only Release or Close
	// end (bbolt, memory) are valid until then.
	Valid(ctx context.Context) error
	// Release gives the claim up; another holder may take it at once.
	// Releasing twice, or after the claim was lost, does nothing.
	Release() error
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
