package engine

import (
	"bytes"
	"sync"
)

// decoded remembers, by key, the bytes of a stored record and what the
// engine decoded from them, so that a read decodes only the records that
// changed since they were last decoded. The reader still reads every
// record in its own transaction and compares the bytes, so what it returns
// is exactly what that transaction holds: the memo is right on every
// store, whoever wrote the record (another replica on etcd included), with
// no invalidation to get wrong. Comparing a record's bytes costs a small
// fraction of decoding them: a listing of 200 stacks decoded every record,
// and that was most of a loaded server's CPU.
//
// Values are shared by every reader that finds them: they must not be
// changed.
type decoded[T any] struct {
	mu sync.RWMutex
	m  map[string]decodedEntry[T]
}

type decodedEntry[T any] struct {
	raw []byte
	v   T
}

// maxDecoded bounds a memo: past it, the memo starts afresh. It holds a
// few times the records a large engine reads (stacks, their resources).
const maxDecoded = 1 << 16

// reading calls fn with a lookup of the memo, under one read lock for all
// of fn's lookups (a listing makes hundreds).
func (d *decoded[T]) reading(fn func(get func(key, raw []byte) (T, bool)) error) error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return fn(func(key, raw []byte) (T, bool) {
		ent, ok := d.m[string(key)]
		if !ok || !bytes.Equal(ent.raw, raw) {
			var zero T
			return zero, false
		}
		return ent.v, true
	})
}

// get looks up one record.
func (d *decoded[T]) get(key, raw []byte) (v T, ok bool) {
	_ = d.reading(func(get func(key, raw []byte) (T, bool)) error {
		v, ok = get(key, raw)
		return nil
	})
	return v, ok
}

// put remembers v as decoded from raw, the record at key; both are copied.
func (d *decoded[T]) put(key, raw []byte, v T) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil || len(d.m) >= maxDecoded {
		d.m = make(map[string]decodedEntry[T])
	}
	d.m[string(key)] = decodedEntry[T]{raw: bytes.Clone(raw), v: v}
}
