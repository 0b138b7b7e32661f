package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/formation-engine/formation"
)

// DefaultTimeout is how long OpenBolt waits for the file lock when
// BoltOptions.Timeout is zero.
const DefaultTimeout = time.Second

// BoltOptions configures OpenBolt. The zero value is a valid configuration.
type BoltOptions struct {
	// Timeout is how long OpenBolt waits for another process (or another
	// open in this one) to release the file lock before failing with
	// CodeUnavailable. Zero means DefaultTimeout and a negative value tries
	// once; there is no way to wait forever.
	Timeout time.Duration
	// NoSync skips fsync after each commit. It is for benchmarks and bulk
	// loads only: a crash (of the machine, not just the process) can lose
	// committed transactions or corrupt the file.
	NoSync bool
	// Mode is the permission of a newly created file; zero means 0600.
	Mode os.FileMode
	// Limits bounds each transaction's writes; zero means BoltLimits.
	// DefaultLimits makes a file behave as an etcd store would.
	Limits Limits
}

// BoltLimits are a bbolt file's limits unless BoltOptions.Limits says
// otherwise: far above etcd's, since one bbolt commit (one fsync) for
// thousands of writes is what makes bbolt fast, and bounded all the same.
var BoltLimits = Limits{MaxOps: 1 << 20, MaxBytes: 256 << 20}

// Bolt is the embedded Store: one bbolt file, locked for the lifetime of the
// Bolt so only one process (and one open in this process) uses it at a time.
// It is safe for concurrent use; see Store for the concurrency contract.
//
// Each Update commits with an fsync (unless BoltOptions.NoSync), so prefer
// Batch for many small concurrent writes. Do not nest transactions in one
// goroutine: a commit may need to remap the file, which waits for every open
// View, including the caller's own.
//
// Keys and values passed to a Scan callback point into the file's memory
// map: writing to them crashes the process.
type Bolt struct {
	db     *bolt.DB
	path   string
	limits Limits
	closed atomic.Bool
	local  // claims and watches
}

var _ Store = (*Bolt)(nil)

// OpenBolt opens the bbolt file at path, creating it if needed, creates
// every bucket and writes SchemaVersion on first open.
//
// Errors (all *formation.Error):
//   - CodeUnavailable "store is locked by another process" when the file
//     lock is not released within opts.Timeout;
//   - CodeUnavailable "... written by a newer Formation ..." when the file's
//     schema version is newer than SchemaVersion. Unavailable rather than
//     internal because nothing is broken: this build cannot use the file, a
//     newer one can, and the file is left untouched;
//   - CodeInvalidParameter for an empty path;
//   - CodeInternal for I/O failures, a file that is not a bbolt database, or
//     a corrupt schema version.
func OpenBolt(path string, opts BoltOptions) (*Bolt, error) {
	const op = "store.OpenBolt"
	if path == "" {
		return nil, formation.Errorf(formation.CodeInvalidParameter, op, "", "empty path")
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Mode == 0 {
		opts.Mode = 0o600
	}
	db, err := bolt.Open(path, opts.Mode, &bolt.Options{
		Timeout: opts.Timeout,
		NoSync:  opts.NoSync,
		// The hashmap freelist stays fast as the file grows and fragments
		// (events are appended, old ones deleted); the on-disk format is
		// the same as with the default array freelist.
		FreelistType: bolt.FreelistMapType,
		// bbolt re-maps the file each time it outgrows its mapping, which
		// stalls every transaction; reserving address space (not memory)
		// for the first 256 MiB avoids that while the file grows.
		InitialMmapSize: 256 << 20,
	})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, &formation.Error{Code: formation.CodeUnavailable, Op: op, Resource: path,
				Message: "store is locked by another process", Err: err}
		}
		return nil, formation.Wrap(formation.CodeInternal, op, path, err)
	}
	if err := db.Update(initSchema); err != nil {
		_ = db.Close()
		var fe *formation.Error
		if errors.As(err, &fe) {
			fe.Op, fe.Resource = op, path
			return nil, fe
		}
		return nil, formation.Wrap(formation.CodeInternal, op, path, err)
	}
	limits := opts.Limits
	if limits == (Limits{}) {
		limits = BoltLimits
	}
	return &Bolt{db: db, path: path, limits: limits}, nil
}

// initSchema checks the schema version before writing anything, then
// creates the buckets and records the version of a new file.
func initSchema(tx *bolt.Tx) error {
	var version []byte
	if meta := tx.Bucket([]byte(Meta)); meta != nil {
		version = meta.Get([]byte(SchemaVersionKey))
	}
	if version != nil {
		if err := checkSchemaVersion(version); err != nil {
			return err
		}
	}
	for _, b := range allBuckets() {
		if _, err := tx.CreateBucketIfNotExists([]byte(b)); err != nil {
			return err
		}
	}
	if err := moveLegacyWorld(tx); err != nil {
		return err
	}
	if version != nil {
		return nil
	}
	return tx.Bucket([]byte(Meta)).Put([]byte(SchemaVersionKey), encodeSchemaVersion())
}

