package etcd

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
)

// View implements store.Store: fn reads one snapshot.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, "store.View", false, fn)
}

// Update implements store.Store: fn runs on a snapshot and its writes
// commit only if nothing it read changed since; otherwise it runs again.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, "store.Update", true, fn)
}

// Batch implements store.Store as Update: etcd batches concurrent commits
// into one fsync on its own.
func (s *Store) Batch(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, "store.Batch", true, fn)
}

// maxPause bounds the pause between two attempts of a transaction.
const maxPause = 500 * time.Millisecond

func (s *Store) run(ctx context.Context, op string, writable bool, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.begin(op); err != nil {
		return err
	}
	defer s.running.Done()
	ctx, cancel := s.bound(ctx)
	defer cancel()
	pause := time.Millisecond
	cache := writable
	for {
		retry, err := s.attempt(ctx, op, writable, cache, fn)
		if errors.Is(err, errUncached) {
			cache = false // at once: nothing conflicted
			continue
		}
		if !retry {
			if c := store.ClaimOf(ctx); err != nil && c != nil && isDone(c.Lost()) {
				return store.ErrorClaimLost(op, c.Name())
			}
			return err
		}
		// A conflict or an unreachable cluster: run fn again on a new
		// snapshot after a jittered pause, so that contenders spread out.
		t := time.NewTimer(pause/2 + rand.N(pause))
		select {
		case <-ctx.Done():
			t.Stop()
			if c := store.ClaimOf(ctx); c != nil && isDone(c.Lost()) {
				return store.ErrorClaimLost(op, c.Name())
			}
			if err != nil {
				return err
			}
			return ctx.Err()
		case <-t.C:
		}
		pause = min(2*pause, maxPause)
	}
}

// bound returns ctx, ended also when the store's client closes (Close, or a
// process going away) and when the claim ctx carries is lost: a commit
// retried until then would never succeed.
func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stopClosed := context.AfterFunc(s.cli.Ctx(), cancel)
	done := make(chan struct{})
	if c := store.ClaimOf(ctx); c != nil {
		go func() {
			select {
			case <-c.Lost():
				cancel()
			case <-done:
			}
		}()
	}
	return ctx, func() { stopClosed(); close(done); cancel() }
}

func isDone(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// attempt runs fn once and commits its writes. retry says fn must run
// again: the commit conflicted (err nil) or the cluster failed (err says
// how, for when ctx ends before the next attempt).
func (s *Store) attempt(ctx context.Context, op string, writable, cache bool, fn func(store.Tx) error) (retry bool, err error) {
	tx := &txn{s: s, ctx: ctx, writable: writable, useCache: cache}
	fnErr := func() error {
		defer func() { tx.done = true }()
		return fn(tx)
	}()
	if tx.err != nil {
		// A read failed, so fn decided on a missing answer: whatever it
		// returned is void.
		if retriable(tx.err) {
			return true, unavailable(op, tx.err)
		}
		return false, unavailable(op, tx.err)
	}
	if tx.fromCache && (fnErr != nil || len(tx.writes) == 0) {
		// fn decided on cached reads that no commit checks: decide again
		// on a snapshot.
		return false, errUncached
	}
	if fnErr != nil {
		return false, fnErr
	}
	if !writable || len(tx.writes) == 0 {
		return false, nil
	}
	ok, err := tx.commit(op)
	switch {
	case errors.Is(err, errUncached):
		return false, err
	case err != nil && retriable(err):
		s.cache.forget(tx.readKeys()...)
		return true, unavailable(op, err)
	case err != nil:
		return false, err
	case !ok:
		s.cache.forget(tx.readKeys()...) // some may have changed
	}
	return !ok, nil
}

// remember records a read of k: what it answered, and the ModRevision the
// commit compares.
func (t *txn) remember(k string, c cached) {
	if t.seen == nil {
		t.seen = map[string]cached{}
	}
	t.seen[k] = c
	t.read[k] = c.mod
}

// errUncached asks for fn to run again without the read cache.
var errUncached = errors.New("etcd: run again on a snapshot")

func (t *txn) readKeys() []string {
	keys := make([]string, 0, len(t.read))
	for k := range t.read {
		keys = append(keys, k)
	}
	return keys
}

// retriable reports whether err is the cluster being unreachable or a
// snapshot compacted away, which a new attempt may not meet.
func retriable(err error) bool {
	var fe *formation.Error
	if errors.As(err, &fe) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, rpctypes.ErrCompacted) || errors.Is(err, rpctypes.ErrFutureRev) {
		return true
	}
	switch rpctypes.ErrorDesc(err) {
	case rpctypes.ErrTooManyOps.Error(), rpctypes.ErrRequestTooLarge.Error(), rpctypes.ErrKeyNotFound.Error():
		return false
	}
	return true
}

