package rfsapi

import (
	"bytes"
	"context"

	"github.com/formation-engine/formation/store"
)

// prefixed is one project's view of a store shared by many: every key of
// every bucket is stored under the project's prefix, so each project's
// engine sees only its own stacks, plans, events and counters. Close does
// not close the shared store (its owner, Projects, does).
type prefixed struct {
	st     store.Store
	prefix []byte
}

// shared are the buckets every project sees whole: the simulated cloud is
// one cloud, whichever project deploys to it.
func shared(b store.Bucket) bool { return b == store.World }

func (p *prefixed) View(ctx context.Context, fn func(store.Tx) error) error {
	return p.st.View(ctx, func(tx store.Tx) error { return fn(prefixedTx{tx, p.prefix}) })
}

func (p *prefixed) Update(ctx context.Context, fn func(store.Tx) error) error {
	return p.st.Update(ctx, func(tx store.Tx) error { return fn(prefixedTx{tx, p.prefix}) })
}

func (p *prefixed) Batch(ctx context.Context, fn func(store.Tx) error) error {
	return p.st.Batch(ctx, func(tx store.Tx) error { return fn(prefixedTx{tx, p.prefix}) })
}

func (p *prefixed) Close() error { return nil }

type prefixedTx struct {
	tx     store.Tx
	prefix []byte
}

func (t prefixedTx) key(b store.Bucket, k []byte) []byte {
	if shared(b) || k == nil {
		return k
	}
	return append(bytes.Clone(t.prefix), k...)
}

func (t prefixedTx) Get(b store.Bucket, key []byte) []byte { return t.tx.Get(b, t.key(b, key)) }

func (t prefixedTx) Put(b store.Bucket, key, value []byte) error {
	if len(key) == 0 {
		return t.tx.Put(b, key, value) // the store's own refusal of an empty key
	}
	return t.tx.Put(b, t.key(b, key), value)
}

func (t prefixedTx) Delete(b store.Bucket, key []byte) error {
	return t.tx.Delete(b, t.key(b, key))
}

func (t prefixedTx) Scan(b store.Bucket, opts store.ScanOptions, fn func(key, value []byte) (bool, error)) error {
	if shared(b) {
		return t.tx.Scan(b, opts, fn)
	}
	opts.Prefix = append(bytes.Clone(t.prefix), opts.Prefix...)
	if opts.Start != nil {
		opts.Start = append(bytes.Clone(t.prefix), opts.Start...)
	}
	n := len(t.prefix)
	return t.tx.Scan(b, opts, func(k, v []byte) (bool, error) { return fn(k[n:], v) })
}