// legacyWorld is the bucket the simulated world was kept in among the
// engine's buckets, before it moved to its own keyspace (World).
const legacyWorld = "world"

// moveLegacyWorld moves the records of a file's legacy world bucket into
// World, as they are (their format did not change), and drops the bucket,
// so that a file written before the move keeps its simulated cloud.
func moveLegacyWorld(tx *bolt.Tx) error {
	old := tx.Bucket([]byte(legacyWorld))
	if old == nil {
		return nil
	}
	world := tx.Bucket([]byte(World))
	if err := old.ForEach(func(k, v []byte) error {
		if v == nil {
			return nil // a nested bucket: the world never had one
		}
		return world.Put(k, v)
	}); err != nil {
		return err
	}
	return tx.DeleteBucket([]byte(legacyWorld))
}

func encodeSchemaVersion() []byte {
	return binary.BigEndian.AppendUint64(nil, SchemaVersion)
}

// checkSchemaVersion accepts only the version this build writes. A file
// with a known version still gets any missing buckets (CreateBucketIfNotExists).
func checkSchemaVersion(v []byte) error {
	if len(v) != 8 {
		return formation.Errorf(formation.CodeInternal, "", "",
			"corrupt schema version: %d bytes, want 8", len(v))
	}
	switch n := binary.BigEndian.Uint64(v); {
	case n > SchemaVersion:
		return formation.Errorf(formation.CodeUnavailable, "", "",
			"store file was written by a newer Formation (schema version %d; this build supports %d): upgrade Formation to open it",
			n, SchemaVersion)
	case n < SchemaVersion:
		// Migrations from older versions go here once there is more than one.
		return formation.Errorf(formation.CodeInternal, "", "",
			"store file has schema version %d, which this build cannot migrate (it writes %d)", n, SchemaVersion)
	}
	return nil
}

// Path returns the file path Bolt was opened with, also after Close.
func (s *Bolt) Path() string { return s.path }

// View implements Store.
func (s *Bolt) View(ctx context.Context, fn func(Tx) error) error {
	return s.run(ctx, "store.View", s.db.View, false, fn)
}

// Update implements Store.
func (s *Bolt) Update(ctx context.Context, fn func(Tx) error) error {
	return s.run(ctx, "store.Update", s.db.Update, false, fn)
}

// Batch implements Store with bbolt's Batch: concurrent calls are coalesced
// into one transaction (one fsync). When one of them fails, the batch is
// rolled back and the others are retried; the failing one is retried alone,
// so every fn may run more than once.
func (s *Bolt) Batch(ctx context.Context, fn func(Tx) error) error {
	return s.run(ctx, "store.Batch", s.db.Batch, true, fn)
}

// run is View, Update and Batch: fn's own error (and a ctx cancelled while
// waiting for the transaction) is returned unchanged; bbolt's errors are
// translated.
func (s *Bolt) run(ctx context.Context, op string, do func(func(*bolt.Tx) error) error, batch bool, fn func(Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return errClosed(op)
	}
	var fnErr, ctxErr error
	var tx *boltTx
	err := do(func(btx *bolt.Tx) error {
		// Reset: with Batch this closure may run several times.
		fnErr, ctxErr, tx = nil, ctx.Err(), nil
		if ctxErr != nil {
			// ctx ended while waiting for the transaction: run nothing.
			// In a batch, an error would make bbolt roll back and rerun
			// every other call; contributing nothing is the same rollback
			// for this call alone.
			if batch {
				return nil
			}
			return ctxErr
		}
		tx = &boltTx{tx: btx, limit: limiter{Limits: s.limits}, keyRoom: keyRoom(ctx)}
		if btx.Writable() && s.watching() {
			tx.changed = map[Bucket][][]byte{}
		}
		defer func() { tx.done = true }()
		if fnErr = fn(tx); fnErr == nil && tx.limit.ops > 0 {
			fnErr = checkHeld(ctx, op)
		}
		return fnErr
	})
	switch {
	case ctxErr != nil:
		return ctxErr
	case fnErr != nil:
		return fnErr
	case err == nil:
		if tx != nil {
			s.notify(tx.changed)
		}
		return nil
	case errors.Is(err, berrors.ErrDatabaseNotOpen):
		return &formation.Error{Code: formation.CodeUnavailable, Op: op, Message: "store is closed", Err: err}
	default:
		return formation.Wrap(formation.CodeInternal, op, s.path, err)
	}
}

// Limits implements Store.
func (s *Bolt) Limits() Limits { return s.limits }

