package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	formation "github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// world is what every Provider handle made from one New shares: the
// resources, the call log and the configuration. Fields above mu are set by
// New and never change.
type world struct {
	seed         seeder
	clock        formation.Clock
	schemas      map[string]provider.Schema
	orders       map[string]provider.ReplaceOrder
	faults       []Fault
	latencyRules []LatencyRule
	fixtures     []Fixture
	defaults     map[string]map[string]cty.Value // type → attribute → computed value
	store        WorldStore                      // nil: memory only

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

// recordData is a record as it is persisted.
type recordData struct {
	Format    int             `json:"format"`
	Type      string          `json:"type"`
	ID        string          `json:"id"`
	Address   string          `json:"address"`
	Token     string          `json:"token,omitempty"`
	Key       string          `json:"key"`
	Gen       int             `json:"gen"`
	Deleted   bool            `json:"deleted,omitempty"`
	StateType json.RawMessage `json:"state_type,omitempty"`
	State     json.RawMessage `json:"state,omitempty"`
	state     cty.Value
}

// recordFormat is the version of recordData's encoding.
const recordFormat = 1

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
	b, err := s.data.encode()
	if err != nil {
		return err
	}
	if err := w.store.Put(ctx, s.data.Type+"/"+s.data.ID, b); err != nil {
		return err
	}
	s.rec.persisted = s.ver
	return nil
}

// encode renders the record as JSON, with its state typed.
func (d recordData) encode() ([]byte, error) {
	if !d.Deleted && d.state != cty.NilVal {
		ty := d.state.Type()
		var err error
		if d.StateType, err = ctyjson.MarshalType(ty); err != nil {
			return nil, err
		}
		if d.State, err = ctyjson.Marshal(d.state, ty); err != nil {
			return nil, err
		}
	}
	return json.Marshal(d)
}

// decodeRecord parses a persisted record.
func decodeRecord(b []byte) (*record, error) {
	var d recordData
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, err
	}
	if d.Format != recordFormat {
		return nil, fmt.Errorf("record format %d is not %d", d.Format, recordFormat)
	}
	r := &record{typ: d.Type, id: d.ID, address: d.Address, token: d.Token, key: d.Key, gen: d.Gen,
		deleted: d.Deleted, version: 1, persisted: 1}
	if !d.Deleted {
		ty, err := ctyjson.UnmarshalType(d.StateType)
		if err != nil {
			return nil, err
		}
		if r.state, err = ctyjson.Unmarshal(d.State, ty); err != nil {
			return nil, err
		}
	}
	return r, nil
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