// txn is one attempt of a transaction. Reads go to the snapshot at rev
// (set by the first read), through the write set; the reads are recorded
// for the commit's comparisons.
type txn struct {
	s         *Store
	ctx       context.Context
	writable  bool
	useCache  bool // Gets may be answered by the Store's read cache
	fromCache bool // some were
	done      bool
	err       error // the first failed read
	limit     int   // writes so far, for store.Limits
	bytes     int

	rev     int64                 // the snapshot; 0 until the first read
	writes  map[string]*write     // by etcd key
	read    map[string]int64      // etcd key → ModRevision read (0: absent)
	seen    map[string]cached     // etcd key → what Get answered
	scanned []scannedRange        // ranges read by Scan
	buckets map[store.Bucket]bool // buckets scanned, whose deletions conflict
}

type write struct {
	b     store.Bucket
	key   []byte // the bucket's key
	value []byte // nil: delete
}

type scannedRange struct{ lo, hi string }

// opts returns the read options of the snapshot.
func (t *txn) withRev(opts ...clientv3.OpOption) []clientv3.OpOption {
	if t.rev != 0 {
		opts = append(opts, clientv3.WithRev(t.rev))
	}
	return opts
}

func (t *txn) fail(err error) {
	if t.err == nil {
		t.err = err
	}
}

func (t *txn) check(op string, b store.Bucket) error {
	switch {
	case t.done:
		return store.ErrorTxDone(op, b)
	case !store.KnownBucket(b):
		return store.ErrorUnknownBucket(op, b)
	case t.err != nil:
		return unavailable(op, t.err)
	}
	return nil
}

// Get implements store.Tx.
func (t *txn) Get(b store.Bucket, key []byte) []byte {
	if t.check("store.Get", b) != nil || len(key) == 0 {
		return nil
	}
	k := t.s.key(b, key)
	if w, ok := t.writes[k]; ok {
		return bytes.Clone(w.value)
	}
	if t.read == nil {
		t.read = map[string]int64{}
	}
	c, ok := t.seen[k] // read before in this attempt: the same answer
	if !ok && t.useCache {
		if c, ok = t.s.cache.get(k); ok {
			t.fromCache = true
			t.remember(k, c)
		}
	}
	if ok {
		if c.raw == nil {
			return nil
		}
		v, err := t.s.value(t.ctx, c.raw, t.rev)
		if err != nil {
			t.fail(err)
			return nil
		}
		return bytes.Clone(v)
	}
	resp, err := t.s.cli.Get(t.ctx, k, t.withRev()...)
	if err != nil {
		t.fail(err)
		return nil
	}
	if t.rev == 0 {
		t.rev = resp.Header.Revision
	}
	if len(resp.Kvs) == 0 {
		t.remember(k, cached{})
		if t.writable {
			t.s.cache.put(k, nil, 0)
		}
		return nil
	}
	raw := append([]byte{}, resp.Kvs[0].Value...) // not nil: present
	t.remember(k, cached{raw: raw, mod: resp.Kvs[0].ModRevision})
	if t.writable {
		t.s.cache.put(k, raw, resp.Kvs[0].ModRevision)
	}
	v, err := t.s.value(t.ctx, resp.Kvs[0].Value, t.rev)
	if err != nil {
		t.fail(err)
		return nil
	}
	if v == nil {
		v = []byte{}
	}
	return v
}

func (t *txn) put(op string, b store.Bucket, key, value []byte) error {
	if err := t.check(op, b); err != nil {
		return err
	}
	if !t.writable {
		return store.ErrorReadOnly(op, b)
	}
	if err := store.CheckKeyIn(t.ctx, op, b, key); err != nil {
		return err
	}
	t.limit++
	t.bytes += store.WriteBytes(key, value)
	if l := store.DefaultLimits; t.limit > l.MaxOps || t.bytes > l.MaxBytes || len(value) > store.MaxValueSize {
		return store.ErrorTooLarge(op, b, l)
	}
	if t.writes == nil {
		t.writes = map[string]*write{}
	}
	t.writes[t.s.key(b, key)] = &write{b: b, key: bytes.Clone(key), value: value}
	return nil
}

// Put implements store.Tx.
func (t *txn) Put(b store.Bucket, key, value []byte) error {
	return t.put("store.Put", b, key, append(make([]byte, 0, len(value)), value...))
}

