package sim

import (
	"context"

	"github.com/formation-engine/formation/store"
)

// StoreWorld keeps the world in an engine store's World keyspace (outside
// the engine's buckets), so that the simulated cloud lives in the same file
// as the engine's state (bbolt) or on the same etcd cluster as the engine's
// replicas. It is a CurrentWorld: every Get reads the store as it is now.
type StoreWorld struct {
	Store store.Store
}

var _ CurrentWorld = StoreWorld{}

// Load calls fn for every record, in key order.
func (s StoreWorld) Load(ctx context.Context, fn func(key string, value []byte) error) error {
	return s.Store.View(ctx, func(tx store.Tx) error {
		return tx.Scan(store.World, store.ScanOptions{}, func(k, v []byte) (bool, error) {
			return true, fn(string(k), append([]byte(nil), v...))
		})
	})
}

// Get returns the value at key, or nil.
func (s StoreWorld) Get(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := s.Store.View(ctx, func(tx store.Tx) error {
		v = tx.Get(store.World, []byte(key))
		return nil
	})
	return v, err
}

// Write stores the pairs in as few transactions as the store's limits
// (store.Limits) allow, each one durable commit, in order.
func (s StoreWorld) Write(ctx context.Context, pairs []KV) error {
	lim := s.Store.Limits()
	for len(pairs) > 0 {
		n, size := 0, 0
		for n < len(pairs) && n < lim.MaxOps {
			sz := len(pairs[n].Key) + len(pairs[n].Value)
			if n > 0 && size+sz > lim.MaxBytes {
				break
			}
			size += sz
			n++
		}
		chunk := pairs[:n]
		if err := s.Store.Update(ctx, func(tx store.Tx) error {
			for _, p := range chunk {
				if err := put(tx, p); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		pairs = pairs[n:]
	}
	return nil
}

// put writes one pair in tx.
func put(tx store.Tx, p KV) error {
	if p.Value == nil {
		return tx.Delete(store.World, []byte(p.Key))
	}
	return tx.Put(store.World, []byte(p.Key), p.Value)
}
