package rfsapi

import (
	"bytes"
	"context"
	"errors"
	"sync"
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

	running sync.WaitGroup // the view's transactions, which Close waits for
	mu      sync.Mutex
	claims  map[*viewClaim]bool // held through the view: Close loses them
}

// newPrefixed returns the view of project in st.
func newPrefixed(st store.Store, project string, owns bool) *prefixed {
	return &prefixed{st: st, prefix: []byte(project + "/"), owns: owns}
}

// shared reports the keys every project sees as they are: the simulated
// cloud's (one cloud, whichever project deploys to it) and the store's
// schema version.
func shared(b store.Bucket, key []byte) bool {
	return b == store.World || (b == store.Meta && string(key) == store.SchemaVersionKey)
}

var errViewClosed = formation.Errorf(formation.CodeUnavailable, "rfsapi.project", "", "the project's engine is closed")

// run runs fn in a transaction of the store underneath, telling it the
// length of the view's prefix (store.WithKeyPrefix), so that the view
// takes keys of store.MaxKeySize and refuses longer ones with the store's
// own error; a claim of the view in ctx is passed on as the store's.
func (p *prefixed) run(ctx context.Context, txn func(context.Context, func(store.Tx) error) error, fn func(store.Tx) error) error {
	p.running.Add(1)
	defer p.running.Done()
	if p.closed.Load() {
		if err := ctx.Err(); err != nil {
			return err
		}
		return errViewClosed
	}
	if c, ok := store.ClaimOf(ctx).(*viewClaim); ok {
		ctx = store.WithClaim(ctx, c.Claim)
	}
	ctx = store.WithKeyPrefix(ctx, len(p.prefix))
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

// Close ends the view: it waits for the view's transactions, and the
// claims taken through it are lost (released in the store underneath).
func (p *prefixed) Close() error {
	if p.closed.Swap(true) {
		return nil
	}
	p.running.Wait()
	p.mu.Lock()
	held := p.claims
	p.claims = nil
	p.mu.Unlock()
	var errs []error
	for c := range held {
		errs = append(errs, c.lose())
	}
	if p.owns {
		errs = append(errs, p.st.Close())
	}
	return errors.Join(errs...)
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

// Claim takes the claim of name under the view's prefix; the claim it
// returns is named name, and is lost when the view closes.
func (p *prefixed) Claim(ctx context.Context, name string) (store.Claim, error) {
	if err := store.CheckClaimName(name); err != nil {
		return nil, err
	}
	if p.closed.Load() {
		return nil, errViewClosed
	}
	c, err := p.st.Claim(store.WithKeyPrefix(ctx, len(p.prefix)), string(p.prefix)+name)
	if err != nil {
		return nil, err
	}
	vc := &viewClaim{Claim: c, name: name, view: p, lost: make(chan struct{}), released: make(chan struct{})}
	p.mu.Lock()
	if p.closed.Load() {
		p.mu.Unlock()
		return nil, errors.Join(errViewClosed, c.Release())
	}
	if p.claims == nil {
		p.claims = map[*viewClaim]bool{}
	}
	p.claims[vc] = true
	p.mu.Unlock()
	go vc.watch()
	return vc, nil
}

// viewClaim is a claim taken through a view: named as the view's user
// named it, and lost when the claim underneath is, or the view closes.
type viewClaim struct {
	store.Claim
	name     string
	view     *prefixed
	lost     chan struct{}
	lostOnce sync.Once
	released chan struct{} // closed by Release: watch stops
	relOnce  sync.Once
}

func (c *viewClaim) Name() string          { return c.name }
func (c *viewClaim) Lost() <-chan struct{} { return c.lost }

// watch loses c when the claim underneath is lost, until c is released.
func (c *viewClaim) watch() {
	select {
	case <-c.Claim.Lost():
		c.lostOnce.Do(func() { close(c.lost) })
		c.view.forget(c)
	case <-c.released:
	}
}

// Release gives the claim up.
func (c *viewClaim) Release() error {
	c.view.forget(c)
	c.relOnce.Do(func() { close(c.released) })
	return c.Claim.Release()
}

// lose ends the claim as the view closes: released underneath, lost here.
func (c *viewClaim) lose() error {
	c.lostOnce.Do(func() { close(c.lost) })
	return c.Release()
}

func (p *prefixed) forget(c *viewClaim) {
	p.mu.Lock()
	delete(p.claims, c)
	p.mu.Unlock()
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

// Put and Delete leave checking the key to the store underneath, which
// allows for the prefix (store.WithKeyPrefix); a key every project shares
// has no prefix, so the view checks it as a store would.
func (t prefixedTx) Put(b store.Bucket, key, value []byte) error {
	if shared(b, key) {
		if err := store.CheckKey("store.Put", b, key); err != nil {
			return err
		}
	}
	return t.tx.Put(b, t.key(b, key), value)
}

func (t prefixedTx) Delete(b store.Bucket, key []byte) error {
	if shared(b, key) {
		if err := store.CheckKey("store.Delete", b, key); err != nil {
			return err
		}
	}
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
