package sim

import (
	"context"
	"fmt"
	"sync"

	formation "github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
)

// world is what every Provider handle made from one New shares: the
// resources, the call log and the configuration. Fields above types are set
// by New and never change.
type world struct {
	seed         seeder
	clock        formation.Clock
	schemas      schemaSet
	orders       map[string]provider.ReplaceOrder
	faults       []Fault
	latencyRules []LatencyRule
	fixtures     []Fixture
	defaults     map[string]map[string]cty.Value // type → attribute → computed value
	store        WorldStore                      // nil: memory only
	types        typeCache                       // encoded state types, for persisting

	mu       sync.Mutex
	records  map[recordKey]*record // live resources and tombstones
	tokens   map[string]*record    // creation key → the latest record made under it
	attempts map[attemptKey]int
	calls    []Call
}

// recordKey identifies a resource: ids are unique per type.
type recordKey struct{ typ, id string }

// record is one resource of the world, or the tombstone of a deleted one
// (kept so that a token's next resource gets a new id). Fields other than pmu
// and persisted are guarded by world.mu.
type record struct {
	typ     string
	id      string
	address string
	token   string
	key     string // creation key: the token, or the address for token-less creates
	gen     int    // how many resources the creation key has made, this one included
	deleted bool
	state   cty.Value
	version uint64 // bumped by every change

	pmu       sync.Mutex // serialises persisting this record
	persisted uint64     // the version last written to the store; guarded by pmu
}

// live reports whether the record is a resource that exists.
func (r *record) live() bool { return r != nil && !r.deleted }

// snapshot is a record's fields at one version, taken under world.mu so it
// can be encoded and written without it.
type snapshot struct {
	rec  *record
	data recordData
	ver  uint64
}

// change bumps r's version and returns a snapshot of it to persist. It must
// be called with world.mu held, after r was changed.
func (w *world) change(r *record) snapshot {
	r.version++
	return w.snapshot(r)
}

// snapshot captures r for persisting; with no store it is empty. It must be
// called with world.mu held.
func (w *world) snapshot(r *record) snapshot {
	if w.store == nil {
		return snapshot{}
	}
	return snapshot{rec: r, ver: r.version, data: recordData{
		Format: recordFormat, Type: r.typ, ID: r.id, Address: r.address, Token: r.token,
		Key: r.key, Gen: r.gen, Deleted: r.deleted, state: r.state,
	}}
}

// persist writes the snapshots, skipping any whose record has since been
// written at a later version (that write already holds this change). It must
// be called without world.mu held.
func (w *world) persist(ctx context.Context, snaps ...snapshot) error {
	for _, s := range snaps {
		if s.rec == nil {
			continue
		}
		if err := w.write(ctx, s); err != nil {
			return fmt.Errorf("sim: persisting %s %s: %w: %w", s.data.Type, s.data.ID, provider.ErrTransient, err)
		}
	}
	return nil
}

// write persists one snapshot unless a later version of its record is
// already persisted.
func (w *world) write(ctx context.Context, s snapshot) error {
	s.rec.pmu.Lock()
	defer s.rec.pmu.Unlock()
	if s.rec.persisted >= s.ver {
		return nil
	}
	b, err := s.data.encode(&w.types)
	if err != nil {
		return err
	}
	if err := w.store.Put(ctx, s.data.Type+"/"+s.data.ID, b); err != nil {
		return err
	}
	s.rec.persisted = s.ver
	return nil
}

// load reads the world from its store.
func (w *world) load(ctx context.Context) error {
	if w.store == nil {
		return nil
	}
	return w.store.Load(ctx, func(key string, value []byte) error {
		r, err := decodeRecord(value)
		if err != nil {
			return fmt.Errorf("world record %q: %w", key, err)
		}
		w.records[recordKey{r.typ, r.id}] = r
		if prev := w.tokens[r.key]; prev == nil || prev.gen < r.gen {
			w.tokens[r.key] = r
		}
		return nil
	})
}
