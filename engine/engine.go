package engine

import (
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"sync"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/internal/recent"
	"github.com/formation-engine/formation/internal/uuid"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/template"
)

// Engine runs stacks, execution plans and deployments against a store. It
// is safe for concurrent use by many goroutines. Mutating calls (creating,
// deploying, deleting) validate, persist the new status and return at once
// with a deployment id; the work runs in the background and Wait blocks
// until it is terminal. At most one mutating operation runs per stack at a
// time: a second is refused with CodeStackBusy (403).
type Engine struct {
	cfg   Config
	st    store.Store
	ids   *uuid.Generator
	clock formation.Clock
	log   *slog.Logger
	// flushers are the providers that hold their calls' effects until
	// flushed (provider.Flusher): flushed before every commit.
	flushers []provider.Flusher

	// bg is the context of background operations; Close cancels it.
	bg       context.Context
	cancelBg context.CancelFunc
	running  sync.WaitGroup
	// deferred is what New found interrupted and, with
	// Config.DeferRecovery, left for Recover.
	deferred interrupted

	// draining ends when Shutdown begins: running operations start
	// nothing more, stop refreshing, and the engine takes nothing over.
	draining      context.Context
	startDraining context.CancelFunc

	mu     sync.Mutex
	closed bool
	ops    map[string]*operation // running or recently finished, by deployment id
	done   []string              // finished operations in ops, oldest first (see keepFinished)
	claims map[string]bool       // stacks a request is operating, by name (claim)
	// holding: stacks whose store claim an operation of this engine holds,
	// by name; the channel is closed once it is released (launch).
	holding map[string]chan struct{}
	adopts  sync.Once // starts adoptEvery on a shared store

	followers        followers
	slots            chan struct{}                                        // Config.GlobalParallelism provider operations at once
	made             madePlans                                            // execution plans made here, to apply without decoding
	parsed           *recent.Cache[[sha256.Size]byte, *template.Template] // templates parsed, by templateKey
	stackRecords     decoded[*stackRecord]                                // the stack records reads decoded, by key
	resourceListings decoded[[]formation.StackResource]                   // what ListStackResources made of resource records, by key
	committer        committer                                            // coalesces concurrent commits into one transaction

	// hooks are points where a test holds a goroutine to order it against
	// the others; nil outside tests.
	hooks struct {
		// recordQueued is called by an operation that has queued the
		// write of its resource's record, marked status, once it lets other
		// operations mark the record (x.mu released).
		recordQueued func(n *node, status formation.ResourceStatus)
	}
}

// Open opens (creating if needed) the bbolt store file at path and returns
// an engine over it configured by cfg, as New does; cfg.Store must be nil
// (the file is the store). A second process opening the same file gets an
// ErrUnavailable error within a second.
func Open(path string, cfg Config) (*Engine, error) {
	if cfg.Store != nil {
		return nil, formation.Errorf(formation.CodeInvalidParameter, "engine.Open", path, "Config.Store must be nil: Open's store is the file")
	}
	st, err := store.OpenBolt(path, store.BoltOptions{})
	if err != nil {
		return nil, err
	}
	cfg.Store = st
	return New(cfg) // which closes st if it fails
}

// New returns an engine over cfg.Store, which it owns from then on (Close
// closes it, and so does a failing New). Stacks found *_IN_PROGRESS, left by
// a crash or by Close, are recovered: their operation resumes in the
// background.
//
// On a shared store (store.Shared: etcd) many engines may run at once, each
// serving any request. Each operation runs in the one engine that holds its
// stack's claim; the others refuse a second mutation of the stack as busy,
// follow its events through the store's change feed, and take it over,
// resuming from its journal, when the engine running it dies (its claim
// expires after the store's lease TTL; each engine looks every
// Config.TakeoverInterval).
func New(cfg Config) (*Engine, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		if cfg.Store != nil {
			_ = cfg.Store.Close()
		}
		return nil, err
	}
	e := &Engine{
		cfg:     cfg,
		st:      cfg.Store,
		clock:   cfg.Clock,
		log:     cfg.Logger,
		ops:     make(map[string]*operation),
		claims:  make(map[string]bool),
		holding: make(map[string]chan struct{}),
		parsed:  recent.New[[sha256.Size]byte, *template.Template](maxParsedSource),
	}
	e.flushers = flushersOf(cfg)
	e.followers.init()
	e.draining, e.startDraining = context.WithCancel(context.Background())
	e.slots = make(chan struct{}, cfg.GlobalParallelism)
	if cfg.IDSeed != 0 {
		e.ids = uuid.NewSeeded(cfg.IDSeed)
	} else {
		e.ids = uuid.NewRandom()
	}
	e.bg, e.cancelBg = context.WithCancel(context.Background())
	work, err := e.findInterrupted(context.Background())
	if err != nil {
		e.cancelBg()
		_ = e.st.Close()
		return nil, err
	}
	if cfg.DeferRecovery {
		e.deferred = work
	} else {
		e.resume(work)
	}
	if !cfg.DeferRecovery {
		e.adoptOnShared()
	}
	return e, nil
}

