package rfsapi

import (
	"bytes"
	"context"
	"sync/atomic"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
)

// prefixed is one project's view of a store shared by many: every key of
// every bucket is stored under the project's prefix, so each project's
// engine sees only its own stacks, plans, events and counters. Closing the
// view ends it, and closes the store only when the view owns it
// (OpenProject); StoreProjects closes the store its views share.
type prefixed struct {
	st     store.Store
	prefix []byte
	owns   bool // closing the view closes st: the view of a single engine (OpenProject)
	closed atomic.Bool
}

// shared reports the keys every project sees as they are: the simulated
// cloud's (one cloud, whichever project deploys to it) and the store's
// schema version.
func shared(b store.Bucket, key []byte) bool {
	return b == store.World || (b == store.Meta && string(key) == store.SchemaVersionKey)
}

var errViewClosed = formation.Errorf(formation.CodeUnavailable, "rfsapi.project", "", "the project's engine is closed")

func (p *prefixed) run(ctx context.Context, txn func(context.Context, func(store.Tx) error) error, fn func(store.Tx) error) error {
	if p.closed.Load() {
		if err := ctx.Err(); err != nil {
			return err
		}
		return errViewClosed
	}
	return txn(ctx, func(tx store.Tx) error { return fn(prefixedTx{tx, p.prefix}) })
}

func (p *prefixed) View(ctx context.Context, fn func(store.Tx) error) error {
	return p.run(ctx, p.st.View, fn)
}

func (p *prefixed) Update(ctx context.Context, fn func(store.Tx) error) error {
	return p.run(ctx, p.st.Update, fn)
}

func (p *prefixed) Batch(ctx context.Context, fn func(store.Tx) error) error {
	return p.run(ctx, p.st.Batch, fn)
}

func (p *prefixed) Close() error {
	if p.closed.Swap(true) || !p.owns {
		return nil
	}
	return p.st.Close()
}

// Limits, Claim and Watch are the shared store's, claims and watches taken
// under the project's prefix.
// Shared implements store.Shared: "" unless the store underneath is
// shared by several processes.
func (p *prefixed) Shared() string {
	if sh, ok := p.st.(store.Shared); ok {
		return sh.Shared()
	}
	return ""
}

func (p *prefixed) Limits() store.Limits { return p.st.Limits() }

func (p *prefixed) Claim(ctx context.Context, name string) (store.Claim, error) {
	return p.st.Claim(ctx, string(p.prefix)+name)
}

func (p *prefixed) Watch(ctx context.Context, b store.Bucket, prefix []byte) (<-chan struct{}, error) {
	if b == store.World {
		return p.st.Watch(ctx, b, prefix) // one cloud for all projects
	}
	return p.st.Watch(ctx, b, append(bytes.Clone(p.prefix), prefix...))
}

type prefixedTx struct {
	tx     store.Tx
	prefix []byte
}

// key is where k is stored. An empty key stays empty, for the store to
// refuse.
func (t prefixedTx) key(b store.Bucket, k []byte) []byte {
	if len(k) == 0 || shared(b, k) {
		return k
	}
	return append(bytes.Clone(t.prefix), k...)
}

func (t prefixedTx) Get(b store.Bucket, key []byte) []byte { return t.tx.Get(b, t.key(b, key)) }

func (t prefixedTx) Put(b store.Bucket, key, value []byte) error {
	return t.tx.Put(b, t.key(b, key), value)
}

func (t prefixedTx) Delete(b store.Bucket, key []byte) error {
	return t.tx.Delete(b, t.key(b, key))
}

func (t prefixedTx) Scan(b store.Bucket, opts store.ScanOptions, fn func(key, value []byte) (bool, error)) error {
	if b == store.World {
		return t.tx.Scan(b, opts, fn)
	}
	opts.Prefix = append(bytes.Clone(t.prefix), opts.Prefix...)
	if len(opts.Start) > 0 {
		opts.Start = append(bytes.Clone(t.prefix), opts.Start...)
	} else {
		opts.Start = nil
	}
	n := len(t.prefix)
	return t.tx.Scan(b, opts, func(k, v []byte) (bool, error) { return fn(k[n:], v) })
}
