package sim

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"sync"
)

// WorldStore persists the simulated world, so that separate Providers (in
// separate processes, such as successive CLI invocations, or engine
// replicas) see one world. It is a keyed byte store: the provider writes one
// record per resource, keyed by type and id, and one index entry per
// idempotency token, and reads them all back when it opens.
//
// StoreWorld keeps it in an engine store's World keyspace; MemoryWorld and
// FileWorld are the other implementations in this package. Implementations
// must be safe for concurrent use.
type WorldStore interface {
	// Load calls fn for every record, in any order, and returns the first
	// error fn returns.
	Load(ctx context.Context, fn func(key string, value []byte) error) error
	// Write stores every pair, in order, replacing earlier values; a nil
	// value deletes its key. The store must copy values it keeps. It may
	// commit in several steps, so a crash may keep only a prefix of pairs.
	// A Provider calls Write from one goroutine at a time, with everything
	// that changed since its previous Write: one commit for many changes.
	Write(ctx context.Context, pairs []KV) error
}

// CurrentWorld is a WorldStore that several Providers may use at the same
// time (engine replicas on one etcd, two engines in one process). A Provider
// on one reads the records a call depends on (the resource it reads,
// updates or deletes; the resource a create's token made) from the store at
// the time of the call, not from what it loaded when it opened, so it sees
// what the other Providers did since, and a create a dead replica made is
// replayed, not made twice.
type CurrentWorld interface {
	WorldStore
	// Get returns the value at key as the store holds it now, or nil when
	// there is none.
	Get(ctx context.Context, key string) ([]byte, error)
}

// KV is one key and its value, for WorldStore.Write.
type KV struct {
	Key   string
	Value []byte // nil: delete the key
}

// MemoryWorld is a WorldStore held in memory: Providers opened on the same
// MemoryWorld, one after the other or at the same time, share one world
// within one process. The zero value is not ready; use NewMemoryWorld. It is
// safe for concurrent use.
type MemoryWorld struct {
	mu      sync.Mutex
	records map[string][]byte
}

var _ CurrentWorld = (*MemoryWorld)(nil)

// NewMemoryWorld returns an empty in-memory world store.
func NewMemoryWorld() *MemoryWorld { return &MemoryWorld{records: make(map[string][]byte)} }

// Load calls fn for every record, in key order.
func (m *MemoryWorld) Load(ctx context.Context, fn func(key string, value []byte) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	snapshot := maps.Clone(m.records)
	m.mu.Unlock()
	for _, k := range slices.Sorted(maps.Keys(snapshot)) {
		if err := fn(k, snapshot[k]); err != nil {
			return err
		}
	}
	return nil
}

// Get returns the value at key, or nil.
func (m *MemoryWorld) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.records[key], nil // values are never changed in place
}

// Write stores a copy of every pair, all at once.
func (m *MemoryWorld) Write(ctx context.Context, pairs []KV) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range pairs {
		if p.Value == nil {
			delete(m.records, p.Key)
		} else {
			m.records[p.Key] = bytes.Clone(p.Value)
		}
	}
	return nil
}

// Len returns the number of keys: records (deleted resources' included) and
// token index entries.
func (m *MemoryWorld) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.records)
}
