// Package storetest is the conformance suite for store.Store
// implementations, and helpers for tests that use a store.
//
// An implementation's test runs the suite with a function that opens a new,
// empty store:
//
//	func TestMyStore(t *testing.T) {
//		storetest.Run(t, func(t testing.TB) store.Store {
//			s, err := mystore.Open(...)
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// Tests of code that writes to a store use Dump to compare the whole store
// before and after a call that must change nothing:
//
//	before := storetest.Dump(t, s)
//	if err := e.UpdateStack(ctx, bad); err == nil { ... }
//	if after := storetest.Dump(t, s); !reflect.DeepEqual(before, after) { ... }
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
)

// Dump returns every key and value of every bucket of s, keyed by bucket
// (every bucket is present, empty ones as empty maps) and then by key. It
// fails the test if s cannot be read.
func Dump(t testing.TB, s store.Store) map[store.Bucket]map[string]string {
	t.Helper()
	out := make(map[store.Bucket]map[string]string, len(store.Buckets()))
	err := s.View(context.Background(), func(tx store.Tx) error {
		for _, b := range store.Buckets() {
			m := make(map[string]string)
			err := tx.Scan(b, store.ScanOptions{}, func(k, v []byte) (bool, error) {
				m[string(k)] = string(v)
				return true, nil
			})
			if err != nil {
				return err
			}
			out[b] = m
		}
		return nil
	})
	if err != nil {
		t.Fatalf("storetest.Dump: %v", err)
	}
	return out
}

// Run runs the conformance suite against the stores open returns. open must
// return a new store holding only what a newly created store holds (the
// schema version in store.Meta) and arrange for it to be closed when the test
// ends (t.Cleanup); some subtests close it themselves first, so Close must
// tolerate a second call. The subtests run in parallel.
//
// Besides the contract in package store, the suite holds every
// implementation to these details, so engine code behaves the same on all:
//
//   - Put and Delete refuse an empty key, or one longer than
//     store.MaxKeySize, with CodeInvalidParameter; Get of an empty key is nil.
//   - An unknown bucket: Put, Delete and Scan return CodeInvalidParameter,
//     Get returns nil.
//   - Put and Delete in a View return CodeInternal.
//   - An empty value (nil or not) reads back as a non-nil empty slice.
//   - An empty, non-nil ScanOptions.Prefix or Start means the same as nil.
//   - A panic in an Update's or a Batch's fn rolls back and is re-raised
//     with the same value.
//   - A Tx used after its function returns: Put, Delete and Scan return an
//     error, Get returns nil.
//   - View, Update and Batch with a done ctx return ctx.Err() itself without
//     calling fn; after Close they return CodeUnavailable.
//   - Close waits for running transactions, which finish normally.
//   - Contract version 2: Limits is enforced on every Update and Batch, values
//     up to MaxValueSize are kept whole whatever the limits; claims are exclusive, ErrClaimed otherwise,
//     and an Update under a released claim changes nothing; Close loses the
//     claims still held; a watch is signalled by every commit under its
//     prefix and closed with its ctx.
func Run(t *testing.T, open func(t testing.TB) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Buckets", testBuckets},
		{"SchemaVersion", testSchemaVersion},
		{"GetMissing", testGetMissing},
		{"GetReturnsCopy", testGetReturnsCopy},
		{"PutCopiesArguments", testPutCopiesArguments},
		{"EmptyValue", testEmptyValue},
		{"EmptyKeyRefused", testEmptyKeyRefused},
		{"KeyTooLarge", testKeyTooLarge},
		{"UnknownBucket", testUnknownBucket},
		{"ReadYourWrites", testReadYourWrites},
		{"UpdateRollbackOnError", testUpdateRollbackOnError},
		{"UpdatePanicRollsBack", testUpdatePanicRollsBack},
		{"ViewCannotWrite", testViewCannotWrite},
		{"Delete", testDelete},
		{"ScanExamples", testScanExamples},
		{"ScanMatchesReference", testScanMatchesReference},
		{"ScanManyKeys", testScanManyKeys},
		{"ScanEarlyStop", testScanEarlyStop},
		{"ScanError", testScanError},
		{"TxAfterReturn", testTxAfterReturn},
		{"Batch", testBatch},
		{"BatchError", testBatchError},
		{"ConcurrentViewsAndUpdates", testConcurrent},
		{"CancelledContext", testCancelledContext},
		{"Close", testClose},
		{"CloseWaitsForTransactions", testCloseWaits},
		{"Limits", testLimits},
		{"LargeValues", testLargeValues},
		{"Claims", testClaims},
		{"Watch", testWatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

var (
	ctx     = context.Background()
	errBoom = errors.New("storetest: boom")
)

// put commits key=value pairs (alternating strings) to b.
func put(t *testing.T, s store.Store, b store.Bucket, kv ...string) {
	t.Helper()
	err := s.Update(ctx, func(tx store.Tx) error {
		for i := 0; i+1 < len(kv); i += 2 {
			if err := tx.Put(b, []byte(kv[i]), []byte(kv[i+1])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("put: %v", err)
	}
}

// get reads one key in its own View; ok is false when it is missing.
func get(t *testing.T, s store.Store, b store.Bucket, key string) (v string, ok bool) {
	t.Helper()
	var got []byte
	if err := s.View(ctx, func(tx store.Tx) error {
		got = tx.Get(b, []byte(key))
		return nil
	}); err != nil {
		t.Fatalf("get: %v", err)
	}
	return string(got), got != nil
}

// keys scans b with opts and returns the keys visited.
func keys(t *testing.T, tx store.Tx, b store.Bucket, opts store.ScanOptions) []string {
	t.Helper()
	var out []string
	err := tx.Scan(b, opts, func(k, _ []byte) (bool, error) {
		out = append(out, string(k))
		return true, nil
	})
	if err != nil {
		t.Fatalf("Scan(%s, %s): %v", b, fmtOpts(opts), err)
	}
	return out
}

// mustUnchanged fails if s differs from before.
func mustUnchanged(t *testing.T, s store.Store, before map[store.Bucket]map[string]string) {
	t.Helper()
	if after := Dump(t, s); !reflect.DeepEqual(before, after) {
		t.Errorf("store changed:\nbefore %q\nafter  %q", before, after)
	}
}

func fmtOpts(o store.ScanOptions) string {
	return fmt.Sprintf("Prefix:%q Start:%q Reverse:%v", o.Prefix, o.Start, o.Reverse)
}

func wantCode(t *testing.T, what string, err error, code formation.Code) {
	t.Helper()
	if !formation.HasCode(err, code) {
		t.Errorf("%s: err = %v, want a *formation.Error with code %s", what, err, code)
	}
}

// writeSome changes every kind of thing a transaction can change.
func writeSome(tx store.Tx) error {
	for _, b := range store.Buckets() {
		if b == store.Meta {
			continue
		}
		if err := tx.Put(b, []byte("new"), []byte("x")); err != nil {
			return err
		}
		if err := tx.Put(b, []byte("old"), []byte("changed")); err != nil {
			return err
		}
		if err := tx.Delete(b, []byte("gone")); err != nil {
			return err
		}
	}
	return nil
}

func seed(t *testing.T, s store.Store) {
	t.Helper()
	for _, b := range store.Buckets() {
		if b != store.Meta {
			put(t, s, b, "old", "o", "gone", "g")
		}
	}
}
