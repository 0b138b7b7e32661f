package store

import (
	"bytes"
	"context"
	"sync"
)

// Memory is a Store that keeps everything in memory: for simulations,
// previews and tests that want no file. It has the same semantics as Bolt
// (the conformance suite in storetest holds both to them) except durability:
// its contents are gone with the process, and Close drops them.
//
// It is safe for concurrent use. Views run concurrently with each other and
// with the function of one Update at a time; an Update's writes are kept in
// the transaction and applied when its function returns nil, which waits for
// running Views to finish. So do not nest transactions in one goroutine,
// as with Bolt: an Update nested in a View deadlocks, and so can a View
// nested in a View while a commit waits.
//
// Keys and values passed to a Scan callback are the store's own memory:
// read them, never write to them.
//
// Each bucket is a sorted list of chunks, so lookups cost O(log n) and
// appending keys in increasing order (events, keyed by sequence) costs O(1)
// amortised, with millions of keys.
type Memory struct {
	writer sync.Mutex   // serialises Updates (and Close)
	mu     sync.RWMutex // Views hold it shared; a commit and Close exclusively
	// buckets is written only under both locks, so an Update's function
	// may read it holding writer alone.
	buckets map[Bucket]*sortedList
	closed  bool // written under both locks
	local        // claims and watches
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty Memory with every bucket and the schema
// version in Meta, as a newly created Bolt file has.
func NewMemory() *Memory {
	m := &Memory{buckets: make(map[Bucket]*sortedList, len(allBuckets()))}
	for _, b := range allBuckets() {
		m.buckets[b] = &sortedList{}
	}
	k, v := joinKV([]byte(SchemaVersionKey), encodeSchemaVersion())
	m.buckets[Meta].set(entry{k, v})
	return m
}

// View implements Store.
func (m *Memory) View(ctx context.Context, fn func(Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return errClosed("store.View")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	tx := &memTx{m: m, keyRoom: keyRoom(ctx)}
	defer tx.finish()
	return fn(tx)
}

// Update implements Store. A panic in fn leaves the store unchanged and is
// re-raised.
func (m *Memory) Update(ctx context.Context, fn func(Tx) error) error {
	return m.update(ctx, "store.Update", fn)
}

// Batch implements Store. Memory commits cost nothing, so Batch is Update
// and runs fn exactly once.
func (m *Memory) Batch(ctx context.Context, fn func(Tx) error) error {
	return m.update(ctx, "store.Batch", fn)
}

func (m *Memory) update(ctx context.Context, op string, fn func(Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.writer.Lock()
	defer m.writer.Unlock()
	if m.closed {
		return errClosed(op)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	tx := &memTx{m: m, writable: true, limit: limiter{Limits: DefaultLimits}, keyRoom: keyRoom(ctx)}
	defer tx.finish()
	// On an error or a panic the write set is dropped: that is the rollback.
	if err := fn(tx); err != nil {
		return err
	}
	if len(tx.writes) == 0 {
		return nil // nothing to apply: do not wait for Views
	}
	if err := checkHeld(ctx, op); err != nil {
		return err
	}
	var changed map[Bucket][][]byte
	if m.watching() {
		changed = make(map[Bucket][][]byte, len(tx.writes))
	}
	m.mu.Lock()
	for b, w := range tx.writes {
		base := m.buckets[b]
		for _, c := range w.chunks {
			for _, e := range c {
				if e.value == nil {
					base.delete(e.key)
				} else {
					base.set(e)
				}
				if changed != nil {
					changed[b] = append(changed[b], e.key)
				}
			}
		}
	}
	m.mu.Unlock()
	m.notify(changed)
	return nil
}

// Limits implements Store.
func (m *Memory) Limits() Limits { return DefaultLimits }

// Claim implements Store: claims live in this Memory.
func (m *Memory) Claim(ctx context.Context, name string) (Claim, error) { return m.claim(ctx, name) }

// Watch implements Store.
func (m *Memory) Watch(ctx context.Context, b Bucket, prefix []byte) (<-chan struct{}, error) {
	return m.watch(ctx, b, prefix)
}

// Close implements Store: it waits for running transactions and drops the
// contents.
func (m *Memory) Close() error {
	m.writer.Lock()
	defer m.writer.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.buckets = nil
	m.local.close()
	return nil
}

// memTx is a Memory transaction. writes is the write set of an Update:
// per bucket, the keys put (with copies of their values) and deleted (nil
// values), applied in Update on success.
type memTx struct {
	m        *Memory
	keyRoom  int // a view's key prefix (WithKeyPrefix)
	writable bool
	writes   map[Bucket]*sortedList // made on the first write
	limit    limiter
	done     bool
}

func (t *memTx) finish() { t.done = true }

func (t *memTx) base(op string, b Bucket) (*sortedList, error) {
	if t.done {
		return nil, errTxDone(op, b)
	}
	l := t.m.buckets[b]
	if l == nil {
		return nil, errUnknownBucket(op, b)
	}
	return l, nil
}

// write returns the write set of b after checking that the write is allowed.
func (t *memTx) write(op string, b Bucket, key, value []byte) (*sortedList, error) {
	if _, err := t.base(op, b); err != nil {
		return nil, err
	}
	if !t.writable {
		return nil, errReadOnly(op, b)
	}
	if err := checkKeyRoom(op, b, key, t.keyRoom); err != nil {
		return nil, err
	}
	if err := t.limit.add(op, b, key, value); err != nil {
		return nil, err
	}
	w := t.writes[b]
	if w == nil {
		if t.writes == nil {
			t.writes = make(map[Bucket]*sortedList, 1)
		}
		w = &sortedList{}
		t.writes[b] = w
	}
	return w, nil
}

func (t *memTx) Get(b Bucket, key []byte) []byte {
	base, err := t.base("store.Get", b)
	if err != nil || len(key) == 0 {
		return nil
	}
	if w := t.writes[b]; w != nil {
		if e, ok := w.get(key); ok {
			return bytes.Clone(e.value) // nil for a deletion
		}
	}
	e, _ := base.get(key)
	return bytes.Clone(e.value)
}

func (t *memTx) Put(b Bucket, key, value []byte) error {
	w, err := t.write("store.Put", b, key, value)
	if err != nil {
		return err
	}
	k, v := joinKV(key, value)
	w.set(entry{k, v})
	return nil
}

func (t *memTx) Delete(b Bucket, key []byte) error {
	w, err := t.write("store.Delete", b, key, nil)
	if err != nil {
		return err
	}
	w.set(entry{key: bytes.Clone(key)})
	return nil
}

// Scan merges the committed keys with the transaction's own writes: a
// written key hides the committed one, and a deletion hides both.
func (t *memTx) Scan(b Bucket, opts ScanOptions, fn func(key, value []byte) (bool, error)) error {
	base, err := t.base("store.Scan", b)
	if err != nil {
		return err
	}
	r := newScanRange(opts)
	bc := newCursor(base, &r)
	wc := newCursor(t.writes[b], &r)
	for {
		be, bok := bc.entry()
		we, wok := wc.entry()
		var e entry
		switch {
		case !bok && !wok:
			return nil
		case !wok:
			e = be
			bc.advance()
		case !bok:
			e = we
			wc.advance()
		default:
			cmp := bytes.Compare(be.key, we.key)
			if r.reverse {
				cmp = -cmp
			}
			switch {
			case cmp < 0:
				e = be
				bc.advance()
			case cmp > 0:
				e = we
				wc.advance()
			default:
				e = we
				bc.advance()
				wc.advance()
			}
		}
		if e.value == nil {
			continue // deleted in this transaction
		}
		more, err := fn(e.key, e.value)
		if err != nil || !more {
			return err
		}
	}
}
