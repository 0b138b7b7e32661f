package sim

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
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
	forceNew     bool                            // Config.EnableForceNew
	store        WorldStore                      // nil: memory only
	current      CurrentWorld                    // store, when it is one: read at each call
	deferWrites  bool                            // Config.DeferWrites
	types        typeCache                       // encoded state types, for persisting

	flushMu sync.Mutex // one flush (WorldStore.Write) at a time

	mu       sync.Mutex
	records  map[recordKey]*record // live resources and tombstones
	tokens   map[string]*record    // creation key → the latest record made under it
	dirty    map[*record]struct{}  // records changed since they were last written
	stamp    uint64                // counts changes and installs (record.stamp)
	attempts map[attemptKey]int
	calls    []Call
}

// recordKey identifies a resource: ids are unique per type.
type recordKey struct{ typ, id string }

// storeKey is where the record of a resource is kept in the WorldStore.
func (k recordKey) storeKey() string { return k.typ + "/" + k.id }

// tokenPrefix begins the WorldStore keys of the token index, which no
// record key (a resource type, an identifier, then "/") can begin with.
const tokenPrefix = "!"

// record is one resource of the world, or the tombstone of a deleted one
// (kept so that a token's next resource gets a new id). Its fields are
// guarded by world.mu.
type record struct {
	typ     string
	id      string
	address string
	token   string
	key     string // creation key: the token, or the address for token-less creates
	gen     int    // how many resources the creation key has made, this one included
	deleted bool
	state   cty.Value
	encoded []byte // the state as stored, until value decodes it
	version uint64 // bumped by every change
	stamp   uint64 // world.stamp when it was last changed or installed

	written uint64 // the version last written to the store
	indexed bool   // the store's index entry for key names this record
	raw     []byte // the encoding last read from or written to the store
}

// live reports whether the record is a resource that exists.
func (r *record) live() bool { return r != nil && !r.deleted }

// unwritten reports whether r has changes the store does not have yet.
func (r *record) unwritten() bool { return r.version > r.written }

// change bumps r's version and queues it for the next flush. It must be
// called with world.mu held, after r was changed.
func (w *world) change(r *record) {
	r.version++
	w.stamp++
	r.stamp = w.stamp
	if w.store != nil {
		w.dirty[r] = struct{}{}
	}
}

// indexEntry is the value of a token index entry: which record the
// creation key made last. It is written before the record it names, so a
// crash between the two leaves an entry without a record, which counts as a
// deleted resource of that generation (the next create makes a new one), and
// never a record that a create would not find.
type indexEntry struct {
	Gen  int    `json:"gen"`
	Type string `json:"type"`
	ID   string `json:"id"`
}

// snapshot is a record's fields at one version, taken under world.mu so
// that it can be encoded and written without it.
type snapshot struct {
	rec   *record
	data  recordData
	ver   uint64
	index bool // write the token index entry too
}

