package sim

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"sync"
)

// WorldStore persists the simulated world, so that separate Providers (in
// separate processes, such as successive CLI invocations) see one world. It is
// a keyed byte store: the provider writes one record per resource, keyed by
// type and id, and reads them all back when it opens.
//
// The engine backs it with its store's World bucket; NewMemoryWorld and
// NewFileWorld are the implementations in this package. Implementations must
// be safe for concurrent use. A Provider calls Put from many goroutines at
// once, but never concurrently for the same key, so an implementation that
// coalesces concurrent writes (bbolt's Batch) keeps creates cheap.
type WorldStore interface {
	// Load calls fn for every record, in any order, and returns the first
	// error fn returns.
	Load(ctx context.Context, fn func(key string, value []byte) error) error
	// Put stores value under key, replacing any earlier value. The store
	// must copy value if it keeps it.
	Put(ctx context.Context, key string, value []byte) error
}

// MemoryWorld is a WorldStore held in memory: a new Provider opened on the
// same MemoryWorld sees the world an earlier one left, within one process.
// The zero value is not ready; use NewMemoryWorld. It is safe for concurrent
// use.
type MemoryWorld struct {
	mu      sync.Mutex
	records map[string][]byte
}

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

// Put stores a copy of value under key.
func (m *MemoryWorld) Put(ctx context.Context, key string, value []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	m.records[key] = bytes.Clone(value)
	m.mu.Unlock()
	return nil
}

// Len returns the number of records, deleted resources' included.
func (m *MemoryWorld) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.records)
}
