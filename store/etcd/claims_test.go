package etcd_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/store/etcd"
	"github.com/formation-engine/formation/store/etcd/etcdtest"
)

// A claim its holder let go of ends within the lease's TTL, even while the
// holder's process lives on and renews the claims it still holds: one
// whose release's requests failed, and one whose claiming request
// committed but whose answer was lost (an etcd member failing over). If
// either stayed, its stack would stay claimed by a replica that does not
// run it, and no replica could take its operation over.
func TestClaim_LetGoEndsWithinTheTTL(t *testing.T) {
	ctx := context.Background()
	ms := etcdtest.Start(t, etcdtest.Options{NoFsync: true})
	const ttl = 2 * time.Second
	open := func() *etcd.Store {
		st, err := etcd.Open(ctx, etcd.Options{Endpoints: etcdtest.Endpoints(ms), Prefix: "/letgo/", LeaseTTL: ttl})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		return st
	}
	st, other := open(), open()
	var net lossyNet
	cli := st.Client()
	cli.KV = lossyKV{KV: cli.KV, net: &net}
	cli.Lease = lossyLease{Lease: cli.Lease, net: &net}

	kept, err := st.Claim(ctx, "kept")
	if err != nil {
		t.Fatal(err)
	}
	released, err := st.Claim(ctx, "released")
	if err != nil {
		t.Fatal(err)
	}
	net.unsent.Store(true)
	if err := released.Release(); err == nil {
		t.Fatal("Release succeeded although its requests failed")
	}
	net.unsent.Store(false)
	net.unanswered.Store(true)
	if _, err := st.Claim(ctx, "unanswered"); !errors.Is(err, formation.ErrUnavailable) {
		t.Fatalf("Claim whose answer was lost = %v, want ErrUnavailable", err)
	}
	net.unanswered.Store(false)

	// Another store takes both within the TTL (plus the time etcd takes to
	// expire a lease: it checks every 500 ms); the bound only catches
	// "never".
	bound := time.Now().Add(10 * ttl)
	for _, name := range []string{"released", "unanswered"} {
		for {
			_, err := other.Claim(ctx, name)
			if err == nil {
				break
			}
			if !errors.Is(err, store.ErrClaimed) || time.Now().After(bound) {
				t.Fatalf("the other store's Claim of %q, let go of by its holder: %v", name, err)
			}
			time.Sleep(50 * time.Millisecond) // polling etcd's expiry, not timing
		}
	}
	// Meanwhile the claim the holder kept is still its.
	if err := kept.Valid(ctx); err != nil {
		t.Fatalf("Valid of the kept claim: %v", err)
	}
	if _, err := other.Claim(ctx, "kept"); !errors.Is(err, store.ErrClaimed) {
		t.Fatalf("the other store's Claim of the kept claim = %v, want ErrClaimed", err)
	}
}

// lossyNet makes the wrapped client's transactions and lease revocations
// fail: unsent, the request is not sent; unanswered, a transaction is
// sent and commits but its answer is lost (a revocation is not sent).
type lossyNet struct{ unsent, unanswered atomic.Bool }

var errLossy = errors.New("lossy: connection reset")

type lossyKV struct {
	clientv3.KV
	net *lossyNet
}

func (kv lossyKV) Txn(ctx context.Context) clientv3.Txn {
	return lossyTxn{Txn: kv.KV.Txn(ctx), net: kv.net}
}

type lossyTxn struct {
	clientv3.Txn
	net *lossyNet
}

func (t lossyTxn) If(cs ...clientv3.Cmp) clientv3.Txn {
	return lossyTxn{Txn: t.Txn.If(cs...), net: t.net}
}

func (t lossyTxn) Then(ops ...clientv3.Op) clientv3.Txn {
	return lossyTxn{Txn: t.Txn.Then(ops...), net: t.net}
}

func (t lossyTxn) Else(ops ...clientv3.Op) clientv3.Txn {
	return lossyTxn{Txn: t.Txn.Else(ops...), net: t.net}
}

func (t lossyTxn) Commit() (*clientv3.TxnResponse, error) {
	switch {
	case t.net.unsent.Load():
		return nil, errLossy
	case t.net.unanswered.Load():
		if _, err := t.Txn.Commit(); err != nil {
			return nil, err
		}
		return nil, errLossy
	}
	return t.Txn.Commit()
}

type lossyLease struct {
	clientv3.Lease
	net *lossyNet
}

func (l lossyLease) Revoke(ctx context.Context, id clientv3.LeaseID) (*clientv3.LeaseRevokeResponse, error) {
	if l.net.unsent.Load() || l.net.unanswered.Load() {
		return nil, errLossy
	}
	return l.Lease.Revoke(ctx, id)
}