// Claim implements Store: the file is this process's alone, so claims live
// in memory.
func (s *Bolt) Claim(ctx context.Context, name string) (Claim, error) {
	if s.closed.Load() {
		return nil, errClosed("store.Claim")
	}
	return s.claim(ctx, name)
}

// Watch implements Store.
func (s *Bolt) Watch(ctx context.Context, b Bucket, prefix []byte) (<-chan struct{}, error) {
	if s.closed.Load() {
		return nil, errClosed("store.Watch")
	}
	return s.watch(ctx, b, prefix)
}

// Close implements Store. It waits for running transactions. Batch calls
// still waiting for their batch to start then fail with CodeUnavailable.
func (s *Bolt) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	defer s.local.close()
	if err := s.db.Close(); err != nil {
		return formation.Wrap(formation.CodeInternal, "store.Close", s.path, err)
	}
	return nil
}

// boltTx adapts a *bolt.Tx to Tx. done guards against use after the
// function returns, which with bbolt could read unmapped memory.
type boltTx struct {
	tx      *bolt.Tx
	keyRoom int // a view's key prefix (WithKeyPrefix)
	limit   limiter
	changed map[Bucket][][]byte // the keys written, while someone watches
	done    bool
}

func (t *boltTx) bucket(op string, b Bucket) (*bolt.Bucket, error) {
	if t.done {
		return nil, errTxDone(op, b)
	}
	bk := t.tx.Bucket([]byte(b))
	if bk == nil {
		return nil, errUnknownBucket(op, b)
	}
	return bk, nil
}

func (t *boltTx) writable(op string, b Bucket, key, value []byte) (*bolt.Bucket, error) {
	bk, err := t.bucket(op, b)
	if err != nil {
		return nil, err
	}
	if !t.tx.Writable() {
		return nil, errReadOnly(op, b)
	}
	if err := checkKeyRoom(op, b, key, t.keyRoom); err != nil {
		return nil, err
	}
	if err := t.limit.add(op, b, key, value); err != nil {
		return nil, err
	}
	if t.changed != nil {
		t.changed[b] = append(t.changed[b], bytes.Clone(key))
	}
	return bk, nil
}

func (t *boltTx) Get(b Bucket, key []byte) []byte {
	bk, err := t.bucket("store.Get", b)
	if err != nil || len(key) == 0 {
		return nil
	}
	return bytes.Clone(bk.Get(key))
}

func (t *boltTx) Put(b Bucket, key, value []byte) error {
	const op = "store.Put"
	bk, err := t.writable(op, b, key, value)
	if err != nil {
		return err
	}
	// bbolt copies the key but keeps value until commit, and the caller
	// may reuse it: copy the value. The copy is non-nil, so an empty value
	// reads back as empty, not missing.
	v := append(make([]byte, 0, len(value)), value...)
	return boltErr(op, b, bk.Put(key, v))
}

func (t *boltTx) Delete(b Bucket, key []byte) error {
	const op = "store.Delete"
	bk, err := t.writable(op, b, key, nil)
	if err != nil {
		return err
	}
	return boltErr(op, b, bk.Delete(key))
}

func (t *boltTx) Scan(b Bucket, opts ScanOptions, fn func(key, value []byte) (bool, error)) error {
	bk, err := t.bucket("store.Scan", b)
	if err != nil {
		return err
	}
	r := newScanRange(opts)
	c := bk.Cursor()
	var k, v []byte
	switch {
	case !r.reverse && r.from == nil:
		k, v = c.First()
	case !r.reverse:
		k, v = c.Seek(r.from)
	case r.upTo == nil:
		k, v = c.Last()
	default:
		// Seek finds the first key >= upTo; step back unless it is upTo
		// itself and upTo is inclusive. Past the end, the last key is the
		// one before.
		k, v = c.Seek(r.upTo)
		switch {
		case k == nil:
			k, v = c.Last()
		case !r.inclusive || !bytes.Equal(k, r.upTo):
			k, v = c.Prev()
		}
	}
	for k != nil && bytes.HasPrefix(k, r.prefix) {
		more, err := fn(k, v)
		if err != nil || !more {
			return err
		}
		if r.reverse {
			k, v = c.Prev()
		} else {
			k, v = c.Next()
		}
	}
	return nil
}

// boltErr translates an error from a bbolt write.
func boltErr(op string, b Bucket, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, berrors.ErrTxNotWritable):
		return &formation.Error{Code: formation.CodeInternal, Op: op, Resource: string(b),
			Message: "write in a read-only transaction", Err: err}
	case errors.Is(err, berrors.ErrKeyTooLarge), errors.Is(err, berrors.ErrValueTooLarge),
		errors.Is(err, berrors.ErrKeyRequired):
		return formation.Wrap(formation.CodeInvalidParameter, op, string(b), err)
	default:
		return formation.Wrap(formation.CodeInternal, op, string(b), err)
	}
}
