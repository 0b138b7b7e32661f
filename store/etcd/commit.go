package etcd

import (
	"slices"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/formation-engine/formation/store"
)

// maxCompares is the most comparisons a commit makes one by one; past it
// they are merged per bucket (see compares). etcd counts comparisons
// against --max-txn-ops apart from the writes.
const maxCompares = 100

// commit writes the transaction's writes if nothing it read changed since
// its snapshot. ok is false when something did: fn must run again.
func (t *txn) commit(op string) (ok bool, err error) {
	cmps, err := t.compares(op)
	if err != nil {
		return false, err
	}
	ops := make([]clientv3.Op, 0, len(t.writes)+4)
	deleted := map[store.Bucket]bool{}
	keys := make([]string, 0, len(t.writes))
	for k := range t.writes {
		keys = append(keys, k)
	}
	slices.Sort(keys)   // a stable request, for logs and tests
	var chunks []string // the large values' chunks this commit wrote
	stored := make(map[string]string, len(keys))
	drop := func() {
		for _, id := range chunks {
			t.s.dropChunks(id)
		}
	}
	for _, k := range keys {
		w := t.writes[k]
		if w.value == nil {
			// The previous values say which large values' chunks to drop.
			ops = append(ops, clientv3.OpDelete(k, clientv3.WithPrevKV()))
			deleted[w.b] = true
			continue
		}
		raw, id, err := t.s.stored(t.ctx, w.value)
		if err != nil {
			drop()
			return false, err
		}
		stored[k] = raw
		if id != "" {
			chunks = append(chunks, id)
		}
		ops = append(ops, clientv3.OpPut(k, raw, clientv3.WithPrevKV()))
	}
	for b := range deleted {
		// The deletion marker: its ModRevision tells scanners of b that a
		// key of b went (a deleted key leaves nothing to compare).
		ops = append(ops, clientv3.OpPut(t.s.deletedKey(b), ""))
	}
	resp, err := t.s.cli.Txn(t.ctx).If(cmps...).Then(ops...).Commit()
	if err != nil {
		return false, err // it may have committed: the chunks stay
	}
	if !resp.Succeeded {
		drop()
	} else {
		t.s.dropReplaced(resp)
		for _, k := range keys {
			if _, read := t.read[k]; !read && !t.s.cache.has(k) {
				continue // written blind: see readCache
			}
			if raw, ok := stored[k]; ok {
				t.s.cache.put(k, []byte(raw), resp.Header.Revision)
			} else {
				t.s.cache.put(k, nil, 0)
			}
		}
	}
	if !resp.Succeeded && t.claimLost() {
		c := store.ClaimOf(t.ctx)
		return false, store.ErrorClaimLost(op, c.Name())
	}
	return resp.Succeeded, nil
}

// compares are the commit's conditions: the claim (if ctx carries one) is
// still held; every key read is as it was read; no key was created or
// changed in a scanned range, nor deleted in a scanned bucket. With more
// than maxCompares, the reads of each bucket merge into one range from its
// least to its greatest key read, plus its deletion marker: a commit then
// fails on changes it did not read, never passes over one it did.
func (t *txn) compares(op string) ([]clientv3.Cmp, error) {
	var cmps []clientv3.Cmp
	if c := store.ClaimOf(t.ctx); c != nil {
		cl, ok := c.(*claim)
		if !ok || cl.s != t.s {
			return nil, store.ErrorClaimLost(op, c.Name())
		}
		select {
		case <-cl.lost:
			return nil, store.ErrorClaimLost(op, c.Name())
		default:
		}
		cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(cl.key), "=", cl.rev))
	}
	if t.rev == 0 && len(t.read) == 0 {
		return cmps, nil // nothing was read
	}
	next := t.rev + 1
	n := len(t.read) + 2*len(t.scanned)
	if n > maxCompares && t.fromCache {
		// Merged ranges check changes since the snapshot, and a cached
		// read may be older: run again on a snapshot.
		return nil, errUncached
	}
	if n <= maxCompares {
		for k, rev := range t.read {
			if rev == 0 {
				cmps = append(cmps, clientv3.Compare(clientv3.Version(k), "=", 0))
			} else {
				cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(k), "=", rev))
			}
		}
		for _, r := range t.scanned {
			cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(r.lo).WithRange(r.hi), "<", next))
		}
		for b := range t.buckets {
			cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(t.s.deletedKey(b)), "<", next))
		}
		return cmps, nil
	}
	type span struct{ lo, hi string }
	spans := map[store.Bucket]*span{}
	widen := func(b store.Bucket, lo, hi string) {
		sp := spans[b]
		if sp == nil {
			spans[b] = &span{lo, hi}
			return
		}
		sp.lo, sp.hi = min(sp.lo, lo), max(sp.hi, hi)
	}
	for k := range t.read {
		widen(t.s.bucketOf(k), k, k+"\x00")
	}
	for _, r := range t.scanned {
		widen(t.s.bucketOf(r.lo), r.lo, r.hi)
	}
	for b, sp := range spans {
		cmps = append(cmps,
			clientv3.Compare(clientv3.ModRevision(sp.lo).WithRange(sp.hi), "<", next),
			clientv3.Compare(clientv3.ModRevision(t.s.deletedKey(b)), "<", next))
	}
	return cmps, nil
}

// bucketOf returns the bucket of an etcd key of this store.
func (s *Store) bucketOf(k string) store.Bucket {
	rest := k[len(s.prefix):]
	for i := 0; i < len(rest); i++ {
		if rest[i] == '/' {
			return store.Bucket(rest[:i])
		}
	}
	return store.Bucket(rest)
}

// claimLost reports whether the ctx's claim is gone, after a failed commit.
func (t *txn) claimLost() bool {
	c, ok := store.ClaimOf(t.ctx).(*claim)
	if !ok {
		return false
	}
	resp, err := t.s.cli.Get(t.ctx, c.key)
	if err != nil {
		return false
	}
	if len(resp.Kvs) == 0 || resp.Kvs[0].CreateRevision != c.rev {
		c.lose()
		return true
	}
	return false
}

// dropReplaced drops the chunks of the large values a commit overwrote or
// deleted.
func (s *Store) dropReplaced(resp *clientv3.TxnResponse) {
	for _, r := range resp.Responses {
		var prev []*mvccpb.KeyValue
		switch {
		case r.GetResponsePut() != nil:
			if kv := r.GetResponsePut().PrevKv; kv != nil {
				prev = append(prev, kv)
			}
		case r.GetResponseDeleteRange() != nil:
			prev = r.GetResponseDeleteRange().PrevKvs
		}
		for _, kv := range prev {
			if id, ok := manifestID(kv.Value); ok {
				s.dropChunks(id)
			}
		}
	}
}
