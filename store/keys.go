package store

import (
	"bytes"
	"context"

	"github.com/formation-engine/formation"
)

// MaxKeySize is the longest key, in bytes, every implementation accepts. A
// longer key is refused with CodeInvalidParameter, by Memory as well, so
// code that works on one implementation works on the other. It is bbolt's
// limit (32768) less MaxKeyPrefix, so that a view keeping its keys under a
// prefix in a bbolt file (WithKeyPrefix) takes keys as long as any store.
const MaxKeySize = 32768 - MaxKeyPrefix

// MaxKeyPrefix is the longest key prefix a view may declare with
// WithKeyPrefix.
const MaxKeyPrefix = 256

type keyPrefixKey struct{}

// WithKeyPrefix returns a ctx for the transactions and claims of a view of
// the store that keeps every key and claim name it is given under a prefix
// of n bytes (at most MaxKeyPrefix): the store then accepts keys and names
// up to MaxKeySize+n bytes long, so that the view, which checks what it is
// given itself (CheckKey), takes keys of MaxKeySize bytes, as a store does.
func WithKeyPrefix(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, keyPrefixKey{}, min(max(n, 0), MaxKeyPrefix))
}

// keyRoom is the prefix length WithKeyPrefix put in ctx, or 0.
func keyRoom(ctx context.Context) int {
	n, _ := ctx.Value(keyPrefixKey{}).(int)
	return n
}

// checkKey refuses an empty or over-long key.
func checkKey(op string, b Bucket, key []byte) error { return checkKeyRoom(op, b, key, 0) }

// checkKeyRoom refuses an empty key, or one longer than MaxKeySize with
// room bytes of a view's prefix.
func checkKeyRoom(op string, b Bucket, key []byte, room int) error {
	switch {
	case len(key) == 0:
		return formation.Errorf(formation.CodeInvalidParameter, op, string(b), "empty key")
	case len(key)-room > MaxKeySize:
		return formation.Errorf(formation.CodeInvalidParameter, op, string(b),
			"key of %d bytes is longer than the limit of %d", len(key)-room, MaxKeySize)
	}
	return nil
}

// The errors both implementations return for the same misuse, so the
// conformance suite can hold them to one behaviour.

func errClosed(op string) error {
	return formation.Errorf(formation.CodeUnavailable, op, "", "store is closed")
}

func errUnknownBucket(op string, b Bucket) error {
	return formation.Errorf(formation.CodeInvalidParameter, op, string(b), "unknown bucket")
}

func errReadOnly(op string, b Bucket) error {
	return formation.Errorf(formation.CodeInternal, op, string(b), "write in a read-only transaction")
}

func errTxDone(op string, b Bucket) error {
	return formation.Errorf(formation.CodeInternal, op, string(b),
		"transaction used after its function returned")
}

// joinKV copies key and value into one allocation and returns the two
// copies, capacity-clipped so appending to one never writes into the other.
// The value copy is never nil, so an empty value stays distinguishable from
// a missing key.
func joinKV(key, value []byte) (k, v []byte) {
	buf := make([]byte, len(key)+len(value))
	copy(buf, key)
	copy(buf[len(key):], value)
	return buf[:len(key):len(key)], buf[len(key):]
}

// scanRange is ScanOptions turned into cursor positions, shared by the
// implementations so they agree on every edge (prefixes of 0xff bytes, a
// Start outside the prefix range).
type scanRange struct {
	prefix  []byte // visit only keys with this prefix; stop at the first without
	reverse bool
	// Forward: begin at the first key >= from (nil: the first key).
	from []byte
	// Reverse: begin at the last key <= upTo (inclusive) or < upTo
	// (exclusive); nil upTo means the last key.
	upTo      []byte
	inclusive bool
}

// newScanRange resolves opts. An empty (non-nil) Prefix or Start means the
// same as nil.
func newScanRange(opts ScanOptions) scanRange {
	r := scanRange{prefix: opts.Prefix, reverse: opts.Reverse}
	if len(r.prefix) == 0 {
		r.prefix = nil
	}
	start := opts.Start
	if len(start) == 0 {
		start = nil
	}
	if !r.reverse {
		r.from = r.prefix
		if start != nil && bytes.Compare(start, r.from) > 0 {
			r.from = start
		}
		return r
	}
	end := prefixEnd(r.prefix)
	if start != nil && (end == nil || bytes.Compare(start, end) < 0) {
		r.upTo, r.inclusive = start, true
	} else {
		r.upTo = end // exclusive; nil means unbounded
	}
	return r
}

// prefixEnd returns the smallest key greater than every key with the prefix,
// or nil when there is none (an empty prefix, or one of only 0xff bytes).
func prefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
