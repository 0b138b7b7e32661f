package store

import "context"

// Helpers for Store implementations outside this package (store/etcd), so
// that every implementation refuses the same misuse with the same error and
// scans the same range for the same ScanOptions.

// CheckKey refuses an empty key or one longer than MaxKeySize with
// CodeInvalidParameter.
func CheckKey(op string, b Bucket, key []byte) error { return checkKey(op, b, key) }

// CheckKeyIn is CheckKey in a transaction run with ctx, which allows for a
// view's key prefix (WithKeyPrefix).
func CheckKeyIn(ctx context.Context, op string, b Bucket, key []byte) error {
	return checkKeyRoom(op, b, key, keyRoom(ctx))
}

// CheckClaimNameIn is CheckClaimName for a claim taken with ctx, which
// allows for a view's prefix (WithKeyPrefix).
func CheckClaimNameIn(ctx context.Context, name string) error {
	return checkClaimName(name, keyRoom(ctx))
}

// KnownBucket reports whether b is one of Buckets() or World.
func KnownBucket(b Bucket) bool { return knownBucket(b) }

// ErrorClosed is the error of a call on a closed store.
func ErrorClosed(op string) error { return errClosed(op) }

// ErrorUnknownBucket is the error of a write or scan of an unknown bucket.
func ErrorUnknownBucket(op string, b Bucket) error { return errUnknownBucket(op, b) }

// ErrorReadOnly is the error of a write in a View.
func ErrorReadOnly(op string, b Bucket) error { return errReadOnly(op, b) }

// ErrorTxDone is the error of a Tx used after its function returned.
func ErrorTxDone(op string, b Bucket) error { return errTxDone(op, b) }

// EncodeSchemaVersion is the Meta value of SchemaVersionKey this build
// writes.
func EncodeSchemaVersion() []byte { return encodeSchemaVersion() }

// CheckSchemaVersion accepts only the schema version this build writes,
// refusing a newer one with CodeUnavailable and a corrupt or older one with
// CodeInternal.
func CheckSchemaVersion(v []byte) error { return checkSchemaVersion(v) }

// KeyRange returns the keys a Scan with opts visits as the half-open range
// [lo, hi) (hi nil: no upper bound), to be visited upwards from lo, or
// downwards from hi with opts.Reverse. lo >= hi means the range is empty.
func KeyRange(opts ScanOptions) (lo, hi []byte) {
	r := newScanRange(opts)
	if !r.reverse {
		return r.from, prefixEnd(r.prefix)
	}
	hi = r.upTo
	if r.inclusive {
		hi = append(hi[:len(hi):len(hi)], 0)
	}
	return r.prefix, hi
}
