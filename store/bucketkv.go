package store

import (
	"context"
	"strings"
)

// BucketKV presents one bucket of a Store as a flat string-keyed map under
// an optional key prefix: the shape of the simulated provider's WorldStore,
// so the simulated cloud can live in the same file as the engine's state and
// separate processes (CLI invocations) see one world. Every Put is its own
// durable commit.
type BucketKV struct {
	Store  Store
	Bucket Bucket
	Prefix string
}

// Load calls fn for every key under the prefix (with the prefix removed), in
// key order.
func (kv BucketKV) Load(ctx context.Context, fn func(key string, value []byte) error) error {
	return kv.Store.View(ctx, func(tx Tx) error {
		return tx.Scan(kv.Bucket, ScanOptions{Prefix: []byte(kv.Prefix)}, func(k, v []byte) (bool, error) {
			return true, fn(strings.TrimPrefix(string(k), kv.Prefix), append([]byte(nil), v...))
		})
	})
}

// Put stores value at key (under the prefix); a nil value deletes the key.
func (kv BucketKV) Put(ctx context.Context, key string, value []byte) error {
	return kv.Store.Update(ctx, func(tx Tx) error {
		if value == nil {
			return tx.Delete(kv.Bucket, []byte(kv.Prefix+key))
		}
		return tx.Put(kv.Bucket, []byte(kv.Prefix+key), value)
	})
}