// Recover resumes, in the background, the operations New found
// interrupted and left stopped (Config.DeferRecovery). Deployments this
// engine started since are not among them; calling it again resumes
// nothing twice.
func (e *Engine) Recover() {
	e.mu.Lock()
	work := e.deferred
	e.deferred = interrupted{}
	e.mu.Unlock()
	e.resume(work)
	e.adoptOnShared()
}

// Close stops the engine: new calls fail with ErrUnavailable, running
// operations stop at their next safe point, cancelling the provider calls
// in flight (what they finished is durable; the rest resumes when the store
// is opened again), and the store is closed. Close is safe to call more
// than once.
func (e *Engine) Close() error {
	if !e.markClosed() {
		return nil
	}
	return e.stop()
}

// Shutdown stops the engine gracefully, as Terraform's first Ctrl-C does:
// new calls fail with ErrUnavailable and running operations start nothing
// more, but the provider calls in flight finish and are recorded. The
// interrupted operations stay *_IN_PROGRESS and resume when the store is
// opened again (or, on a shared store, when another engine takes them
// over). If ctx ends first, what still runs stops as Close stops it. The
// store is closed in both cases. Shutdown, like Close, is safe to call more
// than once.
func (e *Engine) Shutdown(ctx context.Context) error {
	if !e.markClosed() {
		return nil
	}
	e.startDraining()
	idle := make(chan struct{})
	go func() {
		e.running.Wait()
		close(idle)
	}()
	select {
	case <-idle:
	case <-ctx.Done():
	}
	return e.stop()
}

// markClosed refuses new calls from now on. It reports false when the
// engine was closed already.
func (e *Engine) markClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return false
	}
	e.closed = true
	return true
}

// stop cancels what runs, waits for it, and closes the store.
func (e *Engine) stop() error {
	e.cancelBg()
	e.startDraining()
	e.running.Wait()
	e.followers.closeAll()
	return e.st.Close()
}

// errDraining stops a running operation's scheduler when the engine shuts
// down: like closing, it leaves the operation for recovery.
var errDraining = &formation.Error{Code: formation.CodeUnavailable, Message: "engine is shutting down: the operation resumes when the store is opened again"}

var errClosed = &formation.Error{Code: formation.CodeUnavailable, Message: "engine is closed"}

// check returns an error when the engine is closed or ctx is done.
func (e *Engine) check(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return formation.ContextError(op, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return &formation.Error{Code: formation.CodeUnavailable, Op: op, Message: errClosed.Message}
	}
	return nil
}

// txn is a write transaction of the engine: the store's, plus the stacks
// whose events it appended, whose followers are woken once it commits.
type txn struct {
	store.Tx
	touched  map[string]bool   // stack ids
	lastSeq  map[string]uint64 // per stack: the newest event's sequence, once read
	appended map[string]bool   // stacks this transaction appended events to
	clock    formation.Clock   // dates the events appended, as they are numbered

	followers *followers
	buried    map[string][]formation.Event // by stack id: the last events of stacks purged, for their followers

	key, val []byte // scratch for appendEvents: the store copies what it is given

	ops, bytes int // the writes so far, against the store's limits
}

// Put counts the write against the store's limits (see nearlyFull).
func (tx *txn) Put(b store.Bucket, key, value []byte) error {
	tx.ops++
	tx.bytes += len(key) + len(value)
	return tx.Tx.Put(b, key, value)
}

// Delete counts the write against the store's limits.
func (tx *txn) Delete(b store.Bucket, key []byte) error {
	tx.ops++
	tx.bytes += len(key)
	return tx.Tx.Delete(b, key)
}