// Delete implements store.Tx.
func (t *txn) Delete(b store.Bucket, key []byte) error {
	return t.put("store.Delete", b, key, nil)
}

// scanPage is the first page a Scan asks for; later pages double up to
// maxScanPage, so a scan that stops early reads little and a long one
// makes few round trips.
const scanPage, maxScanPage = 32, 1024

// Scan implements store.Tx: the snapshot's keys in the range, page by page,
// merged with the transaction's own writes.
func (t *txn) Scan(b store.Bucket, opts store.ScanOptions, fn func(key, value []byte) (bool, error)) error {
	const op = "store.Scan"
	if err := t.check(op, b); err != nil {
		return err
	}
	lo, hi := store.KeyRange(opts)
	bp := t.s.bucketPrefix(b)
	elo := bp + string(lo)
	ehi := clientv3.GetPrefixRangeEnd(bp)
	if hi != nil {
		ehi = bp + string(hi)
	}
	if elo >= ehi {
		return nil
	}
	// The commit compares only the part of the range the scan covered (a
	// scan that stops at its first key covers one key), so that reading
	// the newest of a million events does not make etcd compare them all.
	var seen string // the last key visited; "" until one is
	complete := false
	if t.writable {
		defer func() {
			covered := scannedRange{elo, ehi}
			switch {
			case complete:
			case seen == "":
				return // stopped before any key: nothing was read
			case opts.Reverse:
				covered.lo = seen
			default:
				covered.hi = seen + "\x00"
			}
			t.scanned = append(t.scanned, covered)
			if t.buckets == nil {
				t.buckets = map[store.Bucket]bool{}
			}
			t.buckets[b] = true
		}()
	}
	emit := func(k string, key, value []byte) (bool, error) {
		seen = k
		if value == nil {
			return true, nil // deleted in this transaction
		}
		return fn(key, value)
	}
	mine := t.writesIn(elo, ehi, opts.Reverse)
	from, to := elo, ehi // the part of the range not yet read
	page := int64(scanPage)
	for {
		order := clientv3.SortAscend
		if opts.Reverse {
			order = clientv3.SortDescend
		}
		resp, err := t.s.cli.Get(t.ctx, from, t.withRev(clientv3.WithRange(to), clientv3.WithLimit(page), clientv3.WithSort(clientv3.SortByKey, order))...)
		if err != nil {
			t.fail(err)
			return unavailable(op, err)
		}
		if t.rev == 0 {
			t.rev = resp.Header.Revision
		}
		for _, kv := range resp.Kvs {
			k := string(kv.Key)
			// The transaction's own writes before this key come first.
			for len(mine) > 0 && (!opts.Reverse && mine[0].k < k || opts.Reverse && mine[0].k > k) {
				if more, err := emit(mine[0].k, mine[0].w.key, mine[0].w.value); err != nil || !more {
					return err
				}
				mine = mine[1:]
			}
			if len(mine) > 0 && mine[0].k == k {
				w := mine[0].w
				mine = mine[1:]
				if more, err := emit(k, w.key, w.value); err != nil || !more {
					return err
				}
				continue
			}
			v, err := t.s.value(t.ctx, kv.Value, t.rev)
			if err != nil {
				t.fail(err)
				return unavailable(op, err)
			}
			if v == nil {
				v = []byte{}
			}
			if more, err := emit(k, kv.Key[len(bp):], v); err != nil || !more {
				return err
			}
		}
		if !resp.More {
			break
		}
		last := string(resp.Kvs[len(resp.Kvs)-1].Key)
		if opts.Reverse {
			to = last
		} else {
			from = last + "\x00"
		}
		page = min(2*page, maxScanPage)
	}
	for _, m := range mine {
		if more, err := emit(m.k, m.w.key, m.w.value); err != nil || !more {
			return err
		}
	}
	complete = true
	return nil
}

type keyedWrite struct {
	k string
	w *write
}

// writesIn returns the transaction's writes with etcd keys in [lo, hi), in
// scan order.
func (t *txn) writesIn(lo, hi string, reverse bool) []keyedWrite {
	var out []keyedWrite
	for k, w := range t.writes {
		if k >= lo && k < hi {
			out = append(out, keyedWrite{k, w})
		}
	}
	slices.SortFunc(out, func(a, b keyedWrite) int {
		if reverse {
			return -cmpString(a.k, b.k)
		}
		return cmpString(a.k, b.k)
	})
	return out
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