// flush writes every record changed since the last flush to the store,
// in one WorldStore.Write: the group commit that spares the world a durable
// commit per change. On failure the records stay queued for the next flush.
func (w *world) flush(ctx context.Context) error {
	if w.store == nil {
		return nil
	}
	w.flushMu.Lock()
	defer w.flushMu.Unlock()
	w.mu.Lock()
	if len(w.dirty) == 0 {
		w.mu.Unlock()
		return nil
	}
	snaps := make([]snapshot, 0, len(w.dirty))
	for r := range w.dirty {
		snaps = append(snaps, snapshot{rec: r, ver: r.version, index: !r.indexed && w.tokens[r.key] == r,
			data: recordData{Format: recordFormat, Type: r.typ, ID: r.id, Address: r.address, Token: r.token,
				Key: r.key, Gen: r.gen, Deleted: r.deleted, state: r.state, encoded: r.encoded}})
	}
	clear(w.dirty)
	w.mu.Unlock()

	slices.SortFunc(snaps, func(a, b snapshot) int {
		return cmp.Or(cmp.Compare(a.data.Type, b.data.Type), cmp.Compare(a.data.ID, b.data.ID))
	})
	pairs, raws, err := w.encode(snaps)
	if err == nil {
		err = w.store.Write(ctx, pairs)
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	for i, s := range snaps {
		switch {
		case err != nil:
			if s.rec.unwritten() {
				w.dirty[s.rec] = struct{}{}
			}
		case s.ver > s.rec.written:
			s.rec.written, s.rec.raw = s.ver, raws[i]
			s.rec.indexed = s.rec.indexed || s.index
		}
	}
	if err != nil {
		return fmt.Errorf("sim: persisting the world: %w: %w", provider.ErrTransient, err)
	}
	return nil
}

// encode renders snaps as the pairs to write: the index entries first (see
// indexEntry), then the records. raws[i] is snaps[i]'s record encoding.
func (w *world) encode(snaps []snapshot) (pairs []KV, raws [][]byte, err error) {
	raws = make([][]byte, len(snaps))
	records := make([]KV, len(snaps))
	for i, s := range snaps {
		if raws[i], err = s.data.encode(&w.types); err != nil {
			return nil, nil, fmt.Errorf("%s %s: %w", s.data.Type, s.data.ID, err)
		}
		records[i] = KV{Key: recordKey{s.data.Type, s.data.ID}.storeKey(), Value: raws[i]}
		if s.index {
			b, err := json.Marshal(indexEntry{Gen: s.data.Gen, Type: s.data.Type, ID: s.data.ID})
			if err != nil {
				return nil, nil, err
			}
			pairs = append(pairs, KV{Key: tokenPrefix + s.data.Key, Value: b})
		}
	}
	return append(pairs, records...), raws, nil
}

// sync makes the changes of a call that just changed the world durable
// before the call returns, unless the caller flushes them itself
// (Config.DeferWrites): then they wait for its next Flush.
func (w *world) sync(ctx context.Context) error {
	if w.deferWrites {
		return nil
	}
	return w.flush(ctx)
}

// reload brings every record up to date from a CurrentWorld (see refresh),
// for the operations that select resources from the whole world.
func (w *world) reload(ctx context.Context) error {
	if w.current == nil {
		return nil
	}
	w.mu.Lock()
	since := w.stamp
	w.mu.Unlock()
	return w.current.Load(ctx, func(key string, value []byte) error {
		if strings.HasPrefix(key, tokenPrefix) {
			return nil
		}
		r, err := decodeRecord(value)
		if err != nil {
			return fmt.Errorf("world record %q: %w", key, err)
		}
		r.raw = value
		w.mu.Lock()
		defer w.mu.Unlock()
		w.installSince(r, since)
		return nil
	})
}

// installSince installs r, read from the store after world.stamp was
// since, unless the record it replaces changed or was installed since (what
// this Provider did or read later is newer), has changes not yet written,
// or already holds r's encoding. It must be called with world.mu held.
func (w *world) installSince(r *record, since uint64) {
	now := w.records[recordKey{r.typ, r.id}]
	if now != nil && (now.stamp > since || now.unwritten() || bytes.Equal(now.raw, r.raw)) {
		return
	}
	w.install(r, now)
}

// refresh brings the record of resource k up to date from a CurrentWorld,
// unless this Provider has changes of it not yet written (those are newer).
// Without a CurrentWorld the loaded world is current by contract.
func (w *world) refresh(ctx context.Context, k recordKey) error {
	if w.current == nil {
		return nil
	}
	w.mu.Lock()
	cached := w.records[k]
	if cached != nil && cached.unwritten() {
		w.mu.Unlock()
		return nil
	}
	var raw []byte
	if cached != nil {
		raw = cached.raw
	}
	since := w.stamp
	w.mu.Unlock()
	b, err := w.current.Get(ctx, k.storeKey())
	if err != nil || b == nil || (cached != nil && bytes.Equal(b, raw)) {
		return err
	}
	r, err := decodeRecord(b)
	if err != nil {
		return fmt.Errorf("world record %q: %w", k.storeKey(), err)
	}
	r.raw = b
	w.mu.Lock()
	defer w.mu.Unlock()
	w.installSince(r, since)
	return nil
}

// refreshToken brings the record that creation key made last up to date
// from a CurrentWorld, as refresh does.
func (w *world) refreshToken(ctx context.Context, key string) error {
	if w.current == nil {
		return nil
	}
	w.mu.Lock()
	prev := w.tokens[key]
	mine := prev != nil && prev.unwritten()
	w.mu.Unlock()
	if mine {
		return nil
	}
	b, err := w.current.Get(ctx, tokenPrefix+key)
	if err != nil || b == nil {
		return err
	}
	var ie indexEntry
	if err := json.Unmarshal(b, &ie); err != nil {
		return fmt.Errorf("world token index %q: %w", key, err)
	}
	k := recordKey{ie.Type, ie.ID}
	if err := w.refresh(ctx, k); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.indexed(key, ie)
	return nil
}

// indexed records what a token index entry says: the creation key made the
// record it names. A record the store does not have (a crash came between
// the entry and the record) stands as a tombstone of that generation. It
// must be called with world.mu held.
func (w *world) indexed(key string, ie indexEntry) {
	if prev := w.tokens[key]; prev != nil && prev.gen >= ie.Gen {
		prev.indexed = prev.indexed || prev.gen == ie.Gen
		return
	}
	k := recordKey{ie.Type, ie.ID}
	r := w.records[k]
	if r == nil || r.key != key || r.gen != ie.Gen {
		r = &record{typ: ie.Type, id: ie.ID, key: key, gen: ie.Gen, deleted: true}
		if w.records[k] == nil {
			w.records[k] = r
		}
	}
	r.indexed = true
	w.tokens[key] = r
}

// install puts r, read from the store, in place of cached (nil: none). It
// must be called with world.mu held.
func (w *world) install(r, cached *record) {
	w.stamp++
	r.stamp = w.stamp
	r.indexed = cached != nil && cached.indexed && cached.gen == r.gen
	w.records[recordKey{r.typ, r.id}] = r
	if prev := w.tokens[r.key]; prev == nil || prev == cached || prev.gen < r.gen {
		w.tokens[r.key] = r
	}
}

// load reads the world from its store, and writes the token index entries
// a world written before the index existed lacks.
func (w *world) load(ctx context.Context) error {
	if w.store == nil {
		return nil
	}
	index := make(map[string]indexEntry)
	err := w.store.Load(ctx, func(key string, value []byte) error {
		if tok, ok := strings.CutPrefix(key, tokenPrefix); ok {
			var ie indexEntry
			if err := json.Unmarshal(value, &ie); err != nil {
				return fmt.Errorf("world token index %q: %w", tok, err)
			}
			index[tok] = ie
			return nil
		}
		r, err := decodeRecord(value)
		if err != nil {
			return fmt.Errorf("world record %q: %w", key, err)
		}
		r.raw = value
		w.install(r, nil)
		return nil
	})
	if err != nil {
		return err
	}
	w.mu.Lock()
	for key, ie := range index {
		w.indexed(key, ie)
	}
	for _, r := range w.tokens {
		if !r.indexed {
			w.dirty[r] = struct{}{} // written again with its index entry
		}
	}
	w.mu.Unlock()
	return w.flush(ctx)
}