// txnHeadroom is what a transaction keeps free for one more write of the
// deployment writer's: a resource's result and its event, at most seven
// keys (the record, its ownership, its creation generation, the withdrawn
// intent, the event and its two index entries). A larger write that does
// not fit is cut off and leads the next transaction (writer.commitPrefix);
// more room would close every transaction early, and on etcd, whose
// transactions hold 128 operations, the commits, each a round trip with
// an fsync, are what an apply waits for.
var txnHeadroom = store.Limits{MaxOps: 8, MaxBytes: 256 << 10}

// nearlyFull reports whether tx has too little room left under lim for
// another typical write: the writer then commits it and starts another.
// The records the commit adds at its end (recordEventSeqs: one per stack
// that gained events) count as written, so that a transaction shared by
// many stacks' writes is closed before they no longer fit.
func (tx *txn) nearlyFull(lim store.Limits) bool {
	pending := len(tx.appended)
	return tx.ops+pending > lim.MaxOps-txnHeadroom.MaxOps ||
		tx.bytes+pending*eventSeqRecordSize > lim.MaxBytes-txnHeadroom.MaxBytes
}

// eventSeqRecordSize bounds the bytes of one record of recordEventSeqs: its
// key (a stack id under a short prefix) and 8 bytes of sequence.
const eventSeqRecordSize = 64

// update runs fn in a store transaction, naming the operation on store
// errors that are not already typed. After the commit it wakes the
// followers of every stack that gained events.
func (e *Engine) update(ctx context.Context, op string, fn func(*txn) error) error {
	if err := e.check(ctx, op); err != nil {
		return err
	}
	return e.commit(ctx, op, fn)
}

// commit is update without the closed check: the deployment writer uses it
// to record what finished while Close waits for it.
func (e *Engine) commit(ctx context.Context, op string, fn func(*txn) error) error {
	for _, f := range e.flushers {
		// What the commit records of provider calls must not outlive what
		// the calls did: a crash after the commit would keep a record of a
		// resource the provider had not yet made durable.
		if err := f.Flush(ctx); err != nil {
			return typed(op, err)
		}
	}
	return typed(op, e.commitTx(ctx, fn))
}

// flushersOf lists the providers of cfg (registered and default) that
// implement provider.Flusher. One registered under several names is listed
// as often: a second Flush finds nothing to write.
func flushersOf(cfg Config) []provider.Flusher {
	var ps []provider.Provider
	if cfg.Providers != nil {
		for _, name := range cfg.Providers.Names() {
			p, _ := cfg.Providers.Provider(name)
			ps = append(ps, p)
		}
	}
	ps = append(ps, cfg.DefaultProvider)
	var out []provider.Flusher
	for _, p := range ps {
		if f, ok := p.(provider.Flusher); ok {
			out = append(out, f)
		}
	}
	return out
}

// touch marks a stack whose followers must re-read once tx commits: its
// events, deployments or existence changed.
func (tx *txn) touch(stackID string) {
	if tx.touched == nil {
		tx.touched = map[string]bool{}
	}
	tx.touched[stackID] = true
}

func (e *Engine) view(ctx context.Context, op string, fn func(store.Tx) error) error {
	if err := e.check(ctx, op); err != nil {
		return err
	}
	return typed(op, e.st.View(ctx, fn))
}

// typed leaves *formation.Error values as they are, types context errors
// (CodeCanceled, CodeTimeout: errors.Is still sees them) and wraps anything
// else as an internal error of op.
func typed(op string, err error) error {
	var fe *formation.Error
	switch {
	case err == nil || errors.As(err, &fe):
		return err
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return formation.ContextError(op, err)
	}
	return formation.Wrap(formation.CodeInternal, op, "", err)
}

func (e *Engine) now() formation.Time { return formation.NewTime(e.clock.Now()) }

// acquire takes one of the global provider-operation slots.
func (e *Engine) acquire(ctx context.Context) error {
	select {
	case e.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (e *Engine) release() { <-e.slots }

// isDraining reports whether Shutdown has begun.
func (e *Engine) isDraining() bool { return e.draining.Err() != nil }

// untilDraining is ctx, also cancelled when Shutdown begins: for work that
// is safe to abandon (reads), so that a shutdown need not wait for it.
func (e *Engine) untilDraining(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(e.draining, cancel)
	return ctx, func() {
		stop()
		cancel()
	}
}
